"""`privacybot purge [--days N] [--dry-run] [--json]`: delete conversations older than the
retention period (settings.retention_days, default 30; see bot/store/retention.py for why)."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    @app.command("purge")
    def purge(
        days: int = typer.Option(None, "--days", help="Delete conversations idle for more than N days "
                                 "(default: PRIVACYBOT_RETENTION_DAYS, 30)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would be deleted."),
        as_json: bool = typer.Option(False, "--json", help="Print {\"purged\": N, \"days\": D, \"dry_run\": B}."),
    ) -> None:
        """Delete conversations older than the retention period and print how many."""
        from bot.errors import InputError
        from bot.settings import get_settings
        from bot.store import open_store

        settings = get_settings()
        days = settings.retention_days if days is None else days
        if days < 1:
            raise InputError("--days must be at least 1 (whole days). Omit it to use PRIVACYBOT_RETENTION_DAYS.")
        store = open_store(settings)
        try:
            n = store.purge(days, dry_run=dry_run)
        finally:
            store.close()
        if as_json:
            typer.echo(json.dumps({"purged": n, "days": days, "dry_run": dry_run}))
        elif dry_run:
            typer.echo(f"Would purge {n} conversation(s) idle for more than {days} day(s) (dry run, nothing deleted).")
        else:
            typer.echo(f"Purged {n} conversation(s) idle for more than {days} day(s).")

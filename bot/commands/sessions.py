"""`privacybot sessions list|export ID|erase ID`: staff access to stored conversations
(redacted), the visitor's right of access (export, JSON) and right to erasure (erase)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

sessions_app = typer.Typer(help="List, export (JSON) or erase stored conversations.", no_args_is_help=True)


def _date(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    from bot.errors import InputError

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be an ISO date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _open():
    from bot.store import open_store

    return open_store()


@sessions_app.command("list")
def list_cmd(
    site: str = typer.Option(None, "--site", help="Only this site key."),
    since: str = typer.Option(None, "--since", help="Created on or after (ISO date, UTC)."),
    until: str = typer.Option(None, "--until", help="Created before (ISO date, UTC)."),
    rating: str = typer.Option(None, "--rating", help="Only sessions with this feedback: up or down."),
    limit: int = typer.Option(100, "--limit", help="At most N sessions (1-10000)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """List sessions, newest first, with message and feedback counts."""
    store = _open()
    try:
        rows = store.list_sessions(site=site, since=_date(since, "--since"), until=_date(until, "--until"),
                                   rating=rating, limit=limit)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No sessions.")
        return
    for r in rows:
        typer.echo(f"{r['id']}  {r['created']}  site={r['site'] or '-'}  lang={r['lang']}  "
                   f"messages={r['messages']}  up={r['feedback']['up']}  down={r['feedback']['down']}")


@sessions_app.command("export")
def export_cmd(session_id: str = typer.Argument(..., help="Session id.")) -> None:
    """Print everything stored about a session as JSON (redacted transcript + feedback)."""
    store = _open()
    try:
        data = store.export_session(session_id)
    finally:
        store.close()
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@sessions_app.command("erase")
def erase_cmd(session_id: str = typer.Argument(..., help="Session id.")) -> None:
    """Erase a session: its messages, findings and feedback."""
    store = _open()
    try:
        store.delete_session(session_id)
    finally:
        store.close()
    typer.echo(f"Erased session {session_id}.")


def register(app: typer.Typer) -> None:
    app.add_typer(sessions_app, name="sessions")

"""`privacybot redact TEXT [--lang] [--json]` and `privacybot redact --jsonl FILE|-`."""

from __future__ import annotations

import typer


def _record(inspection, rid=None) -> dict:
    out = {"id": rid} if rid is not None else {}
    out["redacted"] = inspection.text
    out["findings"] = [f.to_dict() for f in inspection.findings]
    if inspection.failed:
        out["failed"] = True
    return out


def register(app: typer.Typer) -> None:
    @app.command("redact")
    def redact(
        text: str = typer.Argument(None, help="Text to redact (omit with --jsonl)."),
        lang: str = typer.Option(None, "--lang", help="en or fr (detected when omitted)."),
        as_json: bool = typer.Option(False, "--json", help="Print {redacted, findings} as JSON."),
        jsonl: str = typer.Option(None, "--jsonl", help='Batch: a JSONL file of {"id","text","lang"?}, or - for stdin.'),
    ) -> None:
        """Redact personal data and special categories (the raw text is never stored or logged)."""
        import json

        from bot.commands.jsonl import check_single_or_batch, read_jsonl, write_line
        from guards.guard import get_guard

        if check_single_or_batch(text, jsonl, lang, what="TEXT", example='privacybot redact "my email is ..." --json'):
            records = read_jsonl(jsonl, required=("id", "text"), optional={"lang": str})
            guard = get_guard()
            for record in records:
                write_line(_record(guard.inspect(record["text"], record.get("lang") or lang), record["id"]))
            return
        inspection = get_guard().inspect(text, lang)
        if as_json:
            typer.echo(json.dumps(_record(inspection), ensure_ascii=False))
        else:
            typer.echo(inspection.text)
            from bot.notice import notice_for

            notice = notice_for(inspection, inspection.lang)
            if notice:
                typer.echo(notice, err=True)

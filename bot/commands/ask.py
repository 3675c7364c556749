"""`privacybot ask QUESTION [--lang en|fr] [--kb NAME] [--session ID] [--json]` and
`privacybot ask --jsonl FILE|-` (one Answer JSON per line, "id" echoed, models loaded once).

In a batch, `session_id` is a grouping key: lines sharing it run in one engine session, in
order (follow-ups work); the output carries the engine's real session id. Command-line runs
are not written to the conversation store (only the web API logs conversations)."""

from __future__ import annotations

import json

import typer


def _words_only(text: str) -> str:
    """The text without its layout (line breaks, list bullets, runs of spaces), to compare quotes."""
    return " ".join(text.replace("•", " ").split())


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask_cmd(
        question: str = typer.Argument(None, help="Question about the privacy policy."),
        lang: str = typer.Option(None, "--lang", help="Answer language: en or fr (default: detected)."),
        kb: str = typer.Option(None, "--kb", help="Knowledge base (default: settings.kb)."),
        session: str = typer.Option(None, "--session", help="Session id returned by a previous answer."),
        as_json: bool = typer.Option(False, "--json", help="Print the Answer as JSON."),
        trace: bool = typer.Option(False, "--trace", help="Include the debug trace in the JSON."),
        jsonl: str = typer.Option(None, "--jsonl", help="Batch: JSONL file or '-' with {id, question, lang?, kb?, session_id?}."),
    ) -> None:
        """Answer a question from the policy: direct answer first, exact quotes with their section."""
        from bot.commands.jsonl import check_single_or_batch

        if check_single_or_batch(question, jsonl, lang, what="QUESTION",
                                 example='privacybot ask "how long do you keep my data?" --json'):
            _batch(jsonl, kb, trace)
            return
        engine = _engine(kb)
        answer = engine.ask(question, session_id=session, lang=lang)
        if as_json:
            typer.echo(json.dumps(answer.to_dict(include_trace=trace), ensure_ascii=False))
            return
        typer.echo(answer.text)
        said = _words_only(answer.text)
        for c in answer.citations:  # a quote the answer already reads (a whole list) is named, not repeated
            shown = "(quoted above)" if _words_only(c.quote) in said else f"“{' '.join(c.quote.split())}”"
            typer.echo(f"\n  [{c.label}] {shown}")
        for qr in answer.quick_replies:
            typer.echo(f"  -> {qr['label']}: privacybot ask {qr['value']!r} --session {answer.session_id}")
        typer.echo(f"\n[{answer.kind}] session {answer.session_id} · {answer.timings_ms.get('total', 0):.0f} ms")
        typer.echo(answer.disclosure, err=True)

    def _batch(source: str, default_kb: str | None, trace: bool) -> None:
        from bot.commands.jsonl import read_jsonl, write_line
        from bot.errors import InputError

        engines: dict[str | None, object] = {}
        sessions: dict[tuple, str] = {}
        records = read_jsonl(source, required=("id", "question"), optional={"lang": str, "kb": str, "session_id": str})
        for rec in records:
            lang = rec.get("lang")
            if lang is not None and lang not in ("en", "fr"):
                raise InputError(f"Record {rec['id']!r}: 'lang' must be 'en' or 'fr'.")
            kb = rec.get("kb") or default_kb
            if kb not in engines:
                engines[kb] = _engine(kb)
            engine = engines[kb]
            group = rec.get("session_id")
            key = (kb, group)
            try:
                answer = engine.ask(rec["question"], session_id=sessions.get(key), lang=lang)
            except InputError as exc:  # one bad question does not stop the batch
                write_line({"id": rec["id"], "error": {"code": exc.code, "message": exc.message}})
                continue
            if group:
                sessions[key] = answer.session_id
            write_line({"id": rec["id"], **answer.to_dict(include_trace=trace)})

    def _engine(kb: str | None):
        """An engine without the conversation store: command-line and batch runs are not logged."""
        from bot.engine import Engine
        from bot.settings import get_settings

        engine = Engine(get_settings(), kb=kb)
        _ = engine.retriever  # a missing or damaged index says how to fix before any question
        return engine

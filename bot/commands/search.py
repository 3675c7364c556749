"""`privacybot search QUESTION [--kb] [--k] [--lang] --json` and `privacybot search --jsonl FILE|-`."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    @app.command("search")
    def search_cmd(
        question: str = typer.Argument(None, help="Question to retrieve policy passages for."),
        kb: str = typer.Option(None, "--kb", help="Knowledge base (default: settings.kb)."),
        k: int = typer.Option(5, "--k", min=1, max=50, help="Number of chunks to return."),
        lang: str = typer.Option(None, "--lang", help="en or fr (default: detected)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON: [{section_id, audience, heading, text, score}]."),
        jsonl: str = typer.Option(None, "--jsonl", help="Batch: JSONL file or '-' with {id, question, lang?, kb?, k?}."),
    ) -> None:
        """Retrieve the policy chunks that best answer a question (hybrid dense + BM25, audience-aware)."""
        from bot.commands.jsonl import check_single_or_batch
        from knowledge.retrieve import get_retriever

        if check_single_or_batch(question, jsonl, lang, what="QUESTION",
                                 example='privacybot search "how long do you keep my data?" --json'):
            _batch(jsonl, kb, k)
            return
        retriever = get_retriever(kb)
        hits = retriever.search(question, k=k, lang=lang)
        if as_json:
            typer.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False))
            return
        audience = retriever.detect_audience(question, lang)
        typer.echo(f"audience: {audience or 'not stated'}")
        for h in hits:
            c = h.chunk
            snippet = " ".join(c.text.split())[:160]
            typer.echo(f"{h.rank}. [{c.section_id}] {h.score:.3f}  {c.heading}\n   {snippet}")

    def _batch(source: str, default_kb: str | None, default_k: int) -> None:
        from bot.commands.jsonl import read_jsonl, write_line
        from bot.errors import InputError, PrivacybotError
        from knowledge.retrieve import get_retriever

        records = read_jsonl(source, required=("id", "question"), optional={"lang": str, "kb": str, "k": int})
        for rec in records:
            k = rec.get("k") or default_k
            if k < 1 or k > 50:
                raise InputError(f"Record {rec['id']!r}: 'k' must be between 1 and 50.")
            lang = rec.get("lang")
            if lang is not None and lang not in ("en", "fr"):
                raise InputError(f"Record {rec['id']!r}: 'lang' must be 'en' or 'fr'.")
            try:
                retriever = get_retriever(rec.get("kb") or default_kb)
                hits = retriever.search(rec["question"], k=k, lang=lang)
            except InputError as exc:  # one bad question does not stop the batch
                write_line({"id": rec["id"], "chunks": [], "error": {"code": exc.code, "message": exc.message}})
                continue
            except PrivacybotError:
                raise
            write_line({"id": rec["id"], "chunks": [h.to_dict() for h in hits]})

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
        """Retrieve the policy chunks that best answer a question (learned ranker over dense, BM25 and section features, audience-aware)."""
        from bot.commands.jsonl import check_single_or_batch

        if check_single_or_batch(question, jsonl, lang, what="QUESTION",
                                 example='privacybot search "how long do you keep my data?" --json'):
            _batch(jsonl, kb, k)
            return
        retriever = _retriever(kb)
        query = _analyse(question, lang)
        hits = retriever.search(query, k=k)
        if as_json:
            typer.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False))
            return
        audience = query.audience_named(set(retriever.audiences))
        typer.echo(f"language: {query.lang} · answer type: {query.answer_type.label or 'unsure'} · "
                   f"audience: {audience or 'not stated'}")
        for h in hits:
            c = h.chunk
            snippet = " ".join(c.text.split())[:160]
            typer.echo(f"{h.rank}. [{c.section_id}] {h.score:.3f}  {c.heading}\n   {snippet}")

    def _batch(source: str, default_kb: str | None, default_k: int) -> None:
        from bot.commands.jsonl import read_jsonl, write_line
        from bot.errors import ERRORS, InputError

        records = read_jsonl(source, required=("id", "question"), optional={"lang": str, "kb": str, "k": int})
        for rec in records:
            k = rec.get("k") or default_k
            if k < 1 or k > 50:
                raise InputError(f"Record {rec['id']!r}: 'k' must be between 1 and 50.")
            lang = rec.get("lang")
            if lang is not None and lang not in ("en", "fr"):
                raise InputError(f"Record {rec['id']!r}: 'lang' must be 'en' or 'fr'.")
            try:
                hits = _retriever(rec.get("kb") or default_kb).search(_analyse(rec["question"], lang), k=k)
            except ERRORS as exc:  # one bad question does not stop the batch; a broken index does
                if exc.code not in ("bad_request",):
                    raise
                write_line({"id": rec["id"], "chunks": [], "error": {"code": exc.code, "message": exc.message}})
                continue
            write_line({"id": rec["id"], "chunks": [h.to_dict() for h in hits]})


def _retriever(kb: str | None):
    from bot.settings import get_settings
    from knowledge.retrieve import open_retriever

    settings = get_settings()
    kb = kb or settings.kb
    return open_retriever(settings.kb_dir(kb), kb, settings.chroma_url)


def _analyse(question: str, lang: str | None):
    """The question analysis retrieval uses; the language is the guard's detector's when not given."""
    from bot.errors import InputError
    from guards.language import detect_language
    from knowledge.query import analyse

    if not isinstance(question, str) or not question.strip():
        raise InputError("The question is empty; type a question about the privacy policy.")
    lang = lang or detect_language(question)
    return analyse(question, lang if lang in ("en", "fr") else "en")

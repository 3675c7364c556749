"""Chat tab of the staff console: plain handler functions (no Gradio import).

The chat history returned to the browser holds the guard's REDACTED version of the staff
message, never the raw text, and each answer is followed by collapsible "thought" steps
(Gradio messages with `metadata={"title": ..., "status": "done"}`) that explain the pipeline:
guard, intent, retrieved sources with their scores, chosen quotes, timings.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.errors import PrivacybotError
from bot.logsafe import exc_summary, log_event

log = logging.getLogger("ui.console")

AUTO = "auto"
LANG_CHOICES = [("Auto-detect", AUTO), ("English", "en"), ("Français", "fr")]
CONSOLE_SITE = "console"  # conversations started here are tagged so staff can tell them from visitors
MAX_NOTE_CHARS = 2000

STEP_GUARD = "1 · Guard"
STEP_INTENT = "2 · Intent"
STEP_SOURCES = "3 · Sources"
STEP_QUOTES = "4 · Chosen quotes"
STEP_TIMINGS = "5 · Timings"

_MD_SPECIAL = re.compile(r"([\\`*{}\[\]()#+\-!|<>~])")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # intraword `_` (EMAIL_ADDRESS) is inert


def md_escape(text: str) -> str:
    """Escape Markdown/HTML so visitor or policy text renders literally (no links, no images)."""
    return _MD_UNDERSCORE.sub(r"\\_", _MD_SPECIAL.sub(r"\\\1", text or ""))


def _cell(text: Any, limit: int = 90) -> str:
    s = " ".join(str(text if text is not None else "").split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return md_escape(s)


def _num(value: Any, digits: int = 3) -> str:
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return "–"


def _choice(value: str | None) -> str | None:
    return None if value in (None, "", AUTO) else value


def _step(title: str, body: str, *, log_text: str | None = None, duration_s: float | None = None) -> dict:
    meta: dict[str, Any] = {"title": title, "status": "done"}
    if log_text:
        meta["log"] = log_text
    if duration_s is not None:
        meta["duration"] = round(duration_s, 3)
    return {"role": "assistant", "content": body, "metadata": meta}


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


# ---------------------------------------------------------------- pipeline steps


def guard_step(answer) -> dict:
    g = answer.guard
    findings = list(g.findings)
    if findings:
        rows = ["| entity | start | end | score | recognizer |", "|---|---|---|---|---|"]
        for f in findings:
            rows.append(
                f"| {_cell(_get(f, 'entity'))} | {_get(f, 'start')} | {_get(f, 'end')} | "
                f"{_num(_get(f, 'score'), 2)} | {_cell(_get(f, 'recognizer', ''))} |"
            )
        table = "\n".join(rows)
    else:
        table = "No personal data detected."
    body = f"{table}\n\n**Redacted message:** {md_escape(g.redacted_message)}"
    if g.notice:
        body += f"\n\n**Notice shown to the visitor:** {md_escape(g.notice)}"
    entities = sorted({str(_get(f, "entity")) for f in findings})
    log_text = f"{len(findings)} finding(s)" + (f": {', '.join(entities)}" if entities else "")
    return _step(STEP_GUARD, body, log_text=log_text)


_INTENT_DETAILS = (  # the keys the answer path writes in `Answer.trace` (bot/dialog.py, bot/answers/)
    ("intent_confidence", "Intent confidence"),
    ("answer_type", "Answer type asked"),
    ("right", "Right requested"),
    ("audience_named", "Audience found in the message"),
    ("rewritten_question", "Rewritten question"),
    ("leaned_on", "Earlier question leaned on"),
    ("from_pending", "Answers the pending question"),
    ("settled_by_context", "Audience settled by the conversation"),
    ("evidence", "Best unit before routing"),
    ("best_score", "Best unit score"),
    ("threshold", "Not-found threshold"),
    ("answerable", "Answerability check"),
    ("missing_value", "Value the policy does not state"),
    ("llm", "LLM rephrasing"),
    ("store", "Conversation store"),
    ("error", "Error"),
)


def intent_step(answer) -> dict:
    trace = answer.trace or {}
    intent = trace.get("intent") or "–"
    audience = trace.get("audience") or "any"
    lines = [
        f"- **Intent:** {_cell(intent)}",
        f"- **Answer kind:** {_cell(answer.kind)}",
        f"- **Language:** {_cell(answer.lang)}",
        f"- **Audience used:** {_cell(audience)}",
    ]
    for key, label in _INTENT_DETAILS:
        if trace.get(key) not in (None, "", False):
            lines.append(f"- **{label}:** {_cell(trace[key], 200)}")
    if trace.get("audiences"):
        lines.append(f"- **Audiences offered:** {_cell(', '.join(map(str, trace['audiences'])), 200)}")
    return _step(STEP_INTENT, "\n".join(lines), log_text=f"{intent} · {audience}")


def _hits(trace: dict) -> list:
    for key in ("hits", "retrieved", "retrieval"):
        value = trace.get(key)
        if isinstance(value, dict):
            value = value.get("hits")
        if isinstance(value, list):
            return value
    return []


def _hit_fields(hit: Any, sections: dict | None = None) -> dict:
    chunk = _get(hit, "chunk")
    src = chunk if chunk is not None else hit
    section_id = _get(src, "section_id", "")
    known = (sections or {}).get(section_id)
    return {
        "section_id": section_id,
        "section": _get(src, "section", "") or _get(known, "section", ""),
        "heading": _get(src, "heading", "") or _get(known, "heading", ""),
        "audience": _get(src, "audience", "") or _get(known, "audience", ""),
        "fused": _get(hit, "fused", _get(hit, "score")),
        "dense": _get(hit, "dense"),
        "bm25": _get(hit, "bm25"),
    }


def sources_step(answer, sections: dict | None = None) -> dict:
    """Retrieved passages, best first. `sections` (section_id -> chunk) fills heading/audience."""
    hits = [_hit_fields(h, sections) for h in _hits(answer.trace or {})]
    if not hits:
        return _step(STEP_SOURCES, "No passage was retrieved for this message.", log_text="0 passages")
    rows = [
        "| # | section | heading | audience | fused | dense | BM25 |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, h in enumerate(hits, 1):
        rows.append(
            f"| {i} | {_cell(h['section_id'] or h['section'], 40)} | {_cell(h['heading'], 60)} | "
            f"{_cell(h['audience'], 20)} | {_num(h['fused'])} | {_num(h['dense'])} | {_num(h['bm25'])} |"
        )
    return _step(STEP_SOURCES, "\n".join(rows), log_text=f"{len(hits)} passage(s)")


def quotes_step(answer) -> dict:
    """The sentences the answer rests on (trace `chosen`, with their scores), else the citations."""
    chosen = [c for c in ((answer.trace or {}).get("chosen") or []) if isinstance(c, dict)]
    parts = []
    if chosen:
        for c in chosen:
            score = f" (score {_num(c.get('score'))})" if c.get("score") is not None else ""
            parts.append(f"**{_cell(c.get('section_id'), 80)}**{score}\n\n> {md_escape(' '.join(str(c.get('sentence', '')).split()))}")
    else:
        for c in answer.citations:
            parts.append(
                f"**{_cell(c.section_id, 80)}** — {_cell(c.heading, 120)} (score {_num(c.score)})\n\n"
                f"> {md_escape(' '.join(c.quote.split()))}"
            )
    body = "\n\n".join(parts) if parts else "No quote: the answer cites nothing."
    cited = ", ".join(sorted({c.section_id for c in answer.citations}))
    if cited:
        body += f"\n\n**Cited sections:** {md_escape(cited)}"
    return _step(STEP_QUOTES, body, log_text=f"{len(chosen) or len(answer.citations)} sentence(s)")


def timings_step(answer) -> dict:
    timings = dict(answer.timings_ms or {})
    if not timings:
        return _step(STEP_TIMINGS, "No timings reported.")
    rows = ["| stage | ms |", "|---|---|"]
    rows += [f"| {_cell(k)} | {_num(v, 1)} |" for k, v in timings.items()]
    total = timings.get("total")
    return _step(
        STEP_TIMINGS,
        "\n".join(rows),
        log_text=f"total {_num(total, 1)} ms" if total is not None else None,
        duration_s=(float(total) / 1000.0) if isinstance(total, int | float) else None,
    )


def pipeline_steps(answer, sections: dict | None = None) -> list[dict]:
    """The collapsible steps that explain one answer, in pipeline order."""
    return [guard_step(answer), intent_step(answer), sources_step(answer, sections), quotes_step(answer),
            timings_step(answer)]


def section_index(engine) -> dict:
    """section_id -> a chunk of that section (heading, audience), from the engine's index."""
    try:
        chunks = engine.retriever.chunks
    except Exception:  # noqa: BLE001 - the table then shows section ids only
        return {}
    out: dict = {}
    for c in chunks:
        out.setdefault(c.section_id, c)
    return out


def answer_message(answer, *, first_turn: bool) -> dict:
    text = answer.text
    if first_turn and answer.disclosure:
        text = f"_{md_escape(answer.disclosure)}_\n\n{text}"
    return {"role": "assistant", "content": text}


# ---------------------------------------------------------------- handlers


def chat_turn(
    engine,
    message: str | None,
    history: list | None,
    session_id: str | None,
    lang: str | None = AUTO,
    audience: str | None = AUTO,
    *,
    site: str | None = CONSOLE_SITE,
    record: bool = True,
) -> tuple[list, str | None, dict | None, str]:
    """One staff question. Returns (history, session_id, answer_json, status_markdown).

    The returned history shows the guard's redacted message, never the raw text. An empty
    message gives a friendly status and does not call the engine. `record=False` (a replay from
    the needs-attention queue) stores nothing.
    """
    history = list(history or [])
    text = (message or "").strip()
    if not text:
        return history, session_id, None, "Type a question first (the message was empty)."
    try:
        answer = engine.ask(text, session_id=session_id, lang=_choice(lang), site=site, audience=_choice(audience),
                            record=record)
    except PrivacybotError as exc:  # messages never contain user text (bot/errors.py)
        return history, session_id, None, f"Warning: {exc.message}"
    except Exception as exc:  # keep the console alive; log the type only (never the message)
        log_event(log, "console.chat_failed", level=logging.ERROR, error=exc_summary(exc))
        return history, session_id, None, f"Warning: The engine failed ({type(exc).__name__}). See the server log."
    first_turn = session_id is None or session_id != answer.session_id
    history.append({"role": "user", "content": md_escape(answer.guard.redacted_message)})
    history.extend(pipeline_steps(answer, section_index(engine)))
    history.append(answer_message(answer, first_turn=first_turn))
    findings = len(answer.guard.findings)
    status = f"Answered ({answer.kind}, {answer.lang})"
    if findings:
        status += f" — the guard redacted {findings} span(s); the history shows the redacted message."
    return history, answer.session_id, answer.to_dict(include_trace=True), status


def new_conversation() -> tuple[list, None, None, str]:
    return [], None, None, "New conversation: the next question starts a new session."


def flag_answer(guard, store, session_id: str | None, note: str | None) -> str:
    """Store a 'down' rating for the session with the note passed through the guard first."""
    if not session_id:
        return "Nothing to flag yet: ask a question first."
    note = (note or "").strip()
    truncated = len(note) > MAX_NOTE_CHARS
    note = note[:MAX_NOTE_CHARS]
    comment = None
    if note:
        try:
            comment = guard.inspect(note).redacted
        except PrivacybotError as exc:
            return f"Warning: The note could not be checked for personal data, so nothing was stored: {exc.message}"
    try:
        store.add_feedback(session_id, "down", comment)
    except PrivacybotError as exc:
        return f"Warning: The flag was not stored: {exc.message}"
    msg = "Flag stored (rating: down)"
    msg += " with the redacted note." if comment is not None else " without a note."
    if truncated:
        msg += f" The note was cut to {MAX_NOTE_CHARS} characters."
    return msg

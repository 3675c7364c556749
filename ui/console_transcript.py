"""What the DPO office reads in the console (no Gradio import):

- `exchanges(export)`: a stored session (`store.export_session`) as question/answer pairs, each
  with its feedback and the reasons it may need a human (`REASONS`).
- `attention_queue(store, days, limit)`: the exchanges of recent sessions that need a human
  (refused / not found, a 👎, personal data found by the guard), newest first.
- `transcript_html(export, lang, focus=None)`: a readable, fully escaped transcript (never raw
  JSON): who said what, when, the answer kind, cited sections, votes and comments, the guard's
  findings; the exchange at index `focus` is marked.

Everything comes from the conversation store, which only holds the guard's redacted text.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from bot.errors import PrivacybotError
from ui.i18n import tr

REASONS = ("refusal", "down", "guard", "clarification")
MAX_SCAN_SESSIONS = 300


def _pairs(messages: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Visitor message + the bot answer that follows it (by exchange_id when stored, else order)."""
    out: list[tuple[dict | None, dict | None]] = []
    for msg in messages:
        if msg.get("role") == "visitor":
            out.append((msg, None))
        elif out and out[-1][1] is None and (
                not msg.get("exchange_id") or msg.get("exchange_id") == (out[-1][0] or {}).get("exchange_id")):
            out[-1] = (out[-1][0], msg)
        else:
            out.append((None, msg))
    return out


def exchanges(export: dict) -> list[dict]:
    """[{exchange_id, question, answer, kind, created, citations, entities, feedback, reasons}]"""
    feedback = export.get("feedback") or []
    items = []
    for visitor, bot in _pairs(export.get("messages") or []):
        ex_id = (bot or visitor or {}).get("exchange_id")
        bot_id = (bot or {}).get("id")
        votes = [f for f in feedback if (ex_id and f.get("exchange_id") == ex_id)
                 or (bot_id and f.get("message_id") == bot_id)]
        kind = (bot or {}).get("kind") or ""
        entities = dict((visitor or {}).get("entities") or {})
        reasons = []
        if kind == "refusal":
            reasons.append("refusal")
        if kind == "clarification":
            reasons.append("clarification")
        if any(f.get("rating") == "down" for f in votes):
            reasons.append("down")
        if entities:
            reasons.append("guard")
        items.append({
            "exchange_id": ex_id, "question": (visitor or {}).get("text") or "", "answer": (bot or {}).get("text") or "",
            "kind": kind, "created": (visitor or bot or {}).get("created") or "",
            "citations": list((bot or {}).get("citations") or []), "entities": entities, "feedback": votes,
            "reasons": reasons,
        })
    session_votes = [f for f in feedback if not f.get("exchange_id") and not f.get("message_id")]
    if session_votes and items:  # a vote on the whole session (console flag, old widget): the last exchange
        items[-1]["feedback"] = items[-1]["feedback"] + session_votes
        if any(f.get("rating") == "down" for f in session_votes) and "down" not in items[-1]["reasons"]:
            items[-1]["reasons"].append("down")
    return items


def attention_queue(store, days: int = 7, limit: int = 200, *, now: datetime | None = None) -> list[dict]:
    """Exchanges of the last `days` days that need a human, newest first:
    [{session_id, site, lang, exchange_id, index (in the session), created, reasons, question}]"""
    since = (now or datetime.now(UTC)).replace(tzinfo=None) - timedelta(days=days)
    queue = []
    for s in store.list_sessions(since=since, limit=MAX_SCAN_SESSIONS):
        try:
            export = store.export_session(s["id"])
        except PrivacybotError:  # erased meanwhile
            continue
        for index, item in enumerate(exchanges(export)):
            wanted = [r for r in item["reasons"] if r != "clarification"]
            if wanted:
                queue.append({"session_id": s["id"], "site": s.get("site") or "", "lang": s.get("lang") or "",
                              "exchange_id": item["exchange_id"], "index": index, "created": item["created"],
                              "reasons": wanted, "question": item["question"]})
    queue.sort(key=lambda q: q["created"] or "", reverse=True)
    return queue[:limit]


def reason_labels(reasons: list[str], lang: str) -> str:
    return ", ".join(tr(f"console_reason_{r}", lang) for r in reasons)


def _when(value: str | None) -> str:
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return value


def transcript_html(export: dict, lang: str = "en", focus: int | None = None) -> str:
    """A readable transcript; every stored text is HTML-escaped. `focus`: the index of the
    exchange to mark (the one from the queue)."""
    e = html.escape
    s = export.get("session") or {}
    head = tr("console_transcript_head", lang, site=s.get("site") or "—", language=s.get("lang") or "—",
              created=_when(s.get("created")))
    parts = [f'<div class="pb-transcript" lang="{e(s.get("lang") or "")}">', f"<p><strong>{e(head)}</strong></p>"]
    for index, item in enumerate(exchanges(export)):
        marked = focus is not None and index == focus
        style = ' style="border-left:4px solid #b3261e;padding-left:8px"' if marked else ""
        parts.append(f"<section{style}>")
        if marked:
            parts.append(f"<p><strong>▶ {e(tr('console_flagged', lang))}</strong></p>")
        parts.append(f'<p><strong>{e(tr("console_visitor", lang))}</strong> '
                     f'<small>{e(_when(item["created"]))}</small><br>{e(item["question"])}</p>')
        if item["entities"]:
            found = ", ".join(f"{e(str(k))} × {e(str(v))}" for k, v in sorted(item["entities"].items()))
            parts.append(f"<p><em>{e(tr('console_guard_found', lang))}</em> {found}</p>")
        if item["answer"]:
            kind = f" <small>({e(item['kind'])})</small>" if item["kind"] else ""
            text = e(item["answer"]).replace("\n", "<br>")
            parts.append(f'<p><strong>{e(tr("console_assistant", lang))}</strong>{kind}<br>{text}</p>')
        if item["citations"]:
            parts.append(f"<p><small>{e(tr('console_cited', lang))} {e(', '.join(map(str, item['citations'])))}</small></p>")
        for f in item["feedback"]:
            vote = "👍" if f.get("rating") == "up" else "👎"
            comment = f" — {e(f['comment'])}" if f.get("comment") else ""
            parts.append(f"<p>{vote}{comment}</p>")
        parts.append("</section><hr>")
    if len(parts) == 2:
        parts.append(f"<p>{e(tr('console_empty_session', lang))}</p>")
    parts.append("</div>")
    return "\n".join(parts)

"""Guard tab of the staff console: paste a text, see what the guard finds (no Gradio import).

The pasted text is analysed in memory and shown back only in the browser: nothing is stored
or logged. Pastes over MAX_PASTE_BYTES are truncated (at a character boundary) with a note.
"""

from __future__ import annotations

import logging

from bot.errors import PrivacybotError
from bot.logsafe import exc_summary, log_event
from guards.types import SPECIAL_CATEGORIES

log = logging.getLogger("ui.console")

MAX_PASTE_BYTES = 50_000
SPECIAL_COLOUR = "#f87171"  # red: GDPR Art. 9 special categories
OTHER_COLOUR = "#fbbf24"  # amber: other personal data


def truncate_utf8(text: str, max_bytes: int = MAX_PASTE_BYTES) -> tuple[str, bool]:
    """Cut `text` so its UTF-8 encoding fits in max_bytes (never splits a character)."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text, False
    return data[:max_bytes].decode("utf-8", errors="ignore"), True


def highlight_segments(text: str, findings) -> list[tuple[str, str | None]]:
    """Split `text` into (segment, entity-or-None) pairs for gr.HighlightedText.

    Findings index the original text; overlapping findings keep the one that starts first
    (the longer one on a tie), out-of-range ones are clipped.
    """
    spans = sorted(
        ((max(0, f.start), min(len(text), f.end), f.entity) for f in findings),
        key=lambda s: (s[0], -(s[1] - s[0])),
    )
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, entity in spans:
        if end <= start or start < pos:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], entity))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def colour_map(findings) -> dict[str, str]:
    return {f.entity: SPECIAL_COLOUR if f.entity in SPECIAL_CATEGORIES else OTHER_COLOUR for f in findings}


FINDING_HEADERS = ["entity", "start", "end", "score", "recognizer", "special category"]


def inspect_paste(guard, text: str | None, lang: str | None = None) -> dict:
    """Analyse a pasted text. Returns plain data:
    {"segments": [(text, entity|None)], "redacted": str, "rows": [[...]], "status": str,
     "colours": {entity: colour}}."""
    text = text or ""
    empty = {"segments": [], "redacted": "", "rows": [], "status": "", "colours": {}}
    if not text.strip():
        return {**empty, "status": "Paste a text to inspect (the box was empty)."}
    original_bytes = len(text.encode("utf-8"))
    text, truncated = truncate_utf8(text)
    try:
        inspection = guard.inspect(text, lang=None if lang in (None, "", "auto") else lang)
    except PrivacybotError as exc:
        return {**empty, "status": f"Warning: {exc.message}"}
    except Exception as exc:
        log_event(log, "console.guard_failed", level=logging.ERROR, error=exc_summary(exc))
        return {**empty, "status": f"Warning: The guard failed ({type(exc).__name__}). See the server log."}
    findings = sorted(inspection.findings, key=lambda f: (f.start, f.end))
    rows = [
        [f.entity, f.start, f.end, round(float(f.score), 3), f.recognizer, "yes" if f.is_special_category else ""]
        for f in findings
    ]
    status = f"{len(findings)} finding(s)"
    if inspection.categories:
        status += f"; special categories: {', '.join(sorted(inspection.categories))}"
    status += f"; language: {inspection.lang}."
    if getattr(inspection, "failed", False):
        status += " Warning: The analysis failed: the redacted output is a placeholder (fail closed)."
    if truncated:
        status = (
            f"Warning: The paste was {original_bytes:,} bytes; only the first {MAX_PASTE_BYTES:,} bytes "
            f"were analysed. " + status
        )
    return {
        "segments": highlight_segments(text, findings),
        "redacted": inspection.text,
        "rows": rows,
        "status": status,
        "colours": colour_map(findings),
    }

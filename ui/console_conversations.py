"""Conversations tab of the staff console: browse, export (CSV), erase stored sessions.

Everything here comes from the conversation store, which only ever holds the guard's
redacted text. Plain functions, no Gradio import.
"""

from __future__ import annotations

import csv
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bot.errors import PrivacybotError

ANY = "any"
RATING_CHOICES = [("Any", ANY), ("has an up vote", "up"), ("has a down vote / flag", "down")]
SESSION_HEADERS = ["session id", "site", "lang", "created (UTC)", "last activity (UTC)", "messages", "up votes", "down votes"]
CSV_HEADERS = [
    "session_id", "site", "lang", "session_created", "record", "id", "created", "role", "kind",
    "text_redacted", "entities", "citations", "latency_ms", "rating", "message_id",
]
MAX_SESSIONS = 1000
EXPORT_DIR = Path(tempfile.gettempdir()) / "privacybot-console-exports"
EXPORT_MAX_AGE_S = 3600  # CSV files are for download only: older ones are deleted on the next export
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FilterError(ValueError):
    """A filter field cannot be used; the message says how to fix it."""


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in ("", ANY) else value


def _parse_day(value: str | None, field: str) -> datetime | None:
    value = _clean(value)
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise FilterError(f"'{field}' must be a date like 2025-01-31 (or empty for any).") from None


def parse_filters(site: str | None, since: str | None, until: str | None, rating: str | None) -> dict:
    """Filter fields (as typed by staff) -> keyword arguments for `store.list_sessions`.

    `until` is inclusive: sessions created on that day are kept.
    """
    start = _parse_day(since, "From")
    end = _parse_day(until, "To")
    if end is not None:
        end = end + timedelta(days=1)
    if start is not None and end is not None and end <= start:
        raise FilterError("'To' is before 'From': swap the dates.")
    rating = _clean(rating)
    if rating not in (None, "up", "down"):
        raise FilterError("Feedback filter must be any, up or down.")
    return {"site": _clean(site), "since": start, "until": end, "rating": rating}


def session_rows(sessions: list[dict]) -> list[list]:
    rows = []
    for s in sessions:
        fb = s.get("feedback") or {}
        rows.append([
            s.get("id"), s.get("site") or "", s.get("lang") or "", s.get("created") or "",
            s.get("last_activity") or "", s.get("messages", 0), fb.get("up", 0), fb.get("down", 0),
        ])
    return rows


def browse(store, site=None, since=None, until=None, rating=ANY, limit: int = 100) -> tuple[list[list], str]:
    """(table rows, status) for the filters."""
    try:
        sessions = store.list_sessions(**parse_filters(site, since, until, rating), limit=limit)
    except FilterError as exc:
        return [], f"Warning: {exc}"
    except PrivacybotError as exc:
        return [], f"Warning: {exc.message}"
    status = f"{len(sessions)} session(s)" + (f" (showing the newest {limit})" if len(sessions) >= limit else "")
    return session_rows(sessions), status + "."


def _safe_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = ";".join(f"{k}:{v}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_rows(export: dict) -> list[list[str]]:
    """One CSV row per stored message and per feedback of an `export_session` dict."""
    s = export.get("session", {})
    head = [s.get("id"), s.get("site"), s.get("lang"), s.get("created")]
    rows = []
    for msg in export.get("messages", []):
        rows.append(head + ["message", msg.get("id"), msg.get("created"), msg.get("role"), msg.get("kind"),
                            msg.get("text"), msg.get("entities"), msg.get("citations"), msg.get("latency_ms"),
                            "", ""])
    for fb in export.get("feedback", []):
        rows.append(head + ["feedback", fb.get("id"), fb.get("created"), "", "", fb.get("comment"), "", "", "",
                            fb.get("rating"), fb.get("message_id")])
    return [[_safe_cell(v) for v in row] for row in rows]


def export_csv(store, site=None, since=None, until=None, rating=ANY,
               out_dir: Path | None = None) -> tuple[str | None, str]:
    """Write the filtered sessions (redacted) to a CSV file; returns (path or None, status)."""
    try:
        sessions = store.list_sessions(**parse_filters(site, since, until, rating), limit=MAX_SESSIONS)
    except FilterError as exc:
        return None, f"Warning: {exc}"
    except PrivacybotError as exc:
        return None, f"Warning: {exc.message}"
    if not sessions:
        return None, "No session matches these filters: nothing to export."
    out_dir = Path(out_dir or EXPORT_DIR)
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _delete_old_exports(out_dir)
    path = out_dir / f"conversations-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}.csv"
    skipped = 0
    n_rows = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADERS)
        for s in sessions:
            try:
                rows = export_rows(store.export_session(s["id"]))
            except PrivacybotError:  # erased meanwhile: skip it
                skipped += 1
                continue
            writer.writerows(rows)
            n_rows += len(rows)
    status = f"Exported {len(sessions) - skipped} session(s), {n_rows} row(s) (redacted content only)."
    if len(sessions) >= MAX_SESSIONS:
        status += f" Only the newest {MAX_SESSIONS} sessions are exported: narrow the dates for older ones."
    return str(path), status


def _delete_old_exports(out_dir: Path) -> None:
    now = time.time()
    for old in out_dir.glob("conversations-*.csv"):
        try:
            if now - old.stat().st_mtime > EXPORT_MAX_AGE_S:
                old.unlink()
        except OSError:
            pass


def show_session(store, session_id: str | None) -> tuple[dict | None, str]:
    session_id = (session_id or "").strip()
    if not session_id:
        return None, "Enter a session id (copy it from the table)."
    try:
        return store.export_session(session_id), f"Session {session_id}."
    except PrivacybotError as exc:
        return None, f"Warning: {exc.message}"


def erase_session(store, session_id: str | None, confirmed: bool) -> str:
    session_id = (session_id or "").strip()
    if not session_id:
        return "Enter the id of the session to erase."
    if not confirmed:
        return "Tick the confirmation box first: erasing cannot be undone."
    try:
        store.delete_session(session_id)
    except PrivacybotError as exc:
        return f"Warning: {exc.message}"
    return f"Session {session_id} and everything about it (messages, feedback) were erased."

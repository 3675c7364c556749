"""Conversations tab: filters, CSV export (redacted only, formula-safe), erasure with confirmation."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ui import console_conversations as cc


@pytest.mark.parametrize(
    "since, until, rating, expected",
    [
        ("", "", "any", {"site": None, "since": None, "until": None, "rating": None}),
        ("2025-01-01", "2025-01-31", "down",
         {"site": None, "since": datetime(2025, 1, 1), "until": datetime(2025, 2, 1), "rating": "down"}),
        (" 2025-03-05 ", None, "up", {"site": None, "since": datetime(2025, 3, 5), "until": None, "rating": "up"}),
    ],
)
def test_filters_parse_dates_with_an_inclusive_end(since, until, rating, expected):
    assert cc.parse_filters("", since, until, rating) == expected


@pytest.mark.parametrize(
    "since, until, message",
    [
        ("31/01/2025", "", "'From' must be a date like 2025-01-31"),
        ("", "yesterday", "'To' must be a date like 2025-01-31"),
        ("2025-02-01", "2025-01-01", "'To' is before 'From'"),
    ],
)
def test_bad_dates_give_a_message_not_a_crash(store, since, until, message):
    rows, status = cc.browse(store, "", since, until, "any")
    assert rows == [] and message in status


def _session(store, guard, site, text, rating=None, comment=None):
    sid = store.create_session(site, "en")
    insp = guard.inspect(text)
    store.add_message(sid, "visitor", insp.redacted, findings=insp.findings)
    if rating:
        store.add_feedback(sid, rating, guard.inspect(comment).redacted if comment else None)
    return sid


def test_browse_filters_by_site_and_rating(store, guard):
    a = _session(store, guard, "ece.fr", "How long do you keep my data?", "down", "wrong section")
    b = _session(store, guard, "inseec.com", "Who is the DPO?", "up")
    _session(store, guard, "ece.fr", "Do you use cookies?")
    rows, status = cc.browse(store, "", "", "", "any")
    assert status.startswith("3 session(s)") and len(rows) == 3
    rows, _ = cc.browse(store, "ece.fr", "", "", "any")
    assert {r[1] for r in rows} == {"ece.fr"} and len(rows) == 2
    rows, _ = cc.browse(store, "", "", "", "down")
    assert [r[0] for r in rows] == [a] and rows[0][7] == 1
    rows, _ = cc.browse(store, "", "", "", "up")
    assert [r[0] for r in rows] == [b]
    tomorrow = (datetime.utcnow() + timedelta(days=1)).strftime("%Y-%m-%d")
    rows, status = cc.browse(store, "", tomorrow, "", "any")
    assert rows == [] and status.startswith("0 session(s)")


@pytest.mark.parametrize(
    "message, raw_value, placeholder",
    [
        ("My email is jeanne.martin@example.org, how long do you keep it?", "jeanne.martin@example.org", "[EMAIL_ADDRESS]"),
        ("J'ai du diabète, qui voit mon dossier ?", "diabète", "[HEALTH]"),
    ],
)
def test_csv_export_contains_only_redacted_text(store, guard, tmp_path, message, raw_value, placeholder):
    sid = _session(store, guard, "ece.fr", message, "down", "=HYPERLINK(\"http://x\") bad answer")
    path, status = cc.export_csv(store, "", "", "", "any", out_dir=tmp_path)
    assert path and "Exported 1 session(s)" in status
    content = Path(path).read_text(encoding="utf-8")
    assert raw_value not in content
    assert placeholder in content
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {r["session_id"] for r in rows} == {sid}
    feedback = [r for r in rows if r["record"] == "feedback"]
    assert feedback[0]["rating"] == "down"
    assert feedback[0]["text_redacted"].startswith("'=")  # a spreadsheet will not run it as a formula


def test_export_with_no_match_is_a_message(store, tmp_path):
    path, status = cc.export_csv(store, "nosuch.site", "", "", "any", out_dir=tmp_path)
    assert path is None and "nothing to export" in status


def test_erase_needs_confirmation_then_removes_everything(store, guard):
    sid = _session(store, guard, "ece.fr", "Who is the DPO?", "down", "flag")
    assert "Tick the confirmation box" in cc.erase_session(store, sid, False)
    assert store.session_exists(sid)
    assert "were erased" in cc.erase_session(store, sid, True)
    assert not store.session_exists(sid)
    detail, status = cc.show_session(store, sid)
    assert detail is None and "Unknown session id" in status
    assert "Unknown session id" in cc.erase_session(store, sid, True)
    assert "Enter the id" in cc.erase_session(store, "  ", True)


def test_export_files_older_than_an_hour_are_deleted_on_the_next_export(store, guard, tmp_path):
    import os
    import time

    old = tmp_path / "conversations-20000101-000000-000000.csv"
    old.write_text("session_id\n")
    os.utime(old, (time.time() - 2 * cc.EXPORT_MAX_AGE_S,) * 2)
    recent = tmp_path / "conversations-recent.csv"
    recent.write_text("session_id\n")
    _session(store, guard, "ece.fr", "Who is the DPO?")
    path, _ = cc.export_csv(store, "", "", "", "any", out_dir=tmp_path)
    assert not old.exists() and recent.exists() and Path(path).exists()

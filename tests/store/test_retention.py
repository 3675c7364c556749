"""Daily purge thread and the `privacybot purge` / `privacybot sessions` commands."""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.cli import main
from bot.errors import InputError, StoreError
from bot.store import models, open_store
from bot.store.retention import start_daily_purge
from tests.store.guarded import guarded
from tests.store.test_store import _age


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_daily_purge_thread_deletes_expired_conversations_and_stops(store):
    old, new = store.create_session(None, "en"), store.create_session(None, "fr")
    _age(store, models.sessions, 31, id=old)
    stop = start_daily_purge(store, 30, interval_s=0.05)
    try:
        assert _wait_for(lambda: not store.session_exists(old))
        _age(store, models.sessions, 40, id=new)  # expires later: the next tick gets it
        assert _wait_for(lambda: not store.session_exists(new))
    finally:
        stop()
    assert not any(t.name == "privacybot-purge" and t.is_alive() for t in threading.enumerate())


def test_daily_purge_survives_failures_and_retries(caplog):
    calls = []

    class Flaky:
        def purge(self, days, dry_run=False):
            calls.append(days)
            if len(calls) < 3:
                err = StoreError("Conversation store purge failed: the database is locked.")
                err.reason = "locked"
                raise err
            return 2

    stop = start_daily_purge(Flaky(), 30, interval_s=0.02)
    try:
        assert _wait_for(lambda: len(calls) >= 4)
    finally:
        stop()
    assert calls[:4] == [30, 30, 30, 30]


@pytest.mark.parametrize("days", [0, -1, True, "30"])
def test_daily_purge_rejects_a_bad_retention(store, days):
    with pytest.raises(InputError):
        start_daily_purge(store, days)


def _seed(n_old: int, n_new: int) -> list[str]:
    store = open_store()
    ids = []
    for i in range(n_old + n_new):
        sid = store.create_session("ece.fr", "en" if i % 2 else "fr")
        store.add_message(sid, "visitor", guarded("How long do you keep my data?"))
        ids.append(sid)
        if i < n_old:  # idle: the session and everything in it are old
            _age(store, models.sessions, 45, id=sid)
            _age(store, models.messages, 45, session_id=sid)
    store.close()
    return ids


@pytest.mark.parametrize(
    "args, env, out, left",
    [
        (["purge"], {}, "Purged 2 conversation(s) idle for more than 30 day(s).", 1),
        (["purge", "--dry-run"], {}, "Would purge 2 conversation(s)", 3),
        (["purge", "--days", "60"], {}, "Purged 0 conversation(s) idle for more than 60 day(s).", 3),
        (["purge"], {"PRIVACYBOT_RETENTION_DAYS": "90"}, "Purged 0 conversation(s) idle for more than 90 day(s).", 3),
        (["purge", "--json"], {}, '{"purged": 2, "days": 30, "dry_run": false}', 1),
    ],
)
def test_purge_command_prints_how_many(capsys, monkeypatch, args, env, out, left):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    _seed(2, 1)
    assert main(args) == 0
    assert out in capsys.readouterr().out
    assert open_store().stats()["sessions"] == left


def test_purge_command_rejects_zero_days(capsys):
    assert main(["purge", "--days", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --days must be at least 1") and err.count("\n") == 1


def test_sessions_export_list_and_erase(capsys):
    sid, other = _seed(0, 2)
    assert main(["sessions", "export", sid]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["session"]["id"] == sid and data["messages"][0]["text"] == guarded("How long do you keep my data?").text
    assert main(["sessions", "list", "--json"]) == 0
    assert {r["id"] for r in json.loads(capsys.readouterr().out)} == {sid, other}
    assert main(["sessions", "erase", sid]) == 0
    assert f"Erased session {sid}." in capsys.readouterr().out
    assert main(["sessions", "list"]) == 0
    listing = capsys.readouterr().out
    assert other in listing and sid not in listing


@pytest.mark.parametrize("args", [["sessions", "export", "nosuchsession1"], ["sessions", "erase", "nosuchsession1"]])
def test_unknown_session_is_a_one_line_error_with_exit_5(capsys, args):
    _seed(0, 1)
    assert main(args) == 5
    err = capsys.readouterr().err
    assert err.startswith("Error: Unknown session id") and err.count("\n") == 1
    assert open_store().stats()["sessions"] == 1


def test_sessions_list_filters_are_validated(capsys):
    assert main(["sessions", "list", "--since", "yesterday"]) == 2
    assert "ISO date" in capsys.readouterr().err
    assert main(["sessions", "list", "--rating", "5"]) == 2
    assert "up' or 'down" in capsys.readouterr().err


def test_corrupt_database_is_a_one_line_error_for_the_cli(capsys, privacybot_home):
    (privacybot_home / "conversations.sqlite3").write_bytes(b"nope" * 1000)
    assert main(["sessions", "list"]) == 6
    err = capsys.readouterr().err
    assert err.startswith("Error: Conversation store") and "corrupt" in err and err.count("\n") == 1

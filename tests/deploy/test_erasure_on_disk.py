"""Erasure that erases everywhere (issue 17): after a visitor erases their conversation, none of
its text is left in any file of the PostgreSQL data directory (heap, indexes, WAL, server log),
of PRIVACYBOT_HOME (key store, exports), or of the export and temp directories; and the
session's key is gone from every file, so any older copy (a backup) is unreadable too."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import httpx
import pytest

from bot.settings import load_settings
from bot.store.crypto import session_keys
from deploy.postgres import PgServer, find_bin
from tests.store_fixtures import LiveApp, fake_app, sites_for_tests

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _scan(roots: list[Path], needles: dict[str, bytes]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                blob = path.read_bytes()
                for name, needle in needles.items():
                    if needle in blob:
                        hits.setdefault(name, []).append(str(path))
    return hits


def _forms(key: bytes) -> dict[str, bytes]:
    return {"key": key, "key-hex": key.hex().encode(), "key-b64": base64.b64encode(key),
            "key-b64url": base64.urlsafe_b64encode(key).rstrip(b"=")}


def test_no_trace_of_an_erased_conversation_in_any_file(privacybot_home):
    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries not installed: run scripts/setup-system.sh.")
    pg = PgServer(bin_dir, "erasure", durable=True)  # fsync, full-page writes: real WAL
    pg.start()
    try:
        settings = load_settings({"PRIVACYBOT_HOME": str(privacybot_home), "PRIVACYBOT_DATABASE_URL": pg.url})
        app = fake_app(settings, sites=sites_for_tests())
        canaries = {f"canary-{i}": f"zorblax{secrets.token_hex(5)}".encode() for i in range(4)}
        words = [c.decode() for c in canaries.values()]
        with LiveApp(app) as live, httpx.Client(timeout=20) as c:
            body = c.post(f"{live.url}/api/chat", json={"message": f"Question about {words[0]}", "site": "demo"}).json()
            auth = {"session_id": body["session_id"], "session_token": body["session_token"]}
            c.post(f"{live.url}/api/chat", json={"message": f"And {words[1]}?", "site": "demo", **auth})
            c.post(f"{live.url}/api/feedback", json={"site": "demo", **auth, "exchange_id": body["exchange_id"],
                                                      "rating": "down", "comment": f"Wrong about {words[2]}"})
            store = app.state.ctx.store.store
            export = store.exports.write([body["session_id"]], f"id,text\n1,{words[3]}\n")
            (store.exports.temp_dir / "cache").mkdir()
            (store.exports.temp_dir / "cache" / export.name).write_bytes(export.read_bytes())  # a tool's copy
            own = {"X-Session-Token": body["session_token"]}
            stored = c.get(f"{live.url}/api/sessions/{body['session_id']}", params={"site": "demo"}, headers=own)
            assert all(w in stored.text for w in words[:3])  # really stored (and readable by its owner)
            with store.keys.db.engine.connect() as conn:
                key = conn.execute(session_keys.select().where(
                    session_keys.c.session_id == body["session_id"])).one().key
            pg.sql("CHECKPOINT")
            roots = [pg.root, privacybot_home, store.exports.root, store.exports.temp_dir]
            before = _scan(roots, {**canaries, **_forms(key)})
            assert set(before) == {"canary-3", "key"}  # the export (plain, private) and the key store

            assert c.delete(f"{live.url}/api/sessions/{body['session_id']}", params={"site": "demo"},
                            headers=own).status_code == 200
            pg.sql("CHECKPOINT")
        after = _scan(roots, {**canaries, **_forms(key)})
        assert after == {}, after
    finally:
        pg.stop()

"""The multi-process recipe with the real engine: two `privacybot serve` processes behind nginx
on PostgreSQL. Conversations keep one session id while their turns alternate between the
processes, every exchange is stored, erasure is seen by both; and (the engine's part) a
follow-up answered by the other process than the question it follows."""

from __future__ import annotations

import httpx
import pytest

from deploy.cluster import Cluster
from tests.deploy.conftest import require_deploy_tools

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def real_cluster(kb_home):
    require_deploy_tools()
    c = Cluster(2, home=kb_home, expose_upstream=True)
    c.extra_env.update(PRIVACYBOT_KEYSTORE_URL=f"sqlite:///{c.root / 'keys.sqlite3'}",
                       PRIVACYBOT_EXPORTS_DIR=str(c.root / "exports"))  # not in the shared index home
    try:
        c.start(ready_timeout=900)
        yield c
    finally:
        c.stop()


def _ask(c, cluster, message, auth=None, **extra):
    r = c.post(f"{cluster.url}/api/chat", json={"message": message, "site": "demo", "lang": "en", **(auth or {}),
                                                 **extra})
    assert r.status_code == 200, r.text
    body = r.json()
    return body, {"session_id": body["session_id"], "session_token": body["session_token"]}, r.headers["x-upstream"]


def test_turns_alternate_between_processes_in_one_session_and_are_all_stored(real_cluster):
    with httpx.Client(timeout=60) as c:
        turns = [_ask(c, real_cluster, "Who is the DPO?")]
        for question in ("How long do you keep CCTV images?", "Can I delete my data?", "Qui reçoit mes données ?"):
            turns.append(_ask(c, real_cluster, question, turns[-1][1]))
        sid = turns[0][1]["session_id"]
        assert {t[1]["session_id"] for t in turns} == {sid} and len({t[2] for t in turns}) == 2
        own = {"X-Session-Token": turns[0][1]["session_token"]}
        export = c.get(f"{real_cluster.url}/api/sessions/{sid}", params={"site": "demo"}, headers=own).json()
        assert [m["role"] for m in export["messages"]] == ["visitor", "bot"] * 4
        assert c.delete(f"{real_cluster.url}/api/sessions/{sid}", params={"site": "demo"}, headers=own).status_code == 200
        for app in real_cluster.apps:
            assert c.get(f"{app.url}/api/sessions/{sid}", params={"site": "demo"}, headers=own).status_code == 404


def test_a_follow_up_is_understood_by_the_other_process(real_cluster):
    with httpx.Client(timeout=60) as c:
        first, auth, up1 = _ask(c, real_cluster, "How long do you keep my data?")
        assert first["kind"] == "clarification" and first["quick_replies"]
        second, _, up2 = _ask(c, real_cluster, "And for alumni?", auth)
        assert up1 != up2  # round robin: the other process answers
        if second["kind"] == "clarification":  # "Which question do you mean?": it has no memory of the first
            pytest.xfail("the engine keeps follow-up state in process memory; it must use "
                         "bot.store.state.SqlStateStore when PRIVACYBOT_DATABASE_URL is set (lead)")
        assert second["kind"] == "answer" and "alumni" in second["text"].lower()

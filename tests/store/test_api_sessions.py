"""The HTTP API's sessions (issue 17): a secret token per session, required to continue, read,
rate, export or erase it; sessions bound to their site; a 504 still hands out the session; one
vote per answer; the length limit applies to what the visitor typed; ids and tokens never
logged; and a store that is down still gets the visitor an answer, marked as not saved. Real app,
real store, fake engine (tests/store_fixtures.py)."""

from __future__ import annotations

import json
import logging
import time

import pytest
from fastapi.testclient import TestClient

from bot.types import Answer
from tests.store_fixtures import FakeEngine, fake_app, sites_for_tests

OTHER_ORIGIN = "https://www.ece.fr"  # the "ece" site's origin


@pytest.fixture
def client(settings):
    with TestClient(fake_app(settings, sites=sites_for_tests())) as c:
        yield c


def _chat(c, message="How long do you keep my data?", **fields):
    return c.post("/api/chat", json={"message": message, "site": "demo", **fields})


def _auth(body):
    return {"session_id": body["session_id"], "session_token": body["session_token"]}


def test_a_new_conversation_gets_an_id_a_secret_token_and_an_exchange_id(client):
    body = _chat(client).json()
    assert len(body["session_token"]) >= 32 and body["session_token"] != body["session_id"]
    assert body["exchange_id"] and body["text"].startswith("Turn 1")
    second = _chat(client, "And for alumni?", **_auth(body)).json()
    assert second["session_id"] == body["session_id"] and second["text"].startswith("Turn 2")


@pytest.mark.parametrize("token, site, status", [
    (None, "demo", 403),             # the id alone proves nothing
    ("x" * 43, "demo", 403),         # a wrong token
    ("own", "ece", 403),             # the right token, but another school's site
])
def test_continuing_needs_the_token_of_the_same_site(client, token, site, status):
    body = _chat(client).json()
    payload = {"message": "And for staff?", "site": site, "session_id": body["session_id"]}
    if token:
        payload["session_token"] = body["session_token"] if token == "own" else token
    r = client.post("/api/chat", json=payload, headers={"Origin": OTHER_ORIGIN} if site == "ece" else {})
    assert r.status_code == status and r.json()["error"]["code"] == "forbidden"
    assert "session_token" not in r.json()
    export = client.get(f"/api/sessions/{body['session_id']}", params={"site": "demo"},
                        headers={"X-Session-Token": body["session_token"]}).json()
    assert len(export["messages"]) == 2  # nothing was added to the conversation


@pytest.mark.parametrize("method", ["get", "delete"])
@pytest.mark.parametrize("headers, params, status", [
    ({}, {"site": "demo"}, 403),
    ({"X-Session-Token": "y" * 43}, {"site": "demo"}, 403),
    ({"X-Session-Token": "own"}, {"site": "ece"}, 403),  # another site's origin + site
    ({"X-Session-Token": "own", "Origin": OTHER_ORIGIN}, {"site": "demo"}, 403),  # ece's page, demo's session
])
def test_export_and_erasure_need_the_token_and_the_site(client, method, headers, params, status):
    body = _chat(client).json()
    headers = {k: (body["session_token"] if v == "own" else v) for k, v in headers.items()}
    if params["site"] == "ece":
        headers["Origin"] = OTHER_ORIGIN
    r = getattr(client, method)(f"/api/sessions/{body['session_id']}", params=params, headers=headers)
    assert r.status_code == status
    own = {"X-Session-Token": body["session_token"]}
    assert client.get(f"/api/sessions/{body['session_id']}", params={"site": "demo"}, headers=own).status_code == 200


def test_erasure_is_immediate_and_a_later_message_starts_a_new_conversation(client):
    body = _chat(client, "My email is jean@example.com").json()
    own = {"X-Session-Token": body["session_token"]}
    url = f"/api/sessions/{body['session_id']}"
    assert client.delete(url, params={"site": "demo"}, headers=own).json() == {"deleted": True,
                                                                               "session_id": body["session_id"]}
    assert client.get(url, params={"site": "demo"}, headers=own).status_code == 404
    again = _chat(client, "Hello?", **_auth(body)).json()
    assert again["session_id"] != body["session_id"] and again["text"].startswith("Turn 1")


def test_feedback_is_one_vote_per_answer_with_its_comment(client):
    body = _chat(client).json()
    vote = {"site": "demo", **_auth(body), "exchange_id": body["exchange_id"]}
    assert client.post("/api/feedback", json={**vote, "rating": "up"}).json()["ok"]
    r = client.post("/api/feedback", json={**vote, "rating": "down", "comment": "Wrong; mail me at a@b.fr"})
    assert r.json()["stored_comment"] == "Wrong; mail me at [EMAIL_ADDRESS]"
    client.post("/api/feedback", json={**vote, "rating": "down"})  # a bare vote keeps the comment
    fb = client.get(f"/api/sessions/{body['session_id']}", params={"site": "demo"},
                    headers={"X-Session-Token": body["session_token"]}).json()["feedback"]
    assert [(f["exchange_id"], f["rating"], f["comment"]) for f in fb] == [
        (body["exchange_id"], "down", "Wrong; mail me at [EMAIL_ADDRESS]")]
    assert fb[0]["message_id"] is not None  # attached to the rated answer
    bad = client.post("/api/feedback", json={**vote, "session_token": "z" * 43, "rating": "up"})
    assert bad.status_code == 403


@pytest.mark.parametrize("extra, status", [(0, 200), (1, 400)])
def test_the_length_limit_applies_to_what_the_visitor_typed(client, extra, status):
    unit = "Mail a@b.c please. "  # redaction makes each address three times longer
    message = (unit * 200)[: 2000 + extra]
    r = _chat(client, message)
    assert r.status_code == status
    if status == 200:
        assert len(r.json()["guard"]["redacted_message"]) > 2000


class SlowEngine(FakeEngine):
    def ask(self, message, **kwargs):
        time.sleep(1.0)
        return super().ask(message, **kwargs)


def test_a_timeout_still_returns_the_session_and_it_can_be_continued(settings):
    from bot.store import shared_store
    from ui.server import create_app

    store = shared_store(settings)
    engine = SlowEngine(store)
    app = create_app(settings, engine=engine, guard=engine.guard, store=store,
                     sites=sites_for_tests(engine_timeout_s=0.3))
    with TestClient(app) as c:
        r = _chat(c)
        assert r.status_code == 504 and r.json()["error"]["code"] == "timeout"
        first = r.json()
        time.sleep(1.2)  # the timed-out answer finishes (and is saved) in the background; its slot is
        # held until then (one client: one engine job at a time)
        with c.stream("POST", "/api/chat/stream", json={"message": "Hello", "site": "demo", **_auth(first)}) as s:
            events = [line for line in s.iter_lines() if line.startswith("data:")]
        error = json.loads(events[-1][5:])
        assert error["code"] == "timeout" and error["session_id"] == first["session_id"]
        time.sleep(1.2)
        export = c.get(f"/api/sessions/{first['session_id']}", params={"site": "demo"},
                       headers={"X-Session-Token": first["session_token"]})
        assert export.status_code == 200 and len(export.json()["messages"]) == 4


def test_stream_meta_carries_the_session_token_and_exchange_id(client):
    with client.stream("POST", "/api/chat/stream", json={"message": "Who is the DPO?", "site": "demo"}) as s:
        lines = list(s.iter_lines())
    meta = json.loads(lines[lines.index("event: meta") + 1][5:])
    assert meta["session_id"] and meta["session_token"] and meta["exchange_id"]


def test_ids_and_tokens_never_reach_a_log_line(settings, caplog):
    caplog.set_level(logging.DEBUG)
    with TestClient(fake_app(settings, sites=sites_for_tests())) as c:
        body = _chat(c).json()
        _chat(c, "again", **_auth(body))
        c.get(f"/api/sessions/{body['session_id']}", params={"site": "demo"},
              headers={"X-Session-Token": body["session_token"]})
        c.delete(f"/api/sessions/{body['session_id']}", params={"site": "demo"},
                 headers={"X-Session-Token": body["session_token"]})
    server = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "ui", "uvicorn", "guards", "knowledge")]
    text = "\n".join(r.getMessage() + repr(r.__dict__) for r in server)  # (the test client logs its URLs)
    assert server and body["session_id"] not in text and body["session_token"] not in text


class DownStore:
    """A store whose database is gone (every call fails at once)."""

    degraded, reason, background = True, "unreachable", True

    def __getattr__(self, name):
        from bot.errors import StoreError

        def fail(*a, **k):
            raise StoreError("Conversation store unavailable (unreachable).")

        return fail

    def health(self):
        return False, "degraded: unreachable"


def test_with_the_store_down_the_visitor_still_gets_an_answer_marked_not_saved(settings):
    from ui.server import create_app

    engine = FakeEngine(None)
    app = create_app(settings, engine=engine, guard=engine.guard, store=DownStore(), sites=sites_for_tests(),
                     background_writes=False)
    with TestClient(app) as c:
        r = _chat(c, "Combien de temps gardez-vous mes données ?", lang="fr")
        assert r.status_code == 200 and "historique des conversations" in r.json()["text"]
        assert r.json()["session_id"] and r.json()["session_token"]
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["store"] is False
        assert c.get("/healthz").status_code == 200
    assert isinstance(Answer, type)

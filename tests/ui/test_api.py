"""HTTP API on the real engine (TestClient): answers, streaming, feedback, export/erasure,
config, health, metrics, and every error path as the JSON `{"error": {"code", "message"}}`."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.ui.conftest import make_sites
from ui.api_models import AnswerOut

QUESTIONS = [
    ("Who is the DPO?", "en", "general/dpo"),
    ("Qui est le délégué à la protection des données ?", "fr", "general/dpo"),
    ("How long do you keep CCTV footage?", "en", "cctv/VII-storage"),
    ("Combien de temps gardez-vous les images de vidéosurveillance ?", "fr", "cctv/VII-storage"),
]
PERSONAL = [
    ("I have diabetes, can you delete my data? My email is jean.dupont@gmail.com", "en",
     {"HEALTH", "EMAIL_ADDRESS"}, "jean.dupont@gmail.com"),
    ("J'ai du diabète et mon e-mail est jean.dupont@gmail.com, pouvez-vous supprimer mes données ?", "fr",
     {"HEALTH", "EMAIL_ADDRESS"}, "jean.dupont@gmail.com"),
]


def parse_sse(body: str) -> list[tuple[str, dict]]:
    events = []
    for block in body.strip().split("\n\n"):
        name = re.search(r"^event: (.+)$", block, re.M).group(1)
        data = json.loads(re.search(r"^data: (.+)$", block, re.M).group(1))
        events.append((name, data))
    return events


LOCAL = ("127.0.0.1", 50000)  # metrics are served to this machine without a token


def token(answer: dict) -> dict:
    """The header that proves a request comes from the session's owner."""
    return {"X-Session-Token": answer["session_token"]}


@pytest.mark.slow
@pytest.mark.parametrize("question, lang, section", QUESTIONS)
def test_chat_answers_in_the_visitors_language_with_the_cited_section(real_client, question, lang, section):
    client = real_client
    r = client.post("/api/chat", json={"message": question, "site": "ece"})
    assert r.status_code == 200
    body = AnswerOut.model_validate(r.json())  # the documented response model is the real one
    assert body.kind == "answer" and body.lang == lang
    assert section in [c.section_id for c in body.citations]
    assert all(c.quote.strip() for c in body.citations)
    assert body.disclosure and re.match(r"^[A-Za-z0-9_-]{8,64}$", body.session_id)


@pytest.mark.parametrize("message, lang, entities, raw", PERSONAL)
def test_personal_data_is_redacted_before_the_answer_and_the_store(client, message, lang, entities, raw):
    r = client.post("/api/chat", json={"message": message})
    assert r.status_code == 200
    guard = r.json()["guard"]
    assert entities <= {f["entity"] for f in guard["findings"]}
    assert raw not in guard["redacted_message"] and "[EMAIL_ADDRESS]" in guard["redacted_message"]
    assert guard["notice"]
    export = client.get(f"/api/sessions/{r.json()['session_id']}", headers=token(r.json())).json()
    assert raw not in json.dumps(export) and "diab" not in json.dumps(export).lower()
    assert any("[HEALTH]" in m["text"] for m in export["messages"] if m["role"] == "visitor")


@pytest.mark.parametrize("question, lang, section", QUESTIONS[:2])
def test_stream_sends_meta_tokens_sources_done_matching_the_plain_answer(client, question, lang, section):
    plain = client.post("/api/chat", json={"message": question}).json()
    r = client.post("/api/chat/stream", json={"message": question})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    names = [n for n, _ in events]
    assert names[0] == "meta" and names[-2:] == ["sources", "done"]
    assert set(names[1:-2]) == {"token"} and len(names) > 5  # word chunks
    meta = events[0][1]
    assert meta["disclosure"] and meta["session_id"] and meta["lang"] == lang
    assert "".join(d["text"] for n, d in events if n == "token") == plain["text"]
    assert [c["section_id"] for c in events[-2][1]["citations"]] == [c["section_id"] for c in plain["citations"]]


@pytest.mark.slow
def test_conversation_continues_in_the_same_session(real_client):
    client = real_client
    first = client.post("/api/chat", json={"message": "How long do you keep my data?"}).json()
    assert first["kind"] == "clarification" and first["quick_replies"]
    value = first["quick_replies"][0]["value"]
    second = client.post("/api/chat", json={"message": value, "audience": value, "session_id": first["session_id"],
                                            "session_token": first["session_token"]}).json()
    assert second["session_id"] == first["session_id"]
    assert second["kind"] == "answer" and second["citations"]


@pytest.mark.parametrize(
    "comment, lang, must_not_contain, expected",
    [
        (None, None, None, None),
        ("Useless, call me on 06 12 34 56 78", "en", "06 12 34 56 78", "[PHONE_NUMBER]"),
        ("Je suis enceinte et la réponse ne m'aide pas", "fr", "enceinte", "[HEALTH]"),
    ],
)
def test_feedback_comment_passes_the_guard_before_storage(client, comment, lang, must_not_contain, expected):
    chat = client.post("/api/chat", json={"message": "Who is the DPO?"}).json()
    sid = chat["session_id"]
    rating = "up" if comment is None else "down"
    r = client.post("/api/feedback", json={"session_id": sid, "session_token": chat["session_token"],
                                           "exchange_id": chat["exchange_id"], "rating": rating, "comment": comment,
                                           "lang": lang})
    assert r.status_code == 200 and r.json()["ok"] is True
    stored = client.get(f"/api/sessions/{sid}", headers=token(chat)).json()["feedback"]
    assert [f["rating"] for f in stored] == [rating]
    if comment is None:
        assert stored[0]["comment"] is None
    else:
        assert must_not_contain not in stored[0]["comment"] and expected in stored[0]["comment"]
        assert r.json()["stored_comment"] == stored[0]["comment"] and r.json()["notice"]


def test_export_then_delete_erases_the_conversation(client):
    chat = client.post("/api/chat", json={"message": "Who is the DPO?"}).json()
    sid, headers = chat["session_id"], token(chat)
    assert client.get(f"/api/sessions/{sid}").status_code == 403  # the id alone proves nothing
    export = client.get(f"/api/sessions/{sid}", headers=headers)
    assert export.status_code == 200
    assert [m["role"] for m in export.json()["messages"]] == ["visitor", "bot"]
    assert client.delete(f"/api/sessions/{sid}", headers=headers).json() == {"deleted": True, "session_id": sid}
    assert client.get(f"/api/sessions/{sid}", headers=headers).status_code == 404
    assert client.delete(f"/api/sessions/{sid}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    "query, lang, school, phrase",
    [
        ("site=ece&lang=fr", "fr", "ECE", "assistant IA"),
        ("site=ece&lang=en", "en", "ECE", "AI assistant"),
        ("site=esce", "en", "ESCE", "AI assistant"),  # the site's default language
        ("site=inseec", "fr", "INSEEC", "assistant IA"),
        ("", "fr", "démonstration", "assistant IA"),  # default site
    ],
)
def test_config_gives_strings_in_the_page_language_and_the_site_theme(client, query, lang, school, phrase):
    r = client.get(f"/api/config?{query}")
    assert r.status_code == 200
    body = r.json()
    assert body["lang"] == lang and school in body["school"]
    assert phrase in body["strings"]["disclosure"] and body["school"] in body["strings"]["disclosure"]
    assert body["strings"]["sensitive"] and body["strings"]["input_label"]
    assert re.match(r"^#[0-9A-F]{6}$", body["theme"]["primary"])
    assert body["max_message_chars"] == 2000


LONG = "x" * 2001
HUGE = json.dumps({"message": "y" * 17_000})
ERRORS = [
    # method, path, kwargs, status, code
    ("post", "/api/chat", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "bad_json"),
    ("post", "/api/chat", {"json": ["a", "list"]}, 422, "invalid_request"),
    ("post", "/api/chat", {"json": {}}, 422, "invalid_request"),
    ("post", "/api/chat", {"json": {"message": "hi", "admin": True}}, 422, "invalid_request"),
    ("post", "/api/chat", {"json": {"message": "hi", "lang": "de"}}, 422, "invalid_request"),
    ("post", "/api/chat", {"json": {"message": "hi", "session_id": "x"}}, 422, "invalid_request"),
    ("post", "/api/chat", {"json": {"message": "   "}}, 400, "bad_request"),
    ("post", "/api/chat", {"json": {"message": LONG}}, 400, "bad_request"),
    ("post", "/api/chat", {"content": HUGE, "headers": {"content-type": "application/json"}}, 413, "too_large"),
    ("post", "/api/chat/stream", {"content": HUGE, "headers": {"content-type": "application/json"}}, 413, "too_large"),
    ("post", "/api/chat/stream", {"json": {"message": LONG}}, 400, "bad_request"),
    ("post", "/api/chat", {"json": {"message": "hi", "site": "nosuchsite"}}, 404, "unknown_site"),
    ("post", "/api/chat", {"json": {"message": "hi"}, "headers": {"origin": "https://evil.example"}}, 403,
     "origin_not_allowed"),
    ("post", "/api/chat", {"json": {"message": "hi", "site": "inseec"}, "headers": {"origin": "https://www.ece.fr"}},
     403, "origin_not_allowed"),
    ("get", "/api/config?site=nosuchsite", {}, 404, "unknown_site"),
    ("get", "/api/config?lang=de", {}, 422, "invalid_request"),
    ("get", "/api/sessions/unknownsession123", {}, 404, "not_found"),
    ("delete", "/api/sessions/unknownsession123", {}, 404, "not_found"),
    ("get", "/api/sessions/bad!id", {}, 422, "invalid_request"),
    ("post", "/api/feedback", {"json": {"session_id": "unknownsession123", "rating": "up"}}, 404, "not_found"),
    ("post", "/api/feedback", {"json": {"session_id": "unknownsession123", "rating": "meh"}}, 422,
     "invalid_request"),
    ("post", "/api/feedback", {"json": {"session_id": "unknownsession123", "rating": "down",
                                        "comment": "z" * 1001}}, 422, "invalid_request"),
    ("get", "/api/nope", {}, 404, "not_found"),
    ("put", "/api/chat", {"json": {"message": "hi"}}, 405, "method_not_allowed"),
]


@pytest.mark.parametrize("method, path, kwargs, status, code", ERRORS,
                         ids=[f"{e[0]} {e[1][:30]} {e[4]}" for e in ERRORS])
def test_every_failure_is_a_clear_json_error(client, method, path, kwargs, status, code):
    r = getattr(client, method)(path, **kwargs) if method != "delete" else client.delete(path)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    message = body["error"]["message"]
    assert message and "Traceback" not in message and "File \"" not in message
    assert "jean" not in message and "yyyy" not in message and "xxxx" not in message  # no echo of input
    if status == 403:
        assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize(
    "origin, site, allowed",
    [
        ("https://www.ece.fr", "ece", True),
        ("https://ece.fr", "ece", True),
        ("https://www.ece.fr:443", "ece", True),
        ("http://www.ece.fr", "ece", False),  # scheme matters
        ("https://www.ece.fr.evil.example", "ece", False),
        ("https://www.inseec.com", "inseec", True),
        ("null", "ece", False),
    ],
)
def test_cors_allowlist_is_exact(client, origin, site, allowed):
    pre = client.options("/api/chat", headers={"origin": origin, "access-control-request-method": "POST",
                                                "access-control-request-headers": "content-type"})
    r = client.get(f"/api/config?site={site}", headers={"origin": origin})
    if allowed:
        assert pre.status_code == 204 and "POST" in pre.headers["access-control-allow-methods"]
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == origin != "*"
    else:
        assert pre.status_code == 403 and r.status_code == 403
        assert "access-control-allow-origin" not in r.headers


def test_same_origin_pages_need_no_listing(client):
    r = client.get("/api/config", headers={"origin": "http://testserver"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize(
    "scope, limits, send",
    [
        ("session", {"per_session": {"per_minute": 1, "burst": 2}}, "same_session"),
        ("ip", {"per_ip": {"per_minute": 1, "burst": 3}}, "new_sessions"),
    ],
)
def test_rate_limits_answer_429_with_retry_after(make_app, scope, limits, send):
    with TestClient(make_app(make_sites(**limits)), client=LOCAL) as c:
        first = c.post("/api/chat", json={"message": "Who is the DPO?"}).json()
        statuses = []
        for _ in range(4):
            payload = {"message": "Who is the DPO?"}
            if send == "same_session":
                payload.update(session_id=first["session_id"], session_token=first["session_token"])
            r = c.post("/api/chat", json=payload)
            statuses.append(r.status_code)
        assert statuses[-1] == 429 and statuses.count(429) >= 1
        assert r.json()["error"]["code"] == "rate_limited"
        assert int(r.headers["retry-after"]) >= 1
        assert f'privacybot_rate_limited_total{{scope="{scope}"}}' in c.get("/metrics").text


class SlowEngine:
    """The real engine behind a fixed delay (answers are now faster than any timeout worth testing)."""

    def __init__(self, engine, delay_s: float):
        self._engine, self._delay_s = engine, delay_s

    def ask(self, *args, **kwargs):
        import time

        time.sleep(self._delay_s)
        return self._engine.ask(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._engine, name)


def test_engine_timeout_is_504_and_an_sse_error_event(ui_engine, ui_settings):
    from ui.server import create_app

    app = create_app(ui_settings, engine=SlowEngine(ui_engine, 0.3), sites=make_sites(engine_timeout_s=0.05))
    with TestClient(app) as c:
        r = c.post("/api/chat", json={"message": "How long do you keep CCTV footage?"})
        assert r.status_code == 504 and r.json()["error"]["code"] == "timeout"
        s = c.post("/api/chat/stream", json={"message": "How long do you keep CCTV footage?"})
        assert s.status_code == 200
        (name, event), = parse_sse(s.text)
        assert name == "error" and event["code"] == "timeout" and event["status"] == 504
        assert event["session_id"] and event["session_token"]  # a timed-out request still returns its session


class _BrokenEngine:
    """An engine whose code has a bug: the API must still answer with a clean JSON 500."""

    def ask(self, message, **kwargs):
        raise RuntimeError(f"bug while handling {message}")


@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/stream"])
def test_an_unexpected_bug_is_a_generic_500_without_details(ui_settings, ui_engine, path):
    from ui.server import create_app

    app = create_app(ui_settings, engine=_BrokenEngine(), guard=ui_engine.guard, store=ui_engine.store,
                     sites=make_sites())
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post(path, json={"message": "secret-marker-123"})
    assert "secret-marker-123" not in r.text and "RuntimeError" not in r.text and "Traceback" not in r.text
    if path == "/api/chat":
        assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    else:
        assert parse_sse(r.text)[0][0] == "error" and parse_sse(r.text)[0][1]["code"] == "internal_error"


def test_health_ready_and_metrics_never_carry_text(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"index": True, "models": True, "store": True}
    r = client.post("/api/chat", json={"message": "I have diabetes, my email is marie.curie@example.org"})
    sid = r.json()["session_id"]
    text = client.get("/metrics").text
    assert 'privacybot_guard_findings_total{category="special",entity="HEALTH",source="message"}' in text
    assert 'privacybot_guard_findings_total{category="personal",entity="EMAIL_ADDRESS",source="message"}' in text
    assert 'privacybot_http_requests_total{method="POST",route="/api/chat",status="200"}' in text
    assert "privacybot_http_request_duration_seconds_bucket" in text
    assert "marie" not in text and "diabetes" not in text and sid not in text


def test_not_ready_without_an_index_says_how_to_fix(tmp_path):
    from bot.settings import load_settings
    from ui.server import create_app

    settings = load_settings({"PRIVACYBOT_HOME": str(tmp_path / "empty")})
    with TestClient(create_app(settings, sites=make_sites())) as c:
        r = c.post("/api/chat", json={"message": "Who is the DPO?"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "index_missing"
        assert "privacybot ingest" in r.json()["error"]["message"]
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["ready"] is False
        assert ready.json()["checks"]["index"] is False


@pytest.mark.parametrize("path, ctype, marker", [
    ("/widget.js", "text/javascript", "customElements.define"),
    ("/widget.css", "text/css", ":host"),
    ("/demo", "text/html", 'data-site="demo"'),
])
def test_widget_files_and_demo_page_are_served(client, path, ctype, marker):
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype) and marker in r.text


@pytest.mark.parametrize("message", ["Who is the DPO?", "Qui est le DPO ?"])
def test_message_after_erasure_starts_a_new_conversation(client, message):
    chat = client.post("/api/chat", json={"message": message}).json()
    sid = chat["session_id"]
    assert client.delete(f"/api/sessions/{sid}", headers=token(chat)).status_code == 200
    r = client.post("/api/chat", json={"message": message, "session_id": sid, "session_token": chat["session_token"]})
    assert r.status_code == 200
    new = r.json()["session_id"]
    assert new != sid and r.json()["kind"] == "answer" and "logging" not in r.json()["text"]
    assert client.get(f"/api/sessions/{sid}", headers=token(chat)).status_code == 404
    exported = client.get(f"/api/sessions/{new}", headers=token(r.json())).json()
    assert [m["role"] for m in exported["messages"]] == ["visitor", "bot"]


def test_shutdown_commits_every_answered_exchange(make_app, ui_engine):
    import time

    with TestClient(make_app()) as c:
        deadline = time.monotonic() + 10
        while c.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ui_engine.store.background  # once ready, the app's writes are off the request path
        sids = [c.post("/api/chat", json={"message": q}).json()["session_id"]
                for q in ("How long do you keep CCTV footage?", "Combien de temps gardez-vous mes données ?")]
    assert not ui_engine.store.background  # stopped with the app, after a flush
    raw = ui_engine.store.store  # the ConversationStore itself: no implicit flush
    assert all(len(raw.export_session(s)["messages"]) == 2 for s in sids)

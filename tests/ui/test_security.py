"""Web security of the server (issue 17), over HTTP with the model-free stack: headers on every
response, the console same-origin only with strict cookies and login back-off, /metrics behind
a token, X-Forwarded-For only from trusted proxies, 422 without echo, /docs offline, slow
clients timed out."""

from __future__ import annotations

import socket
import time

import pytest
from fastapi.testclient import TestClient

from tests.ui.conftest import STAFF_PASSWORD, LiveServer, fake_sites, free_port
from ui.policy_page import POLICY_CSP


@pytest.fixture(scope="module")
def app(fake_stack):
    from ui.server import create_app

    settings, store, engine = fake_stack
    return create_app(settings, engine=engine, store=store, guard=engine.guard, sites=fake_sites("https://www.school.test"),
                      console=True, background_writes=False)


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://bot.test") as c:
        yield c


@pytest.mark.parametrize("path, csp_has, frame", [
    ("/console/", "frame-ancestors 'none'", "DENY"),
    ("/docs", "frame-ancestors 'none'", "DENY"),
    ("/policy/demo_school", "frame-ancestors 'none'", "DENY"),
    ("/api/config?site=demo", "default-src 'none'", "DENY"),
    ("/healthz", "default-src 'none'", "DENY"),
    ("/demo", "script-src 'self'", "SAMEORIGIN"),
])
def test_every_page_carries_security_headers(client, path, csp_has, frame):
    r = client.get(path)
    assert r.status_code in (200, 401), r.text[:200]
    assert csp_has in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == frame
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "unsafe-inline" not in r.headers["content-security-policy"].split("script-src")[-1].split(";")[0] \
        or path in ("/console/", "/docs")


def test_the_widget_files_are_loadable_by_school_pages(client):
    r = client.get("/widget.js")
    assert r.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "frame-ancestors" not in r.headers.get("content-security-policy", "")


def test_the_policy_page_style_is_allowed_by_its_hash_only(client):
    r = client.get("/policy/demo_school")
    assert r.headers["content-security-policy"] == POLICY_CSP and "unsafe-inline" not in POLICY_CSP


def login(client, user="staff", password=STAFF_PASSWORD, **headers):
    return client.post("/console/login", data={"username": user, "password": password}, headers=headers)


def test_console_login_cookie_is_samesite_strict(client):
    r = login(client)
    assert r.status_code == 200
    cookies = r.headers.get_list("set-cookie")
    assert cookies and all("SameSite=Strict" in c for c in cookies)
    assert not any("SameSite=None" in c or "samesite=none" in c.lower() for c in cookies)


def test_behind_https_only_the_secure_cookie_is_set(app):
    with TestClient(app, base_url="https://bot.test") as c:
        cookies = login(c).headers.get_list("set-cookie")
    assert cookies and all("Secure" in c and "SameSite=Strict" in c for c in cookies)
    assert not any(c.startswith("access-token-unsecure") for c in cookies)


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.test"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"},
    {"Referer": "https://evil.test/page"},
])
def test_the_console_refuses_cross_site_state_changes_without_cors(client, headers):
    login(client)
    r = client.post("/console/gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": "x"},
                    headers=headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "cross_origin"
    assert not any(k.lower().startswith("access-control-") for k in r.headers)


def test_the_console_answers_its_own_origin_and_strips_cors_headers(client):
    login(client)
    r = client.get("/console/config", headers={"Origin": "http://bot.test"})
    assert r.status_code == 200
    assert not any(k.lower().startswith("access-control-") for k in r.headers)


def test_a_link_to_the_console_from_elsewhere_still_opens_its_login_page(client):
    r = client.get("/console/", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate",
                                         "Sec-Fetch-Dest": "document"})
    assert r.status_code == 200


def test_login_backoff_is_per_client_and_per_account(app):
    with TestClient(app, base_url="http://bot.test", client=("203.0.113.7", 5000)) as attacker:
        codes = [attacker.post("/console/login", data={"username": "dpo-guess", "password": f"wrong{i}"}).status_code
                 for i in range(7)]
    assert codes[:5] == [400] * 5 and codes[-1] == 429
    with TestClient(app, base_url="http://bot.test", client=("198.51.100.9", 5000)) as staff:
        r = staff.post("/console/login", data={"username": "staff", "password": STAFF_PASSWORD})
        assert r.status_code == 200  # a stranger's guessing does not lock staff out
        r = staff.post("/console/login", data={"username": "dpo-guess", "password": STAFF_PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1  # the guessed account is locked


@pytest.mark.parametrize("peer, forwarded, status", [
    ("10.0.0.5", "127.0.0.1", 200),      # a trusted proxy says the client is local
    ("10.0.0.6", "127.0.0.1", 403),      # anyone else's X-Forwarded-For is ignored
    ("127.0.0.1", "203.0.113.1", 200),   # a local peer stays local whatever it forwards
])
def test_x_forwarded_for_counts_only_from_trusted_proxies(fake_stack, peer, forwarded, status):
    import yaml

    from ui.server import create_app
    from ui.sites import DEFAULT_SITES_FILE, SitesConfig

    settings, store, engine = fake_stack
    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data["server"]["trusted_proxies"] = ["10.0.0.5"]
    data["sites"]["demo"]["kb"] = "demo_school"
    app = create_app(settings, engine=engine, store=store, guard=engine.guard, sites=SitesConfig(**data),
                     background_writes=False)
    with TestClient(app, base_url="http://bot.test", client=(peer, 4000)) as c:
        assert c.get("/metrics", headers={"X-Forwarded-For": forwarded}).status_code == status


def test_metrics_need_the_token_when_one_is_set(fake_stack, monkeypatch):
    from ui.server import create_app

    monkeypatch.setenv("PRIVACYBOT_METRICS_TOKEN", "scrape-token-123456")
    settings, store, engine = fake_stack
    app = create_app(settings, engine=engine, store=store, guard=engine.guard, sites=fake_sites(),
                     background_writes=False)
    with TestClient(app, base_url="http://bot.test", client=("127.0.0.1", 4000)) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        r = c.get("/metrics", headers={"Authorization": "Bearer scrape-token-123456"})
        assert r.status_code == 200 and "privacybot_http_requests" in r.text


def test_metrics_are_off_in_production_without_a_token(fake_stack):
    from ui.server import create_app

    settings, store, engine = fake_stack
    prod = settings.model_copy(update={"mode": "production"})
    app = create_app(prod, engine=engine, store=store, guard=engine.guard, sites=fake_sites(), background_writes=False)
    with TestClient(app, base_url="http://bot.test", client=("127.0.0.1", 4000)) as c:
        r = c.get("/metrics")
    assert r.status_code == 403 and "PRIVACYBOT_METRICS_TOKEN" in r.text


@pytest.mark.parametrize("body", [
    {"message": "hello", "zz_private_field_name": 1},
    {"message": "hello", "site": "demo", "mon-adresse@exemple.fr": "x"},
])
def test_a_422_never_echoes_the_request(client, body):
    r = client.post("/api/chat", json=body)
    assert r.status_code == 422
    for key in body:
        if key not in ("message", "site"):
            assert key not in r.text
    assert "/docs" in r.json()["error"]["message"]


def test_api_docs_work_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    for asset, ctype in (("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "css")):
        r = client.get(f"/docs/assets/{asset}")
        assert r.status_code == 200 and ctype in r.headers["content-type"] and len(r.content) > 10_000
    assert client.get("/docs/assets/../../etc/passwd").status_code == 404


@pytest.fixture(scope="module")
def slow_server(fake_stack):
    """uvicorn as `privacybot serve` runs it, with 1 s header and body deadlines."""
    import uvicorn
    import yaml

    from ui.http_timeouts import timed_h11
    from ui.server import create_app
    from ui.sites import DEFAULT_SITES_FILE, SitesConfig

    settings, store, engine = fake_stack
    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data["server"]["timeouts"] = {"header_s": 1, "body_s": 1, "keep_alive_s": 5}
    app = create_app(settings, engine=engine, store=store, guard=engine.guard, sites=SitesConfig(**data),
                     background_writes=False)
    server = LiveServer(app, free_port())
    server.server.config = uvicorn.Config(app, host="127.0.0.1", port=server.port, log_config=None,
                                          access_log=False, http=timed_h11(1.0))
    server.server = uvicorn.Server(server.server.config)
    import threading

    server.thread = threading.Thread(target=server.server.run, daemon=True)
    yield server.start()
    server.stop()


def _closed_after(sock: socket.socket, limit: float) -> tuple[float, bytes]:
    sock.settimeout(limit)
    start, data = time.monotonic(), b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except TimeoutError:
        pass
    return time.monotonic() - start, data


def test_a_client_that_sends_headers_too_slowly_is_disconnected(slow_server):
    with socket.create_connection(("127.0.0.1", slow_server.port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # ...and never finishes its headers
        elapsed, data = _closed_after(sock, 5)
    assert elapsed < 3 and data == b""


def test_a_body_that_arrives_too_slowly_gets_408(slow_server):
    with socket.create_connection(("127.0.0.1", slow_server.port)) as sock:
        sock.sendall(b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 200\r\n\r\n{\"message\": ")
        elapsed, data = _closed_after(sock, 5)
    assert elapsed < 4 and data.startswith(b"HTTP/1.1 408")

"""UI fixtures.

- Real stack: the app on the real engine (shared `engine` fixture: index + guard loaded once per
  run), with its own conversation store, and a real uvicorn server (`live_server`).
- Model-free stack (`fake_server`): the same app and a real SQLite conversation store, with the
  policy-backed fake engine of tests/ui/fakes.py, for the widget and security browser tests.
- `pages_server`: school pages on other origins (listed / not listed), optionally under a strict
  Content-Security-Policy, and a foreign page that tries to read the staff console."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest
import yaml

from bot.settings import load_settings
from ui.sites import DEFAULT_SITES_FILE, SitesConfig


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_sites(**limits) -> SitesConfig:
    """The shipped sites file, with `limits` overridden (e.g. per_session={...})."""
    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data.setdefault("limits", {}).update(limits)
    return SitesConfig(**data)


@pytest.fixture(scope="session")
def ui_settings(fake_kb, tmp_path_factory):
    """Settings reading the session's fake-embedded index and writing conversations to a private DB."""
    db = tmp_path_factory.mktemp("ui-store") / "conversations.sqlite3"
    return load_settings({"PRIVACYBOT_HOME": str(fake_kb[0].home), "PRIVACYBOT_DATABASE_URL": f"sqlite:///{db}"})


@pytest.fixture(scope="session")
def ui_engine(fake_kb, guard, ui_settings):
    """The engine on the fake-embedded index (no embedding model loaded) with the REAL guard and a
    conversation store, so that redaction, export, feedback and erasure act for real."""
    from bot.engine import Engine
    from bot.store import open_safe_store

    return Engine(ui_settings, retriever=fake_kb[1], guard=guard, store=open_safe_store(ui_settings))


@pytest.fixture
def make_app(ui_engine, ui_settings):
    from ui.server import create_app

    def build(sites: SitesConfig | None = None, **kwargs):
        return create_app(ui_settings, engine=ui_engine, sites=sites or make_sites(), **kwargs)

    return build


@pytest.fixture
def real_client(engine, ui_settings):
    """The API on the REAL engine (models and the real index; tests using it are marked `slow`)."""
    from fastapi.testclient import TestClient

    from bot.engine import Engine
    from bot.store import open_safe_store
    from ui.server import create_app

    real = Engine(ui_settings, retriever=engine.retriever, guard=engine.guard, store=open_safe_store(ui_settings))
    with TestClient(create_app(ui_settings, engine=real, sites=make_sites()), client=("127.0.0.1", 50001)) as c:
        yield c


@pytest.fixture
def client(make_app):
    from fastapi.testclient import TestClient

    with TestClient(make_app(), client=("127.0.0.1", 50000)) as c:  # a local client may read /metrics
        yield c


class LiveServer:
    def __init__(self, app, port: int):
        import uvicorn

        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                lifespan="on", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="ui-test-server", daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


STAFF_PASSWORD = "test-staff-password-8d1f"


def host_page(api: str, lang: str, title: str, site: str = "demo") -> str:
    """A minimal school page on another origin, embedding the widget with one tag."""
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"></head><body><main><h1>{title}</h1><p>School page.</p></main>
<script src="{api}/widget.js" data-site="{site}" defer></script></body></html>"""


def school_csp(api: str) -> str:
    """A strict school-page policy that allows the assistant's server only (no inline code)."""
    return (f"default-src 'self'; script-src 'self' {api}; style-src 'self' {api}; connect-src 'self' {api}; "
            "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'")


def attacker_page(api: str) -> str:
    """A foreign page visited by a logged-in staff member: it tries to read the console's
    conversation list with the staff cookie, and to frame the console."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Prize</title></head><body>
<h1>You won</h1><iframe id="frame" src="{api}/console/" width="600" height="400"></iframe>
<script>
window.results = {{}};
async function probe(name, url, init) {{
  try {{
    const r = await fetch(url, Object.assign({{credentials: "include", mode: "cors"}}, init || {{}}));
    window.results[name] = "status " + r.status + ": " + (await r.text()).slice(0, 200);
  }} catch (e) {{ window.results[name] = "blocked"; }}
}}
Promise.all([
  probe("config", "{api}/console/config"),
  probe("call", "{api}/console/gradio_api/call/list_sessions", {{method: "POST",
        headers: {{"Content-Type": "application/json"}}, body: JSON.stringify({{data: ["", "", "", "any"]}})}}),
]).then(() => {{ window.done = true; }});
</script></body></html>"""


class PagesServer:
    """Serves school pages from a second port: http://localhost:<port> is listed for the demo
    site, http://127.0.0.1:<port> (same server, other origin) is not."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.port = free_port()
        self.api = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                lang = "en" if "/en" in self.path else "fr"
                if self.path.startswith("/attack"):
                    body = attacker_page(outer.api).encode()
                else:
                    site = "other" if "/other" in self.path else "demo"
                    body = host_page(outer.api, lang, "School" if lang == "en" else "École", site).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if self.path.startswith("/csp"):
                    self.send_header("Content-Security-Policy", school_csp(outer.api))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def allowed(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def refused(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def pages_server():
    server = PagesServer()
    yield server
    server.httpd.shutdown()


@pytest.fixture(scope="module")
def live_server(ui_engine, ui_settings, pages_server):
    """uvicorn on a free loopback port. Sites: the shipped file with the demo site allowing
    the pages server's localhost origin, and limits high enough for a test run."""
    from ui.server import create_app

    port = free_port()
    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data["sites"]["demo"]["origins"] = [pages_server.allowed]
    data["limits"].update(per_ip={"per_minute": 600, "burst": 200}, per_session={"per_minute": 600, "burst": 100})
    app = create_app(ui_settings, engine=ui_engine, sites=SitesConfig(**data))
    server = LiveServer(app, port).start()
    pages_server.api = server.url
    yield server
    server.stop()


@contextlib.contextmanager
def checked_page(browser, **context_args):
    """A page in a fresh context (desktop, French by default) that fails the test on any
    JavaScript error."""
    options = {"viewport": {"width": 1280, "height": 860}, "locale": "fr-FR", **context_args}
    context = browser.new_context(**options)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    yield pg
    assert pg.errors == [], f"JavaScript errors: {pg.errors}"
    context.close()


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup-system.sh (apt-get install chromium).")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


# ---------------------------------------------------------------------------- model-free stack


def fake_sites(*origins: str, other_kb: str | None = None) -> SitesConfig:
    """The shipped sites file; the demo site allows `origins` (plus the usual localhost:8000) and
    reads the demo_school policy; with `other_kb`, a second school `other` reads that policy."""
    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data["sites"]["demo"]["origins"] = list(origins) + ["http://localhost:8000"]
    data["sites"]["demo"]["kb"] = "demo_school"
    if other_kb:
        data["sites"]["other"] = {"school": "Example School of Design", "origins": list(origins) or ["https://other.test"],
                                  "default_lang": "en", "kb": other_kb}
    data["limits"].update(per_ip={"per_minute": 600, "burst": 300}, per_session={"per_minute": 600, "burst": 200})
    return SitesConfig(**data)


@pytest.fixture(scope="module")
def fake_stack(tmp_path_factory):
    """Settings (own home, strong console password), a real SQLite store and the fake engine."""
    from bot.store import open_store
    from tests.ui.fakes import FakeEngine

    home = tmp_path_factory.mktemp("fake-home")
    settings = load_settings({"PRIVACYBOT_HOME": str(home)}, kb="demo_school", console_password=STAFF_PASSWORD)
    store = open_store(settings)
    engine = FakeEngine(store=store)
    yield settings, store, engine
    store.close()


@pytest.fixture(scope="module")
def fake_server(fake_stack, pages_server):
    """uvicorn on a free port: the app with the fake engine, the console mounted."""
    from ui.server import create_app

    settings, store, engine = fake_stack
    app = create_app(settings, engine=engine, store=store, guard=engine.guard, sites=fake_sites(pages_server.allowed),
                     console=True, background_writes=False)
    server = LiveServer(app, free_port()).start()
    server.engine, server.store, server.app = engine, store, app
    pages_server.api = server.url
    yield server
    server.stop()

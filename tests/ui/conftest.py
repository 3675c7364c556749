"""UI fixtures: the real app on the real engine (shared `engine` fixture: index + guard loaded
once per run), with its own conversation store, and a real uvicorn server for the browser."""

from __future__ import annotations

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
def ui_settings(kb_home, tmp_path_factory):
    """Settings reading the shared index (kb_home) and writing conversations to a private DB."""
    db = tmp_path_factory.mktemp("ui-store") / "conversations.sqlite3"
    return load_settings({"PRIVACYBOT_HOME": str(kb_home), "PRIVACYBOT_DATABASE_URL": f"sqlite:///{db}"})


@pytest.fixture(scope="session")
def ui_engine(engine, ui_settings):
    """The shared engine's retriever and guard, with a conversation store so that export,
    feedback and erasure have something real to act on."""
    from bot.engine import Engine
    from bot.store import open_safe_store

    return Engine(ui_settings, retriever=engine.retriever, guard=engine.guard, store=open_safe_store(ui_settings))


@pytest.fixture
def make_app(ui_engine, ui_settings):
    from ui.server import create_app

    def build(sites: SitesConfig | None = None, **kwargs):
        return create_app(ui_settings, engine=ui_engine, sites=sites or make_sites(), **kwargs)

    return build


@pytest.fixture
def client(make_app):
    from fastapi.testclient import TestClient

    with TestClient(make_app()) as c:
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


def host_page(api: str, lang: str, title: str) -> str:
    """A minimal school page on another origin, embedding the widget with one tag."""
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="data:,"></head><body><main><h1>{title}</h1><p>School page.</p></main>
<script src="{api}/widget.js" data-site="demo" defer></script></body></html>"""


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
                lang = "en" if self.path.startswith("/en") else "fr"
                body = host_page(outer.api, lang, "School" if lang == "en" else "École").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
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

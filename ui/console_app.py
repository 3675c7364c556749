"""`privacybot console`: the staff console alone, as a small ASGI app with the same protections
as under `privacybot serve` (security gate, trusted proxies, slow-client timeouts). The console
lives at /console; / redirects there.

    serve_console(settings, host=..., port=..., engine=..., block=True)
    handle = serve_console(..., block=False); handle.url; handle.close()   # tests
"""

from __future__ import annotations

import sys
import threading
import time

from bot.settings import Settings
from ui.console import MOUNT_PATH, mount_console
from ui.console_auth import console_auth
from ui.security import SecurityGate
from ui.sites import load_sites


def console_app(settings: Settings, engine, store=None, guard=None):
    from fastapi import FastAPI
    from fastapi.responses import RedirectResponse

    if store is None:
        store = getattr(engine, "store", None)  # same database: flags land on the engine's sessions
    if store is None:
        from bot.store import open_store

        store = open_store(settings)
    sites = load_sites(settings.sites_file)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(MOUNT_PATH + "/")

    mount_console(app, settings, engine, store, guard=guard)
    app.add_middleware(SecurityGate, mode=settings.mode)
    if sites.server.trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(sites.server.trusted_proxies))
    return app, sites


class ConsoleHandle:
    def __init__(self, server, thread, url: str):
        self.server, self.thread, self.url = server, thread, url

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def serve_console(settings: Settings, *, host: str, port: int, engine, store=None, guard=None,
                  block: bool = True, quiet: bool = False):
    import uvicorn

    from ui.http_timeouts import uvicorn_options

    _, generated = console_auth(settings)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}{MOUNT_PATH}/"
    app, sites = console_app(settings, engine, store, guard)
    options = {**uvicorn_options(settings, sites), "host": host, "port": port}
    if not generated and not quiet:
        sys.stderr.write(f"Staff console on {url} (password: PRIVACYBOT_CONSOLE_PASSWORD). Ctrl-C to stop.\n")
    if block:
        uvicorn.run(app, **options)
        return None
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, name="privacybot-console", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the console did not start")
        time.sleep(0.05)
    return ConsoleHandle(server, thread, url)

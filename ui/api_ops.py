"""Operations and static files: /healthz, /readyz, /metrics, /widget.js, /widget.css, /demo."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ui.api_models import HealthOut, ReadyOut

router = APIRouter(tags=["operations"])
UI_DIR = Path(__file__).parent
WIDGET_DIR = UI_DIR / "widget"
DEMO_PAGE = UI_DIR / "demo" / "demo.html"
_STATIC_CACHE = {"Cache-Control": "public, max-age=300"}
READY_TIMEOUT_S = 2.0


@router.get("/healthz", response_model=HealthOut, summary="Liveness")
async def healthz() -> dict:
    """The process is up and serving HTTP."""
    return {"status": "ok"}


def _index_present(settings) -> bool:
    kb_dir = settings.kb_dir()
    return kb_dir.is_dir() and any(kb_dir.iterdir())


def _store_health(store) -> tuple[bool, str]:
    health = getattr(store, "health", None)
    if not callable(health):
        return True, "ok"
    result = health()
    if isinstance(result, tuple):  # (ok, detail)
        return bool(result[0]), str(result[1])
    return bool(result), "ok"


@router.get("/readyz", response_model=ReadyOut, responses={503: {"model": ReadyOut}}, summary="Readiness")
async def readyz(request: Request):
    """200 when the index is on disk, the models are loaded and the store can be read and
    written now; 503 otherwise (e.g. while writes fail: disk full, database stalled). The store
    check runs on the database pool with a timeout: a stalled database never blocks this probe,
    nor anything else."""
    ctx = request.app.state.ctx
    checks = {"index": _index_present(ctx.settings), "models": ctx.loaded, "store": False}
    detail: dict[str, str] = {}
    if ctx.load_error is not None:
        detail["load_error"] = ctx.load_error.code
    if ctx.loaded:
        store = ctx.store
        try:
            ok, why = await ctx.db(lambda: _store_health(store), timeout=READY_TIMEOUT_S, probe=True)
            checks["store"] = ok
            if not ok:
                detail["store"] = getattr(store, "reason", None) or "unavailable"
        except Exception as exc:  # report, never raise: readiness must answer
            detail["store"] = getattr(exc, "reason", None) or getattr(exc, "code", type(exc).__name__)
    ready = all(checks.values())
    ctx.metrics.ready.set(1 if ready else 0)
    return JSONResponse({"ready": ready, "checks": checks, "detail": detail}, status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
async def metrics(request: Request) -> Response:
    """Requests, latencies, answers by kind, guard findings by category and entity (never text)."""
    m = request.app.state.ctx.metrics
    return Response(m.render(), media_type=m.content_type)


@router.get("/widget.js", include_in_schema=False)
async def widget_js() -> FileResponse:
    return FileResponse(WIDGET_DIR / "widget.js", media_type="text/javascript; charset=utf-8", headers=_STATIC_CACHE)


@router.get("/widget.css", include_in_schema=False)
async def widget_css() -> FileResponse:
    return FileResponse(WIDGET_DIR / "widget.css", media_type="text/css; charset=utf-8", headers=_STATIC_CACHE)


@router.get("/demo", include_in_schema=False)
async def demo() -> FileResponse:
    return FileResponse(DEMO_PAGE, media_type="text/html; charset=utf-8")


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/demo")

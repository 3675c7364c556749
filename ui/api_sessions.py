"""GET/DELETE /api/sessions/{id}: a visitor's export and erasure of their own conversation (GDPR
access and erasure). Both need the session's secret token (header `X-Session-Token`) and the
site the session was opened for (`?site=`, default the default site): another visitor, or another
school's page, gets 403/404. Erasure is immediate and everywhere: the session's key is shredded
(every stored copy of its text becomes unreadable), its rows, conversation state and staff
exports are deleted, and every engine of this process forgets it (other processes read the
state from the shared store, so they see the erasure at once)."""

from __future__ import annotations

from fastapi import APIRouter, Header, Path, Query, Request

from ui.api_chat import authorize, enforce_rate_limits, resolve_site
from ui.api_models import ERROR_RESPONSES, SESSION_ID, SITE_NAME, DeletedOut, SessionExport

router = APIRouter(prefix="/api", tags=["sessions"])

_SID = Path(pattern=SESSION_ID, description="The session id the widget keeps in sessionStorage.")
_SITE = Query(None, pattern=SITE_NAME, description="The site the conversation belongs to (data-site).")
_TOKEN = Header(None, alias="X-Session-Token", description="The session's secret token (from the first answer).")


@router.get("/sessions/{session_id}", response_model=SessionExport, responses=ERROR_RESPONSES,
            summary="Export a conversation")
async def export_session(request: Request, session_id: str = _SID, site: str | None = _SITE,
                         token: str | None = _TOKEN) -> dict:
    """Everything stored for this conversation (redacted messages, feedback, timestamps)."""
    ctx = request.app.state.ctx
    site_key, _ = resolve_site(request, site)
    await enforce_rate_limits(request, None)
    await authorize(request, session_id, token, site_key)
    store = ctx.store
    return await ctx.db(lambda: store.export_session(session_id))


@router.delete("/sessions/{session_id}", response_model=DeletedOut, responses=ERROR_RESPONSES,
               summary="Erase a conversation")
async def delete_session(request: Request, session_id: str = _SID, site: str | None = _SITE,
                         token: str | None = _TOKEN) -> dict:
    """Erase the conversation everywhere (store, key, exports, the engines' memory)."""
    ctx = request.app.state.ctx
    site_key, _ = resolve_site(request, site)
    await enforce_rate_limits(request, None)
    await authorize(request, session_id, token, site_key)
    store = ctx.store
    ctx.forget_session(session_id)
    await ctx.db(lambda: store.delete_session(session_id), timeout=10.0)
    ctx.forget_session(session_id)  # a turn that was answering meanwhile may have remembered it
    return {"deleted": True, "session_id": session_id}

"""GET /api/config (widget strings, language, theme) and GET/DELETE /api/sessions/{id}
(a visitor's export and erasure: GDPR access and erasure for their own conversation)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Path, Query, Request

from bot.catalogue import LANGS, catalogue
from ui.api_chat import enforce_rate_limits, resolve_site
from ui.api_models import ERROR_RESPONSES, SESSION_ID, SITE_NAME, ConfigOut, DeletedOut, SessionExport

router = APIRouter(prefix="/api", tags=["sessions"])
_PREFIX = "ui_"


def widget_strings(lang: str, school: str) -> dict[str, str]:
    """Every `ui_*` catalogue string in `lang`, `{school}` filled in, other placeholders kept."""
    out = {}
    for key, entry in catalogue().items():
        if key.startswith(_PREFIX):
            out[key[len(_PREFIX):]] = entry[lang].replace("{school}", school)
    return out


@router.get("/config", response_model=ConfigOut, responses=ERROR_RESPONSES, summary="Widget configuration")
async def config(
    request: Request,
    site: str | None = Query(None, pattern=SITE_NAME, description="Site name (data-site)."),
    lang: Literal["en", "fr"] | None = Query(None, description="Page language; the site's default otherwise."),
) -> dict:
    """Strings in the visitor's language, the site's colours and the message limit."""
    ctx = request.app.state.ctx
    key, entry = resolve_site(request, site)
    chosen = lang or entry.default_lang
    return {
        "site": key,
        "school": entry.school,
        "lang": chosen,
        "languages": list(LANGS),
        "theme": entry.colours.model_dump(),
        "strings": widget_strings(chosen, entry.school),
        "max_message_chars": ctx.settings.max_message_chars,
    }


_SID = Path(pattern=SESSION_ID, description="The session id the widget keeps in sessionStorage.")


@router.get("/sessions/{session_id}", response_model=SessionExport, responses=ERROR_RESPONSES,
            summary="Export a conversation")
async def export_session(request: Request, session_id: str = _SID) -> dict:
    """Everything stored for this conversation (redacted messages, feedback, timestamps)."""
    ctx = request.app.state.ctx
    enforce_rate_limits(request, None)
    return await ctx.call(lambda: ctx.store.export_session(session_id))


def forget_in_memory(engine, session_id: str) -> bool:
    """Drop the engine's short-term memory of the session (its last redacted question)."""
    for owner, name in ((engine, "forget_session"), (getattr(engine, "sessions", None), "forget")):
        method = getattr(owner, name, None)
        if callable(method):
            method(session_id)
            return True
    return False


@router.delete("/sessions/{session_id}", response_model=DeletedOut, responses=ERROR_RESPONSES,
               summary="Erase a conversation")
async def delete_session(request: Request, session_id: str = _SID) -> dict:
    """Erase the conversation from the store and from the engine's memory."""
    ctx = request.app.state.ctx
    enforce_rate_limits(request, None)

    def erase():
        forget_in_memory(ctx.engine, session_id)
        ctx.store.delete_session(session_id)

    await ctx.call(erase)
    return {"deleted": True, "session_id": session_id}

"""GET /api/config: what the widget needs to draw itself for one site — strings in the
visitor's language, colours, limits, the site's knowledge base and where its policy is read
(the school's own `policy_url`, else this server's /policy/<kb> page), and the translated names
it builds citation labels from."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request

from bot.catalogue import LANGS
from ui.api_chat import resolve_site
from ui.api_models import ERROR_RESPONSES, SITE_NAME, ConfigOut
from ui.i18n import citation_labels, widget_strings

router = APIRouter(prefix="/api", tags=["widget"])


def widget_config(ctx, key: str, site, lang: str | None) -> dict:
    chosen = lang or site.default_lang
    kb = site.kb_name(ctx.settings.kb)
    return {
        "site": key,
        "school": site.school,
        "lang": chosen,
        "languages": list(LANGS),
        "theme": site.colours.model_dump(),
        "strings": widget_strings(chosen, site.school),
        "max_message_chars": ctx.settings.max_message_chars,
        "kb": kb,
        "policy_url": site.policy_url,
        "labels": citation_labels(chosen),
    }


@router.get("/config", response_model=ConfigOut, responses=ERROR_RESPONSES, summary="Widget configuration")
async def config(
    request: Request,
    site: str | None = Query(None, pattern=SITE_NAME, description="Site name (data-site)."),
    lang: Literal["en", "fr"] | None = Query(None, description="Interface language (the visitor's choice or "
                                                               "browser language); the site's default otherwise."),
) -> dict:
    """Strings in the visitor's language, the site's colours, policy link and message limit."""
    key, entry = resolve_site(request, site)
    return widget_config(request.app.state.ctx, key, entry, lang)

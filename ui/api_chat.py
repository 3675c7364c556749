"""POST /api/chat, /api/chat/stream (Server-Sent Events) and /api/feedback.

Sessions: a request without `session_id` gets a new session (id + secret token, bound to the
site) created BEFORE the engine runs, so that even a 504 returns them. A request continuing a
session sends `session_id` + `session_token`; a wrong or missing token, or another site's
session, is refused (403); an id the store does not know (expired, erased) starts a new session.
If the store cannot be reached, the visitor still gets an answer, marked as not saved, and
nothing is read from or written to the conversation. Ids and tokens are never logged.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from bot.errors import InputError, PrivacybotError, StoreError
from bot.notice import notice_for
from bot.store.sanitize import db_text
from ui.api_errors import ApiError
from ui.api_models import ERROR_RESPONSES, AnswerOut, ChatRequest, FeedbackOut, FeedbackRequest
from ui.ratelimit import RateLimiter, SharedRateLimiter
from ui.sites import Site

router = APIRouter(prefix="/api", tags=["chat"])
_WORD = re.compile(r"\S+\s*")
RATE_DB_TIMEOUT_S = 0.5
FORBIDDEN = ("This conversation belongs to another visitor or another site, or its token is wrong; "
             "start a new conversation (reload the page).")


def resolve_site(request: Request, name: str | None) -> tuple[str, Site]:
    """The named (or default) site; 404 if unknown, 403 if the browser origin is not its own."""
    ctx = request.app.state.ctx
    key = name or ctx.sites.default_site
    site = ctx.sites.sites.get(key)
    if site is None:
        raise ApiError(404, "unknown_site", "This site is not configured; check data-site on the widget tag.")
    origin = request.headers.get("origin")
    if origin and not _same_origin(request) and not ctx.sites.origin_allowed(origin, key):
        raise ApiError(403, "origin_not_allowed", "This web site is not allowed to use the assistant for that site.")
    return key, site


def _same_origin(request: Request) -> bool:
    from ui.api_middleware import is_same_origin

    return is_same_origin(request.headers.get("origin", ""), request.headers.get("host"))


_warned_proxy = False


def client_of(request: Request) -> str:
    """The visitor's address: per-address rate limits, engine slots and CPU budget are keyed on
    it. Behind a proxy that is not listed in `server.trusted_proxies`, every visitor has the
    proxy's address (one client for all): say so once in the log."""
    global _warned_proxy
    if not _warned_proxy and "x-forwarded-for" in request.headers and \
            not request.app.state.ctx.sites.server.trusted_proxies:
        _warned_proxy = True
        from bot.logsafe import log_event

        log_event(logging.getLogger("ui.server"), "ui.untrusted_proxy", level=logging.WARNING,
                  fix="list your reverse proxy in the sites file: server.trusted_proxies")
    return request.client.host if request.client else "unknown"


async def _hit(ctx, limiter, key: str) -> float:
    if isinstance(limiter, SharedRateLimiter):
        if getattr(ctx.store, "degraded", False):
            return limiter.fallback.hit(key)
        try:
            return await ctx.db(lambda: limiter.hit(key), timeout=RATE_DB_TIMEOUT_S)
        except StoreError:
            return limiter.fallback.hit(key)
    return limiter.hit(key)


async def enforce_rate_limits(request: Request, session_id: str | None) -> None:
    ctx = request.app.state.ctx
    await ctx.ensure_loaded()
    checks = [("ip", ctx.ip_limiter, client_of(request))]
    if session_id:
        checks.append(("session", ctx.session_limiter, session_id))
    for scope, limiter, key in checks:
        wait = await _hit(ctx, limiter, key)
        if wait > 0:
            ctx.metrics.rate_limited.labels(scope=scope).inc()
            retry = RateLimiter.retry_after_header(wait)
            raise ApiError(
                429, "rate_limited", f"Too many messages; wait {retry} s and try again.", {"Retry-After": retry}
            )


def check_length(request: Request, message: str) -> None:
    """The limit applies to what the visitor typed (redaction may lengthen it; that is ours)."""
    limit = request.app.state.ctx.settings.max_message_chars
    if not message.strip():
        raise InputError("The message is empty; type a question.")
    if len(message) > limit:
        raise InputError(f"The message is {len(message)} characters long; the limit is {limit}. Shorten it.")


@dataclass
class Grant:
    session_id: str
    token: str | None
    saved: bool  # False: the store is unreachable; this answer is not saved
    engine_session: str  # the id the engine works under (a throwaway one when not saved)

    def fields(self) -> dict:
        return {"session_id": self.session_id, "session_token": self.token}


async def access(ctx, session_id: str | None, token: str | None, site_key: str) -> str:
    """"ok" / "unknown" / "forbidden" (raises StoreError when the store cannot say)."""
    store = ctx.store
    return await ctx.db(lambda: store.check_access(session_id, token, site_key))


async def grant_session(ctx, session_id: str | None, token: str | None, site_key: str, lang: str) -> Grant:
    """The session this chat request works in (see the module doc)."""
    store = ctx.store
    if session_id:
        try:
            status = await access(ctx, session_id, token, site_key)
        except StoreError:  # cannot check the token: answer without the conversation, save nothing
            return Grant(session_id, token, False, secrets.token_urlsafe(16))
        if status == "forbidden":
            raise ApiError(403, "forbidden", FORBIDDEN)
        if status == "ok":
            return Grant(session_id, token, True, session_id)
    try:
        new_id, new_token = await ctx.db(lambda: store.open_session(site_key, lang))
    except StoreError:
        new_id = secrets.token_urlsafe(16)
        return Grant(new_id, secrets.token_urlsafe(32), False, new_id)
    return Grant(new_id, new_token, True, new_id)


def _error(exc: PrivacybotError | ApiError, grant: Grant | None) -> JSONResponse:
    status = exc.status if isinstance(exc, ApiError) else exc.http_status
    body: dict = {"error": {"code": exc.code, "message": exc.message}}
    if grant is not None:
        body.update(grant.fields())
    return JSONResponse(body, status_code=status, headers=getattr(exc, "headers", None) or None)


async def _answer(request: Request, body: ChatRequest, grant: Grant, site_key: str, site: Site) -> dict:
    ctx = request.app.state.ctx
    kb = getattr(site, "kb", None) or ctx.settings.kb
    audience = body.audience or site.audience

    def ask():  # on the engine pool: a school's engine loads there the first time, not on the event loop
        return ctx.engine_for(kb).ask(body.message, session_id=grant.engine_session, lang=body.lang,
                                      site=site_key, audience=audience, record=grant.saved)

    with ctx.metrics.engine_latency.time():
        answer = await ctx.ask(client_of(request), ask)
    out = answer.to_dict()
    if not grant.saved:
        from bot.catalogue import t

        out["text"] = f"{out['text']}\n\n{t('logging_degraded', out['lang'])}"
    out.update(grant.fields())
    ctx.metrics.answers.labels(kind=out["kind"], lang=out["lang"]).inc()
    ctx.metrics.observe_findings(out["guard"]["findings"], "message")
    return out


def clean(text: str | None) -> str | None:
    """Visitor text as every layer accepts it: NUL dropped, an unpaired surrogate (which JSON
    escapes can carry but UTF-8 cannot) replaced by U+FFFD. Done first, so the guard, the engine,
    the store and the response all see the same text."""
    return None if text is None else db_text(text)


async def _prepare(request: Request, body: ChatRequest) -> tuple[str, Site, Grant, ChatRequest]:
    ctx = request.app.state.ctx
    body = body.model_copy(update={"message": clean(body.message)})
    site_key, site = resolve_site(request, body.site)
    await enforce_rate_limits(request, body.session_id)
    check_length(request, body.message)
    grant = await grant_session(ctx, body.session_id, body.session_token, site_key, body.lang or site.default_lang)
    return site_key, site, grant, body


@router.post("/chat", response_model=AnswerOut, responses=ERROR_RESPONSES, summary="Ask one question")
async def chat(body: ChatRequest, request: Request):
    """Answer one visitor message. The message goes through the guard first; only its redacted
    form is stored. Omit `session_id` to start a conversation (the answer carries the new id and
    its `session_token`); send both back to continue it. Errors after the session exists (e.g. a
    504) still carry `session_id` and `session_token`."""
    site_key, site, grant, body = await _prepare(request, body)
    try:
        return await _answer(request, body, grant, site_key, site)
    except (PrivacybotError, ApiError) as exc:
        request.app.state.ctx.metrics.errors.labels(code=exc.code).inc()
        return _error(exc, grant)


def sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


@router.post(
    "/chat/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events: `meta` (session_id, session_token, exchange_id, disclosure, kind, "
            "lang, guard, quick_replies), `token` ({text}, word chunks of the answer), `sources` ({citations}), "
            "`done` ({session_id, timings_ms}); on failure a single `error` ({code, message, status, "
            "session_id, session_token}).",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **ERROR_RESPONSES,
    },
    summary="Ask one question, streamed",
)
async def chat_stream(body: ChatRequest, request: Request) -> StreamingResponse:
    """Same as /api/chat, streamed as Server-Sent Events (POST: use fetch and read the body)."""
    # Refusals before the session exists (site, origin, rate limit, length) stay plain HTTP errors.
    site_key, site, grant, body = await _prepare(request, body)
    ctx = request.app.state.ctx

    async def events() -> AsyncIterator[bytes]:
        try:
            out = await _answer(request, body, grant, site_key, site)
        except (PrivacybotError, ApiError) as exc:
            ctx.metrics.errors.labels(code=exc.code).inc()
            status = exc.status if isinstance(exc, ApiError) else exc.http_status
            yield sse("error", {"code": exc.code, "message": exc.message, "status": status, **grant.fields()})
            return
        except Exception:
            ctx.metrics.errors.labels(code="internal_error").inc()
            yield sse("error", {"code": "internal_error", "status": 500, **grant.fields(),
                                "message": "Something went wrong on our side; please try again later."})
            return
        yield sse("meta", {k: out.get(k) for k in ("session_id", "session_token", "exchange_id", "disclosure",
                                                    "kind", "lang", "guard", "quick_replies")})
        for word in _WORD.findall(out["text"]):
            yield sse("token", {"text": word})
        yield sse("sources", {"citations": out["citations"]})
        yield sse("done", {"session_id": out["session_id"], "timings_ms": out["timings_ms"]})

    return StreamingResponse(
        events(), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def authorize(request: Request, session_id: str, token: str | None, site_key: str) -> None:
    """404 for an unknown session, 403 for a wrong token or another site's session, 503 when
    the store cannot say."""
    status = await access(request.app.state.ctx, session_id, token, site_key)
    if status == "unknown":
        raise ApiError(404, "not_found", "Unknown conversation: it has expired or was erased.")
    if status == "forbidden":
        raise ApiError(403, "forbidden", FORBIDDEN)


@router.post("/feedback", response_model=FeedbackOut, responses=ERROR_RESPONSES, summary="Rate an answer")
async def feedback(body: FeedbackRequest, request: Request) -> dict:
    """Thumbs up/down on one answer (`exchange_id`), with an optional comment: one vote per
    (session, answer), a later vote replaces it, a comment attaches to it. Needs the session's
    token. The comment goes through the guard before storage; the stored form is returned."""
    ctx = request.app.state.ctx
    body = body.model_copy(update={"comment": clean(body.comment)})
    site_key, _site = resolve_site(request, body.site)
    await enforce_rate_limits(request, body.session_id)
    await authorize(request, body.session_id, body.session_token, site_key)
    redacted, notice = None, ""
    if body.comment and body.comment.strip():
        inspection = await ctx.ask(client_of(request), lambda: ctx.guard.inspect(body.comment, lang=body.lang))
        redacted, notice = inspection.redacted, notice_for(inspection, body.lang or inspection.lang) or ""
        ctx.metrics.observe_findings(inspection.findings, "feedback")
    store = ctx.store
    saved = await ctx.db(lambda: store.add_feedback(body.session_id, body.rating, redacted,
                                                    body.message_id, exchange_id=body.exchange_id or "session"))
    if saved is None:
        raise StoreError("The conversation store is unavailable; your vote was not saved. Try again in a minute.")
    ctx.metrics.feedback.labels(rating=body.rating).inc()
    return {"ok": True, "stored_comment": redacted.text if redacted is not None else None, "notice": notice}

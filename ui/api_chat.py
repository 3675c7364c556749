"""POST /api/chat, /api/chat/stream (Server-Sent Events) and /api/feedback."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from bot.errors import InputError, PrivacybotError
from bot.notice import notice_for
from ui.api_errors import ApiError
from ui.api_models import ERROR_RESPONSES, AnswerOut, ChatRequest, FeedbackOut, FeedbackRequest
from ui.sites import Site

router = APIRouter(prefix="/api", tags=["chat"])
_WORD = re.compile(r"\S+\s*")


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


def enforce_rate_limits(request: Request, session_id: str | None) -> None:
    ctx = request.app.state.ctx
    checks = [("ip", ctx.ip_limiter, request.client.host if request.client else "unknown")]
    if session_id:
        checks.append(("session", ctx.session_limiter, session_id))
    for scope, limiter, key in checks:
        wait = limiter.hit(key)
        if wait > 0:
            ctx.metrics.rate_limited.labels(scope=scope).inc()
            retry = limiter.retry_after_header(wait)
            raise ApiError(
                429, "rate_limited", f"Too many messages; wait {retry} s and try again.", {"Retry-After": retry}
            )


def _check_length(request: Request, message: str) -> None:
    limit = request.app.state.ctx.settings.max_message_chars
    if not message.strip():
        raise InputError("The message is empty; type a question.")
    if len(message) > limit:
        raise InputError(f"The message is {len(message)} characters long; the limit is {limit}. Shorten it.")


async def _answer(request: Request, body: ChatRequest):
    ctx = request.app.state.ctx
    site_key, site = resolve_site(request, body.site)
    enforce_rate_limits(request, body.session_id)
    _check_length(request, body.message)
    audience = body.audience or site.audience

    def ask():
        return ctx.engine.ask(body.message, session_id=body.session_id, lang=body.lang, site=site_key,
                              audience=audience)

    with ctx.metrics.engine_latency.time():
        answer = await ctx.call(ask)
    out = answer.to_dict()
    ctx.metrics.answers.labels(kind=out["kind"], lang=out["lang"]).inc()
    ctx.metrics.observe_findings(out["guard"]["findings"], "message")
    return out


@router.post("/chat", response_model=AnswerOut, responses=ERROR_RESPONSES, summary="Ask one question")
async def chat(body: ChatRequest, request: Request) -> dict:
    """Answer one visitor message. The message goes through the guard first; only its redacted
    form is stored. Omit `session_id` to start a conversation (the answer carries the new id)."""
    return await _answer(request, body)


def sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


@router.post(
    "/chat/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events: `meta` (session_id, disclosure, kind, lang, guard, quick_replies), "
            "`token` ({text}, word chunks of the answer), `sources` ({citations}), `done` ({session_id, "
            "timings_ms}); on failure a single `error` ({code, message, status}).",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **ERROR_RESPONSES,
    },
    summary="Ask one question, streamed",
)
async def chat_stream(body: ChatRequest, request: Request) -> StreamingResponse:
    """Same as /api/chat, streamed as Server-Sent Events (POST: use fetch and read the body)."""
    # Refusals that need no engine (site, origin, rate limit, length) stay plain HTTP errors.
    resolve_site(request, body.site)
    enforce_rate_limits(request, body.session_id)
    _check_length(request, body.message)
    ctx = request.app.state.ctx

    async def events() -> AsyncIterator[bytes]:
        try:
            site_key = body.site or ctx.sites.default_site
            site = ctx.sites.sites[site_key]

            def ask():
                return ctx.engine.ask(body.message, session_id=body.session_id, lang=body.lang, site=site_key,
                                      audience=body.audience or site.audience)

            with ctx.metrics.engine_latency.time():
                answer = await ctx.call(ask)
            out = answer.to_dict()
        except PrivacybotError as exc:
            ctx.metrics.errors.labels(code=exc.code).inc()
            yield sse("error", {"code": exc.code, "message": exc.message, "status": exc.http_status})
            return
        except Exception:
            ctx.metrics.errors.labels(code="internal_error").inc()
            yield sse("error", {"code": "internal_error", "status": 500,
                                "message": "Something went wrong on our side; please try again later."})
            return
        ctx.metrics.answers.labels(kind=out["kind"], lang=out["lang"]).inc()
        ctx.metrics.observe_findings(out["guard"]["findings"], "message")
        yield sse("meta", {k: out[k] for k in ("session_id", "disclosure", "kind", "lang", "guard", "quick_replies")})
        for word in _WORD.findall(out["text"]):
            yield sse("token", {"text": word})
        yield sse("sources", {"citations": out["citations"]})
        yield sse("done", {"session_id": out["session_id"], "timings_ms": out["timings_ms"]})

    return StreamingResponse(
        events(), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/feedback", response_model=FeedbackOut, responses=ERROR_RESPONSES, summary="Rate an answer")
async def feedback(body: FeedbackRequest, request: Request) -> dict:
    """Thumbs up/down on a conversation, with an optional comment. The comment goes through the
    guard before storage; the stored (redacted) form is returned."""
    ctx = request.app.state.ctx
    if body.site is not None:
        resolve_site(request, body.site)
    enforce_rate_limits(request, body.session_id)
    redacted, notice = None, ""
    if body.comment and body.comment.strip():
        inspection = await ctx.call(lambda: ctx.guard.inspect(body.comment, lang=body.lang))
        redacted, notice = inspection.redacted, notice_for(inspection, body.lang or inspection.lang) or ""
        ctx.metrics.observe_findings(inspection.findings, "feedback")
    await ctx.call(lambda: ctx.store.add_feedback(body.session_id, body.rating, comment=redacted,
                                                  message_id=body.message_id))
    ctx.metrics.feedback.labels(rating=body.rating).inc()
    return {"ok": True, "stored_comment": redacted.text if redacted is not None else None, "notice": notice}

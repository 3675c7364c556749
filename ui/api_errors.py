"""Every failure becomes `{"error": {"code", "message"}}` with the right status; no stack traces,
no echo of the request body (pydantic's `input` is never included)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.errors import PrivacybotError
from bot.logsafe import log_event

log = logging.getLogger("ui.server")

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type", 429: "rate_limited",
}


class ApiError(Exception):
    """An HTTP-level refusal raised by the routes (origin, rate limit, unknown site...)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _count(request: Request, code: str) -> None:
    ctx = getattr(request.app.state, "ctx", None)
    if ctx is not None:
        ctx.metrics.errors.labels(code=code).inc()


def _describe_validation(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "bad_json", "The request body is not valid JSON; send a JSON object."
    first = errors[0] if errors else {}
    if first.get("type") == "extra_forbidden":  # the unknown name is the visitor's input: never echoed
        return 422, "invalid_request", "The request has a field this endpoint does not accept; see /docs for its fields."
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    field = ".".join(loc) or "body"
    msg = first.get("msg", "invalid value")
    if first.get("type") in ("model_attributes_type", "dict_type"):
        return 422, "invalid_request", "The request body must be a JSON object (Content-Type: application/json)."
    return 422, "invalid_request", f"Field '{field}': {msg}."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        _count(request, exc.code)
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(PrivacybotError)
    async def _core_error(request: Request, exc: PrivacybotError):
        _count(request, exc.code)
        if exc.http_status >= 500:
            log_event(log, "api.error", level=logging.WARNING, code=exc.code, status=exc.http_status)
        return error_response(exc.http_status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        status, code, message = _describe_validation(exc)
        _count(request, code)
        return error_response(status, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = {
            404: "No such endpoint; see /docs for the API.",
            405: "Method not allowed on this endpoint; see /docs.",
        }.get(exc.status_code, str(exc.detail))
        _count(request, code)
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

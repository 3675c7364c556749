"""One pure-ASGI gate in front of every route:

- origin: API calls from a browser origin not listed in the sites file get 403 JSON and no CORS
  headers; listed origins get `Access-Control-Allow-Origin: <that origin>` (never `*`), and
  preflights are answered here. Same-origin calls (the /demo page) need no listing.
- size and time: API request bodies over `limits.max_body_bytes` (other paths, e.g. the console:
  CONSOLE_MAX_BODY) get 413 before any route reads them; a body that has not fully arrived
  within `server.timeouts.body_s` gets 408 (slow clients cannot hold a worker).
- safety net: an unexpected exception becomes a 500 JSON error, never a traceback.
- metrics and the access log: method, route template and status only (no query string,
  no client address, no body).
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlsplit

import anyio
from starlette.datastructures import Headers

from bot.logsafe import log_event

log = logging.getLogger("ui.access")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CONSOLE_MAX_BODY = 1024 * 1024  # the console's guard tab takes pastes up to 50 kB
_PREFLIGHT_HEADERS = [
    (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
    (b"access-control-allow-headers", b"content-type, x-session-token"),
    (b"access-control-max-age", b"600"),
]


def is_same_origin(origin: str, host: str | None) -> bool:
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


def _json_body(status: int, code: str, message: str) -> tuple[list, bytes]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return headers, body


class Gatekeeper:
    def __init__(self, app, ctx):
        self.app = app
        self.ctx = ctx

    async def _send_error(self, send, status: int, code: str, message: str, extra=()) -> None:
        headers, body = _json_body(status, code, message)
        await send({"type": "http.response.start", "status": status, "headers": headers + list(extra)})
        await send({"type": "http.response.body", "body": body})
        self.ctx.metrics.errors.labels(code=code).inc()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        method, path = scope["method"], scope["path"]
        state = {"status": 500, "started": False}
        try:
            await self._handle(scope, receive, send, state)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or ("/api/<unmatched>" if path.startswith("/api/") else "<other>")
            if template.startswith("/console") or path.startswith("/console"):
                template = "/console"
            elapsed = time.perf_counter() - start
            m = self.ctx.metrics
            m.requests.labels(route=template, method=method, status=str(state["status"])).inc()
            m.latency.labels(route=template, method=method).observe(elapsed)
            log_event(log, "http", method=method, path=template.replace("{", ":").replace("}", ""),
                      status=state["status"],
                      ms=round(elapsed * 1000, 1))

    async def _handle(self, scope, receive, send, state) -> None:
        method, path = scope["method"], scope["path"]
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        cors_origin: str | None = None

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                if cors_origin and message["status"] != 403:  # a refused origin never gets CORS headers
                    extra = [
                        (b"access-control-allow-origin", cors_origin.encode("latin-1")),
                        (b"access-control-expose-headers", b"retry-after"),
                        (b"vary", b"Origin"),
                    ]
                    message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        if path.startswith("/api/") and origin and not is_same_origin(origin, headers.get("host")):
            if not self.ctx.sites.origin_allowed(origin):
                state["status"] = 403
                await self._send_error(
                    send, 403, "origin_not_allowed",
                    "This web site is not allowed to use the assistant; add its origin to the sites file.",
                )
                return
            cors_origin = origin
            if method == "OPTIONS" and "access-control-request-method" in headers:
                state["status"] = 204
                await send_wrapper({"type": "http.response.start", "status": 204, "headers": _PREFLIGHT_HEADERS})
                await send({"type": "http.response.body", "body": b""})
                return

        if method in _BODY_METHODS:
            limit = self.ctx.limits.max_body_bytes if path.startswith("/api/") else CONSOLE_MAX_BODY
            too_large = False
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                too_large = True
            chunks: list[bytes] = []
            size = 0
            with anyio.move_on_after(self.ctx.sites.server.timeouts.body_s) as scope_timer:
                while not too_large:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        too_large = True
                        break
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
            if scope_timer.cancelled_caught:
                await self._send_error(send_wrapper, 408, "request_timeout",
                                       "The request body arrived too slowly; send it again.")
                return
            if too_large:
                await self._send_error(
                    send_wrapper, 413, "too_large",
                    f"The request body is larger than {limit} bytes; send a shorter message.",
                )
                return
            body = b"".join(chunks)
            replayed = False

            async def receive_replay():
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            downstream_receive = receive_replay
        else:
            downstream_receive = receive

        try:
            await self.app(scope, downstream_receive, send_wrapper)
        except Exception as exc:  # safety net: JSON 500, a text-free log line, no traceback
            log_event(logging.getLogger("ui.server"), "api.unexpected_error", level=logging.ERROR, exc=exc)
            if not state["started"]:
                await self._send_error(send_wrapper, 500, "internal_error",
                                       "Something went wrong on our side; please try again later.")

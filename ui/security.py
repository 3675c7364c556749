"""Web security in one pure-ASGI gate (outermost after the proxy-header resolution):

- Security headers on every response: nosniff, Referrer-Policy, and a Content-Security-Policy
  chosen by path (`policy_for`). Pages nothing may embed (/console, /docs, /policy, the API)
  get `frame-ancestors 'none'` + X-Frame-Options DENY; the widget files are loadable from any
  page (the school origins that may USE the API are enforced by `ui.api_middleware`).
- Staff console (/console): same-origin only. A request carrying a foreign Origin (or, without
  Origin, a foreign Referer / Sec-Fetch-Site: cross-site) gets 403 and no CORS headers, which
  is the CSRF protection for its state-changing calls (browsers always send Origin on POST);
  any Access-Control-* header Gradio adds is removed. The login cookies are rewritten to
  SameSite=Strict (+ Secure, and only the secure one, behind HTTPS). Failed logins are
  throttled per client address and per account (`ui.console_auth.LoginThrottle`).
- /metrics needs `Authorization: Bearer $PRIVACYBOT_METRICS_TOKEN`; without a token it is
  served to loopback clients only, and never in production mode.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers

from ui.console_auth import LoginThrottle

CONSOLE = "/console"
METRICS_TOKEN_ENV = "PRIVACYBOT_METRICS_TOKEN"
_BASE = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_NO_FRAME = [(b"x-frame-options", b"DENY")]

CSP_NONE = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
CSP_CONSOLE = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; "
               "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; frame-ancestors 'none'; "
               "base-uri 'self'; form-action 'self'")
CSP_DOCS = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
CSP_DEMO = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'")
CSP_DEFAULT = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"


def policy_for(path: str, policy_page_csp: str | None = None) -> tuple[str | None, list[tuple[bytes, bytes]]]:
    """(Content-Security-Policy or None, extra headers) for a request path."""
    if path == CONSOLE or path.startswith(CONSOLE + "/"):
        return CSP_CONSOLE, _NO_FRAME
    if path in ("/docs", "/redoc", "/docs/oauth2-redirect") or path.startswith("/docs/"):
        return CSP_DOCS, _NO_FRAME
    if path.startswith("/policy/"):
        return policy_page_csp or CSP_NONE, _NO_FRAME
    if path in ("/widget.js", "/widget.css"):  # subresources of the school pages
        return None, [(b"cross-origin-resource-policy", b"cross-origin")]
    if path == "/demo":
        return CSP_DEMO, [(b"x-frame-options", b"SAMEORIGIN")]
    if path.startswith("/api/") or path in ("/metrics", "/healthz", "/readyz", "/openapi.json"):
        return CSP_NONE, _NO_FRAME
    return CSP_DEFAULT, _NO_FRAME


def same_origin(url: str | None, host: str | None) -> bool:
    if not url or not host:
        return False
    try:
        return urlsplit(url).netloc.lower() == host.lower()
    except ValueError:
        return False


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _json(status: int, code: str, message: str, extra: list | None = None) -> tuple[dict, dict]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return ({"type": "http.response.start", "status": status, "headers": headers + (extra or [])},
            {"type": "http.response.body", "body": body})


def _rewrite_cookie(value: bytes, https: bool) -> bytes | None:
    """Gradio's login cookies -> SameSite=Strict (+ Secure on HTTPS). None drops the header."""
    text = value.decode("latin-1")
    name = text.split("=", 1)[0].strip().lower()
    if not name.startswith("access-token"):
        return value
    if https and name.startswith("access-token-unsecure"):
        return None  # behind HTTPS only the Secure cookie exists
    parts = [p for p in (s.strip() for s in text.split(";"))
             if p and not p.lower().startswith(("samesite", "secure"))]
    parts.append("SameSite=Strict")
    if https or not name.startswith("access-token-unsecure"):
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


class SecurityGate:
    def __init__(self, app, *, mode: str = "local", metrics_token: str | None = None,
                 throttle: LoginThrottle | None = None, policy_page_csp: str | None = None):
        self.app = app
        self.mode = mode
        self.metrics_token = metrics_token if metrics_token is not None else (os.environ.get(METRICS_TOKEN_ENV) or None)
        self.throttle = throttle or LoginThrottle()
        self.policy_page_csp = policy_page_csp

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        headers = Headers(scope=scope)
        https = scope.get("scheme") == "https"
        console = path == CONSOLE or path.startswith(CONSOLE + "/")
        csp, extra = policy_for(path, self.policy_page_csp)
        added = list(_BASE) + list(extra)
        if csp:
            added.append((b"content-security-policy", csp.encode()))
        if https:
            added.append((b"strict-transport-security", b"max-age=31536000"))

        async def send_secure(message):
            if message["type"] == "http.response.start":
                kept = []
                for name, value in message.get("headers", []):
                    lname = name.lower()
                    if lname in (b"x-frame-options", b"content-security-policy", b"x-content-type-options",
                                 b"referrer-policy"):
                        continue  # ours win
                    if console and lname.startswith(b"access-control-"):
                        continue  # the console never answers cross-origin
                    if console and lname == b"set-cookie":
                        value = _rewrite_cookie(value, https)
                        if value is None:
                            continue
                    kept.append((name, value))
                message = {**message, "headers": kept + added}
            await send(message)

        if console:
            refusal = self._cross_site(scope, headers)
            if refusal:
                start, body = _json(403, "cross_origin", refusal, added)
                await send(start)
                await send(body)
                return
            if scope["method"] == "POST" and path.rstrip("/") == CONSOLE + "/login":
                await self._login(scope, receive, send_secure)
                return
        elif path == "/metrics":
            refusal = self._metrics_refusal(scope, headers)
            if refusal:
                status, code, message, hdrs = refusal
                start, body = _json(status, code, message, added + hdrs)
                await send(start)
                await send(body)
                return
        await self.app(scope, receive, send_secure)

    # ------------------------------------------------------------------ console
    @staticmethod
    def _cross_site(scope, headers: Headers) -> str | None:
        host = headers.get("host")
        origin = headers.get("origin")
        fetch_site = headers.get("sec-fetch-site")
        message = ("The staff console only answers its own pages; open it directly at its address "
                   "(cross-site requests are refused).")
        if origin is not None:
            return None if same_origin(origin, host) else message
        navigation = (scope["method"] == "GET" and headers.get("sec-fetch-mode") == "navigate"
                      and headers.get("sec-fetch-dest") == "document")  # a link to the console: login page
        if fetch_site is not None and fetch_site not in ("same-origin", "none") and not navigation:
            return message
        referer = headers.get("referer")
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and referer and not same_origin(referer, host):
            return message
        return None

    async def _login(self, scope, receive, send) -> None:
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
            if sum(len(c) for c in chunks) > 8192:
                break
        body = b"".join(chunks)
        try:
            account = (parse_qs(body.decode("utf-8", "replace")).get("username") or [""])[0]
        except ValueError:
            account = ""
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.throttle.retry_after(client, account)
        if wait > 0:
            retry = str(max(1, int(wait + 0.999)))
            start, out = _json(429, "too_many_logins",
                               f"Too many failed logins; wait {retry} s before trying again.",
                               [(b"retry-after", retry.encode())])
            await send(start)
            await send(out)
            return
        status = {"code": 500}

        async def replay():
            nonlocal body
            if body is not None:
                data, body = body, None
                return {"type": "http.request", "body": data, "more_body": False}
            return await receive()

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, replay, watch)
        if status["code"] == 200:
            self.throttle.succeeded(client, account)
        elif 400 <= status["code"] < 500:
            self.throttle.failed(client, account)

    # ------------------------------------------------------------------ metrics
    def _metrics_refusal(self, scope, headers: Headers):
        if self.metrics_token:
            auth = headers.get("authorization") or ""
            given = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
            if given and secrets.compare_digest(given.encode(), self.metrics_token.encode()):
                return None
            return (401, "unauthorized", f"Metrics need 'Authorization: Bearer <token>' ({METRICS_TOKEN_ENV}).",
                    [(b"www-authenticate", b'Bearer realm="metrics"')])
        if self.mode == "production":
            return (403, "forbidden", f"Metrics are off in production until {METRICS_TOKEN_ENV} is set.", [])
        client = (scope.get("client") or (None, 0))[0]
        if is_loopback(client):
            return None
        return (403, "forbidden", f"Metrics are served to this machine only; set {METRICS_TOKEN_ENV} to scrape remotely.", [])

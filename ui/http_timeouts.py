"""Slow-client protection for `privacybot serve`: a uvicorn HTTP protocol (h11) that closes a
connection whose request line and headers have not fully arrived within `header_timeout_s`
(a "slowloris" client holds a connection open by sending headers a byte at a time). Request
bodies have their own deadline in the app (`ui.api_middleware`: 408 after `body_s`).

    uvicorn.run(app, http=timed_h11(10.0), timeout_keep_alive=5)
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol


class TimedH11Protocol(H11Protocol):
    header_timeout_s: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def handle_events(self) -> None:
        cycle_before = self.cycle
        super().handle_events()
        if self.cycle is not None and self.cycle is not cycle_before:  # a request's headers are complete
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():  # the next request on this connection gets the same deadline
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # still waiting for a request's headers
            self.transport.close()


def timed_h11(header_timeout_s: float) -> type[H11Protocol]:
    """The protocol class with this header deadline (uvicorn takes a class, not an instance)."""
    return type("TimedH11Protocol", (TimedH11Protocol,), {"header_timeout_s": float(header_timeout_s)})


def uvicorn_options(settings, sites) -> dict:
    """What both commands pass to uvicorn: no access log or server header, leak-proof logging,
    slow-client timeouts, and no proxy-header trust at the uvicorn level (see ui.server)."""
    from bot.logsafe import uvicorn_log_config

    timeouts = sites.server.timeouts
    return dict(host=settings.host, port=settings.port, access_log=False, server_header=False,
                log_config=uvicorn_log_config("WARNING" if settings.log_level == "DEBUG" else settings.log_level),
                timeout_graceful_shutdown=5, timeout_keep_alive=timeouts.keep_alive_s,
                http=timed_h11(timeouts.header_s), proxy_headers=False)

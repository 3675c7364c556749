"""Retention: conversations are kept `settings.retention_days` days (default 30).

Why 30 days: the CNIL expects chatbot conversations to be kept no longer than needed for their
purpose (answering, then a short window to review quality and handle complaints). The privacy
policy's 3-year figure applies to technical log files, not to chat content; our application
logs carry no chat text at all (see bot/logsafe.py), so nothing of a conversation outlives this.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.errors import PrivacybotError
from bot.logsafe import log_event

log = logging.getLogger("bot.store.retention")

DAY_S = 24 * 3600.0


def run_purge(store, days: int, *, dry_run: bool = False) -> int:
    """One purge; returns the number of conversations deleted (or that would be)."""
    return store.purge(days, dry_run=dry_run)


def start_daily_purge(store, days: int, *, interval_s: float = DAY_S, first_delay_s: float = 0.0
                      ) -> Callable[[], None]:
    """Purge now (after `first_delay_s`) and then every `interval_s` seconds in a daemon thread.
    Failures are logged (text-free) and retried at the next tick. Returns `stop()`, which ends
    the thread and waits for it."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        from bot.errors import InputError

        raise InputError("Retention must be a whole number of days ≥ 1 (PRIVACYBOT_RETENTION_DAYS).")
    stopped = threading.Event()

    def loop() -> None:
        delay = first_delay_s
        while not stopped.wait(delay):
            try:
                n = run_purge(store, days)
                log_event(log, "retention.purge_done", sessions=n, days=days)
            except PrivacybotError as err:
                log_event(log, "retention.purge_failed", level=logging.ERROR, code=err.code,
                          reason=getattr(err, "reason", None))
            except Exception as exc:  # keep the thread alive; never log the message
                log_event(log, "retention.purge_failed", level=logging.ERROR, exc=exc)
            delay = interval_s

    thread = threading.Thread(target=loop, name="privacybot-purge", daemon=True)
    thread.start()

    def stop(timeout: float = 5.0) -> None:
        stopped.set()
        thread.join(timeout)

    return stop

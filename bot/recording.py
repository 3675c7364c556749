"""The one write path of a conversation: the redacted exchange goes to the conversation log.

The visitor's text was redacted by the guard; the bot's text is catalogue strings plus policy
quotes, checked by the guard again (defence in depth) unless the store's background writer does it
off the request path (`PolicyText`). `log_exchange` returns once the exchange is committed and
raises when it could not be (StoreError) or the session was erased (NotFoundError): such an
exchange is never silently dropped, the answer says it was not saved and the trace records it."""

from __future__ import annotations

import logging
import time

from bot.catalogue import t
from bot.types import Answer

log = logging.getLogger("bot.engine")


def record(store, guard, answer: Answer, inspection, *, create: tuple | None = None) -> None:
    """`create`: (site, lang) when the engine opened this session itself (CLI, console, tests); the
    HTTP API opens sessions before asking, with their token."""
    ts = time.perf_counter()
    try:
        if getattr(store, "background", False) and answer.trace.get("llm") != "used":
            from bot.store.writer import PolicyText  # catalogue + policy only: the writer guards it

            bot_text = PolicyText(answer.text, answer.lang)
        else:
            bot_text = guard.inspect(answer.text, lang=answer.lang).redacted
        accepted = store.log_exchange(answer.session_id, visitor=inspection.redacted,
                                      findings=tuple(inspection.findings), bot=bot_text, kind=answer.kind,
                                      citations=tuple(c.section_id for c in answer.citations),
                                      latency_ms=answer.timings_ms.get("total"), exchange_id=answer.exchange_id,
                                      create=create)
    except Exception as exc:  # noqa: BLE001 - StoreError (not saved), NotFoundError (erased): tell the visitor
        log.warning("conversation logging failed: %s", exc.__class__.__name__)
        accepted = False
    if accepted is False:
        answer.trace["store"] = "error"
        answer.text = f"{answer.text}\n\n{t('logging_degraded', answer.lang)}"
    else:
        answer.trace["store"] = "ok"
    answer.timings_ms["store"] = (time.perf_counter() - ts) * 1000.0

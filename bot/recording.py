"""The one write path of a conversation: the redacted exchange goes to the conversation log.

The visitor's text was redacted by the guard; the bot's text is catalogue strings plus policy
quotes, checked by the guard again (defence in depth) unless the store's background writer does it
off the request path (`PolicyText`). An exchange the store could not accept durably is never
silently dropped: the answer says so and the trace records it."""

from __future__ import annotations

import logging
import time

from bot.catalogue import t
from bot.types import Answer

log = logging.getLogger("bot.engine")


def record(store, guard, answer: Answer, inspection) -> None:
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
                                      latency_ms=answer.timings_ms.get("total"), exchange_id=answer.exchange_id)
    except Exception as exc:  # noqa: BLE001 - recording must never break answering
        log.warning("conversation logging failed: %s", exc.__class__.__name__)
        accepted = False
    if accepted is False or getattr(store, "degraded", False):
        answer.trace["store"] = "error" if accepted is False else "degraded"
        answer.text = f"{answer.text}\n\n{t('logging_degraded', answer.lang)}"
    else:
        answer.trace["store"] = "ok"
    answer.timings_ms["store"] = (time.perf_counter() - ts) * 1000.0

"""The answer engine orchestrates one turn: validate → guard → analyse → respond → record.

The raw message exists only inside `guard.inspect`; everything after it (routing, retrieval,
composition, the optional LLM, the conversation state, the store, the trace) sees redacted text.
Decisions live elsewhere: routing (`routing.py`), conversation (`conversation.py`, `dialog.py`),
answers (`answers/`), sessions (`sessions.py`). This module only wires them."""

from __future__ import annotations

import logging
import threading
import time

from bot import dialog, recording
from bot.answers import Reply, organisation, simple
from bot.answers.assistant import Notice
from bot.answers.rights import dpo_contact
from bot.catalogue import LANGS, t
from bot.conversation import MemoryStateStore, State, StateStore
from bot.errors import ERRORS, InputError, as_privacybot
from bot.notice import notice_for
from bot.ports import ConversationLog, Guard
from bot.sessions import Sessions
from bot.settings import Settings, get_settings
from bot.types import Answer, GuardReport
from knowledge.query import analyse
from knowledge.retrieve import Retriever, open_retriever

log = logging.getLogger("bot.engine")
LEAF_ERRORS = tuple(e for e in ERRORS if e.__module__ != "bot.errors")  # knowledge's and guards' own


class Engine:
    def __init__(self, settings: Settings | None = None, *, kb: str | None = None, retriever: Retriever | None = None,
                 guard: Guard | None = None, store: ConversationLog | None = None, llm=None,
                 states: StateStore | None = None):
        self.settings = settings or get_settings()
        self.kb = kb or self.settings.kb
        if store is not None and not hasattr(store, "log_exchange"):  # a bare ConversationStore
            from bot.store import SafeStore

            store = SafeStore(store)
        self._retriever, self._guard, self.store, self._llm = retriever, guard, store, llm
        self._llm_loaded = llm is not None
        self.states: StateStore = states or MemoryStateStore()
        self.sessions = Sessions(self.states, lambda: self.store)
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- parts (loaded once, lazily)
    @property
    def retriever(self) -> Retriever:
        """The knowledge base's retriever (a rebuilt index is picked up); a missing or damaged index raises IndexMissingError / IndexCorruptError."""
        if self._retriever is not None:
            return self._retriever
        try:
            return open_retriever(self.settings.kb_dir(self.kb), self.kb, self.settings.chroma_url)
        except LEAF_ERRORS as exc:
            raise as_privacybot(exc) from None

    @property
    def guard(self) -> Guard:
        if self._guard is None:
            with self._lock:
                if self._guard is None:
                    from guards.guard import get_guard

                    self._guard = get_guard()
        return self._guard

    @property
    def llm(self):
        if not self._llm_loaded:
            self._llm_loaded = True
            if self.settings.llm:
                from bot.llm import make_chat_model

                self._llm = make_chat_model(self.settings.llm, timeout_s=self.settings.llm_timeout_s)
        return self._llm

    def warm_up(self) -> None:
        """Load models, indexes and the policy's value kinds now (the first question is then as fast as the others)."""
        for question, lang in (("How long do you keep my data?", "en"), ("Qui est le DPO ?", "fr")):
            self.ask(question, lang=lang, record=False)
        self.retriever.values.warm()

    @property
    def dpo_email(self) -> str | None:
        return dpo_contact(self.retriever).email

    def notice(self) -> Notice:
        store = "postgres" if (self.settings.database_url or "").startswith("postgres") else "sqlite"
        return Notice(self.settings.retention_days, store, self.dpo_email or "")

    def disclosure(self, lang: str) -> str:
        return t("disclosure", lang, dpo_contact=self.dpo_email or t("dpo_contact_unknown", lang),
                 organisation=organisation(self.retriever.profile, lang))

    def policy_document(self):
        """The knowledge base's policy text and sections, for the `/policy/{kb}` page."""
        from bot.policy_page import document

        return document(self.retriever)

    # ---------------------------------------------------------------- sessions
    def start_session(self, site: str | None = None, lang: str | None = None) -> tuple[str, str]:
        return self.sessions.start(site, lang), self.disclosure(lang or "en")

    def forget_session(self, session_id: str) -> bool:
        return self.sessions.forget(session_id)

    def start_background_writes(self, **kwargs) -> bool:
        """Servers: conversation writes go to the store's background writer (False: no such store)."""
        start = getattr(self.store, "start_writer", None)
        if not callable(start):
            return False
        start(redact=self.guard.redact, on_unknown_session=self.forget_session, **kwargs)
        return True

    def flush_store(self, timeout: float | None = 5.0) -> bool:
        """Wait until every queued conversation write is committed (True if within `timeout`)."""
        return bool(self.store.flush(timeout)) if callable(getattr(self.store, "flush", None)) else True

    # ---------------------------------------------------------------- ask
    def ask(self, message: str, *, session_id: str | None = None, lang: str | None = None, site: str | None = None,
            audience: str | None = None, record: bool = True) -> Answer:
        """Answer one visitor message. `record=False`: nothing is stored (evaluation traffic)."""
        t0 = time.perf_counter()
        hint = lang if lang in LANGS else None
        _validate(message, hint, self.settings.max_message_chars)
        state, fresh = self.sessions.resume(session_id, site, hint)
        timings: dict[str, float] = {}
        tg = time.perf_counter()
        retriever = self.retriever
        try:
            inspection = self.guard.inspect(message, lang=hint, allow=frozenset(retriever.public))
        except Exception as exc:  # noqa: BLE001 - fail closed, never echo the text
            log.error("guard failed: %s", exc.__class__.__name__)
            inspection = None
        del message  # nothing below may see the raw text
        timings["guard"] = _ms(tg)
        if inspection is None or inspection.failed:
            out_lang = hint or state.lang or "en"
            reply = simple("refusal", "guard_failed", out_lang, intent="guard_failed")
            return self._finish(reply, state, out_lang, inspection, timings, t0, record=False, fresh=fresh)
        detected = inspection.lang
        out_lang = hint or (detected if detected in LANGS else state.lang or "en")
        try:
            te = time.perf_counter()
            query = analyse(inspection.text, out_lang)
            timings["embed"] = _ms(te)
            ta = time.perf_counter()
            reply = dialog.respond(query, state, retriever, audience_hint=audience, notice=self.notice(),
                                   findings=inspection.findings)
            timings["answer"] = _ms(ta)
        except LEAF_ERRORS as exc:
            raise as_privacybot(exc) from None
        except ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - a visitor never sees a stack trace
            log.exception("answer failed: %s", exc.__class__.__name__)
            reply = simple("refusal", "internal_error", out_lang, error=exc.__class__.__name__)
        if not hint and detected not in LANGS and len(inspection.text.split()) >= 3:
            reply.text = f"{t('languages_supported', 'en')}\n\n{reply.text}"
        reply.trace["lang_detected"] = detected
        if self.llm is not None and reply.kind == "answer" and reply.citations:
            from bot.llm import rephrase_reply

            rephrase_reply(self.llm, reply, out_lang, timings, self.settings.llm_timeout_s, inspection.text)
        state.lang = out_lang if state.lang is None or hint else state.lang
        state.turns += 1
        return self._finish(reply, state, out_lang, inspection, timings, t0, record=record, fresh=fresh)

    def _finish(self, reply: Reply, state: State, lang: str, inspection, timings, t0, *, record: bool,
                fresh: bool) -> Answer:
        self.sessions.save(state)
        timings["total"] = _ms(t0)
        answer = Answer(session_id=state.session_id, kind=reply.kind, lang=lang, text=reply.text,
                        citations=reply.citations, disclosure=self.disclosure(lang), timings_ms=timings,
                        quick_replies=reply.quick_replies, trace=reply.trace)
        findings = tuple(inspection.findings) if inspection is not None else ()
        answer.guard = GuardReport(inspection.text if inspection is not None else "", findings,
                                   notice_for(inspection, lang))
        if record and self.store is not None and inspection is not None:
            recording.record(self.store, self.guard, answer, inspection,
                             create=(state.site, lang) if fresh else None)
        answer.timings_ms["total"] = _ms(t0)
        return answer


def _validate(message, lang: str | None, limit: int) -> None:
    if not isinstance(message, str):
        raise InputError(t("input_not_text", lang))
    if not message.strip():
        raise InputError(t("input_empty", lang))
    if len(message) > limit:
        raise InputError(t("input_too_long", lang, length=len(message), limit=limit))


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0

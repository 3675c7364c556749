"""The answer engine orchestrates one turn: validate → guard → analyse → respond → record.

The raw message exists only inside `guard.inspect`; everything after it (routing, retrieval,
composition, the optional LLM, the conversation state, the store, the trace) sees redacted text.
Decisions live elsewhere: routing (`routing.py`), conversation (`conversation.py`, `dialog.py`),
answers (`answers/`). This module only wires them.

Session ids: an id the engine does not know (never issued, expired, erased) starts a new session
and the Answer carries the new id; an id the conversation store knows is resumed."""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from bot import dialog, recording
from bot.answers import Reply, organisation, simple
from bot.answers.assistant import Notice
from bot.answers.rights import policy_contact
from bot.catalogue import LANGS, t
from bot.conversation import MemoryStateStore, State, StateStore, new_session_id
from bot.errors import ERRORS, InputError, as_privacybot
from bot.notice import notice_for
from bot.ports import ConversationLog, Guard
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
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- parts (loaded once, lazily)
    @property
    def retriever(self) -> Retriever:
        """The knowledge base's retriever; a rebuilt index (new build id) is picked up here. A missing
        or damaged index raises the bot's IndexMissingError / IndexCorruptError (they say how to fix)."""
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
        """Load models and indexes now (the first question is then as fast as the others)."""
        for question, lang in (("How long do you keep my data?", "en"), ("Qui est le DPO ?", "fr")):
            self.ask(question, lang=lang, record=False)

    @property
    def dpo_email(self) -> str | None:
        return policy_contact(self.retriever).email

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
        state = State(new_session_id(), lang=lang if lang in LANGS else None, site=site)
        self.states.save(state.session_id, state.to_dict())
        return state.session_id, self.disclosure(lang or "en")

    def forget_session(self, session_id: str) -> bool:
        """Drop a session's conversation state (erasure). True if it was known."""
        if not isinstance(session_id, str):
            return False
        known = self.states.load(session_id) is not None
        self.states.forget(session_id)
        return known

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

    def _state(self, session_id: str | None, site: str | None, lang: str | None) -> tuple[State, bool]:
        """(the session's state, whether the engine opened it now). An id the engine has state for,
        or the store knows (the API opened it; another process answered before), is resumed."""
        if session_id:
            data = self.states.load(session_id)
            if data is not None:
                return State.from_dict(data), False
            if self.store is not None and _store_knows(self.store, session_id):
                return State(session_id, lang=lang, site=site), False
        return State(new_session_id(), lang=lang, site=site), True

    # ---------------------------------------------------------------- ask
    def ask(self, message: str, *, session_id: str | None = None, lang: str | None = None, site: str | None = None,
            audience: str | None = None, record: bool = True) -> Answer:
        """Answer one visitor message. `record=False`: nothing is written to the conversation store
        (evaluation traffic)."""
        t0 = time.perf_counter()
        hint = lang if lang in LANGS else None
        _validate(message, hint, self.settings.max_message_chars)
        state, fresh = self._state(session_id, site, hint)
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
            reply = dialog.respond(query, state, retriever, audience_hint=audience, notice=self.notice())
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
        self.states.save(state.session_id, state.to_dict())
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


def _store_knows(store, session_id: str) -> bool:
    try:
        return bool(store.session_exists(session_id))
    except Exception as exc:  # noqa: BLE001 - a store outage must not stop answering
        log.warning("store.session_exists failed: %s", exc.__class__.__name__)
        return False


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


@lru_cache(maxsize=16)
def _cached_engine(settings: Settings, kb: str) -> Engine:
    store = states = None
    try:
        from bot.store import shared_store
        from bot.store.state import state_store

        store = shared_store(settings)  # one store and writer for every school's engine
        states = state_store(settings, store=store)  # shared by every process when a database URL is set
    except Exception as exc:  # noqa: BLE001 - the engine answers without a store
        log.warning("conversation store not available: %s", exc.__class__.__name__)
    return Engine(settings, kb=kb, store=store, states=states)


def get_engine(settings: Settings | None = None, kb: str | None = None) -> Engine:
    """The process-wide engine for these settings and knowledge base (models and indexes load once;
    `kb=None` and the default kb share one engine)."""
    settings = settings or get_settings()
    return _cached_engine(settings, kb or settings.kb)

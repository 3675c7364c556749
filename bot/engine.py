"""The answer engine: message -> guard -> redacted text -> intent -> retrieval -> composition -> Answer.

The raw message exists only inside `guard.inspect`; everything after it (intents, retrieval,
composition, the optional LLM, session memory, the store, the trace) sees the redacted text.

Session ids: an id the engine does not know (never issued, expired, evicted) starts a new
session transparently and the Answer carries the new id; an id that only the conversation
store knows (e.g. after a restart) is resumed under the same id, without topic memory.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from bot import compose, facts
from bot import intents as intents_mod
from bot.catalogue import t
from bot.errors import InputError, PrivacybotError
from bot.notice import notice_for
from bot.sessions import SessionMemory, SessionState
from bot.settings import Settings, get_settings
from bot.types import Answer, Citation, GuardReport

log = logging.getLogger("bot.engine")

LANGS = ("en", "fr")
# A retrieval whose best fused score is below this is "not in the policy" (tuned on the dev set
# with evals/bench_answers.py, never per question).
MIN_RETRIEVAL_SCORE = 0.30
# ...and the best sentence must share at least this IDF-weighted share of the question's terms.
MIN_COVERAGE = 0.12
SEARCH_K = 8
RIGHTS_SECTION = "V"


class Engine:
    def __init__(self, settings: Settings | None = None, *, retriever=None, guard=None, store=None, llm=None,
                 memory: SessionMemory | None = None):
        self.settings = settings or get_settings()
        self._retriever = retriever
        self._guard = guard
        self.store = store
        self._llm = llm
        self._llm_loaded = llm is not None
        self.sessions = memory or SessionMemory()
        self._composer: compose.Composer | None = None
        self._contact: tuple[str | None, str | None] | None = None
        self._init_lock = threading.Lock()
        self.min_score = MIN_RETRIEVAL_SCORE
        self.min_coverage = MIN_COVERAGE

    # ------------------------------------------------------------------ lazy parts
    @property
    def retriever(self):
        if self._retriever is None:
            from knowledge.retrieve import get_retriever

            self._retriever = get_retriever(settings=self.settings)
        return self._retriever

    @property
    def guard(self):
        if self._guard is None:
            from guards.guard import get_guard

            self._guard = get_guard()
        return self._guard

    @property
    def composer(self) -> compose.Composer:
        if self._composer is None:
            with self._init_lock:
                if self._composer is None:
                    self._composer = compose.Composer(self.retriever.chunks)
        return self._composer

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
        _ = self.composer, self.guard, self.dpo_contact
        store, self.store = self.store, None  # the warm-up question is not a conversation
        try:
            for question, lang in (("How long do you keep my data as a student?", "en"),
                                   ("Combien de temps gardez-vous mes données d'étudiant ?", "fr")):
                self.ask(question, lang=lang)
        finally:
            self.store = store

    @property
    def dpo_contact(self) -> tuple[str | None, str | None]:
        """(email, postal address) of the DPO as written in the policy."""
        if self._contact is None:
            email = address = None
            chunks = list(self.retriever.chunks)
            preferred = [c for c in chunks if "dpo" in c.section_id or "contact" in c.section_id] + chunks
            for c in preferred:
                email = email or next(iter(facts.emails(c.text)), None)
                address = address or facts.dpo_address(c.text)
                if email and address:
                    break
            self._contact = (email, address)
        return self._contact

    def disclosure(self, lang: str) -> str:
        email, _ = self.dpo_contact
        return t("disclosure", lang, dpo_contact=email or t("dpo_contact_unknown", lang))

    # ------------------------------------------------------------------ sessions
    def start_session(self, site: str | None = None, lang: str | None = None) -> tuple[str, str]:
        lang = lang if lang in LANGS else None
        state = self._new_session(site, lang)
        return state.session_id, self.disclosure(lang or "en")

    def _new_session(self, site, lang, session_id: str | None = None) -> SessionState:
        state = self.sessions.new(lang=lang, site=site)
        if session_id:
            state = self.sessions.adopt(state, session_id)
        if self.store is not None and not session_id:
            try:
                self.store.create_session(site, lang or "en", session_id=state.session_id)
            except Exception as exc:  # noqa: BLE001 - logging must never break answering
                log.warning("store.create_session failed: %s", exc.__class__.__name__)
        return state

    def forget_session(self, session_id: str) -> bool:
        """Drop a session's in-memory state (True if known); its id then resumes only if the store
        still has it, else a new session starts. `DELETE /api/sessions/{id}` calls this."""
        if not isinstance(session_id, str):
            return False
        return self.sessions.forget(session_id)

    def start_background_writes(self, **kwargs) -> bool:
        """Servers: conversation writes to the store's background writer (False: store has none)."""
        start = getattr(self.store, "start_writer", None)
        if not callable(start):
            return False
        start(redact=self.guard.redact, on_unknown_session=self.forget_session, **kwargs)
        return True

    def flush_store(self, timeout: float | None = 5.0) -> bool:
        """Wait until every queued conversation write is committed (True if within `timeout`)."""
        return bool(self.store.flush(timeout)) if callable(getattr(self.store, "flush", None)) else True

    def _session(self, session_id, site, lang) -> SessionState:
        state = self.sessions.get(session_id)
        if state is not None:
            return state
        if session_id and self.store is not None:
            try:
                if self.store.session_exists(session_id):
                    return self._new_session(site, lang, session_id=session_id)
            except Exception as exc:  # noqa: BLE001
                log.warning("store.session_exists failed: %s", exc.__class__.__name__)
        return self._new_session(site, lang)

    # ------------------------------------------------------------------ ask
    def ask(self, message: str, *, session_id: str | None = None, lang: str | None = None,
            site: str | None = None, audience: str | None = None, record: bool = True) -> Answer:
        """Answer one visitor message. `record=False`: nothing goes to the conversation store
        (evaluation traffic)."""
        t0 = time.perf_counter()
        if not isinstance(message, str):
            raise InputError(t("input_not_text", lang))
        if not message.strip():
            raise InputError(t("input_empty", lang))
        limit = self.settings.max_message_chars
        if len(message) > limit:
            raise InputError(t("input_too_long", lang, length=len(message), limit=limit))
        hint = lang if lang in LANGS else None
        state = self._session(session_id, site, hint)
        timings: dict[str, float] = {}

        tg = time.perf_counter()
        try:
            inspection = self.guard.inspect(message, lang=hint)
        except Exception as exc:  # noqa: BLE001 - fail closed, never echo the text
            log.error("guard failed: %s", exc.__class__.__name__)
            inspection = None
        del message  # nothing below may see the raw text
        timings["guard"] = _ms(tg)
        if inspection is None or inspection.failed:
            out_lang = hint or state.lang or "en"
            answer = self._simple(state, "refusal", out_lang, "guard_failed", trace={"intent": "guard_failed"})
            answer.guard = GuardReport(inspection.text if inspection else "", (), notice_for(None, out_lang))
            return self._finish(answer, inspection if record else None, timings, t0)

        text = inspection.text
        out_lang, lang_note, detected = self._language(text, hint, inspection, state)
        try:
            answer = self._route(text, state, out_lang, audience, timings)
        except PrivacybotError:
            raise
        except Exception as exc:  # noqa: BLE001 - a visitor never sees a stack trace
            log.exception("answer failed: %s", exc.__class__.__name__)
            answer = self._simple(state, "refusal", out_lang, "internal_error", trace={"error": exc.__class__.__name__})
        if lang_note:
            answer.text = f"{t('languages_supported', 'en')}\n\n{answer.text}"
        answer.trace["lang_detected"] = detected
        answer.guard = GuardReport(text, tuple(inspection.findings), notice_for(inspection, out_lang))
        state.lang = out_lang if state.lang is None or hint else state.lang
        state.turns += 1
        return self._finish(answer, inspection if record else None, timings, t0)

    def _finish(self, answer: Answer, inspection, timings, t0) -> Answer:
        timings.setdefault("retrieve", 0.0)
        timings["answer"] = max(0.0, _ms(t0) - timings.get("guard", 0.0) - timings["retrieve"])
        timings["total"] = _ms(t0)
        answer.timings_ms = timings
        if self.store is not None and inspection is not None:
            self._log(answer, inspection)
        return answer

    def _log(self, answer: Answer, inspection) -> None:
        ts = time.perf_counter()
        try:
            log_exchange = getattr(self.store, "log_exchange", None)
            if callable(log_exchange):  # a SafeStore: one transaction, queued when its writer runs
                if getattr(self.store, "background", False) and _extractive(answer):
                    from bot.store.writer import PolicyText  # catalogue + policy only: the writer guards it

                    bot_text = PolicyText(answer.text, answer.lang)
                else:
                    bot_text = self.guard.inspect(answer.text, lang=answer.lang).redacted  # defence in depth
                log_exchange(answer.session_id, visitor=inspection.redacted, findings=tuple(inspection.findings),
                             bot=bot_text, kind=answer.kind, citations=tuple(c.section_id for c in answer.citations),
                             latency_ms=answer.timings_ms.get("total"))
            else:
                # every finding (the store counts entities per finding), not the de-duplicated entity names
                self.store.add_message(answer.session_id, "visitor", inspection.redacted,
                                       findings=tuple(inspection.findings))
                bot_text = self.guard.inspect(answer.text, lang=answer.lang).redacted  # defence in depth
                self.store.add_message(answer.session_id, "bot", bot_text, kind=answer.kind,
                                       citations=tuple(c.section_id for c in answer.citations),
                                       latency_ms=answer.timings_ms.get("total"))
        except Exception as exc:  # noqa: BLE001 - logging must never break answering
            log.warning("conversation logging failed: %s", exc.__class__.__name__)
            answer.trace["store"] = "error"
            answer.text = f"{answer.text}\n\n{t('logging_degraded', answer.lang)}"
        else:
            if getattr(self.store, "degraded", False):
                answer.trace["store"] = "degraded"
                answer.text = f"{answer.text}\n\n{t('logging_degraded', answer.lang)}"
            else:
                answer.trace["store"] = "ok"
        answer.timings_ms["store"] = _ms(ts)

    def _language(self, text: str, hint, inspection, state) -> tuple[str, bool, str | None]:
        """(answer language, say-which-languages flag, detected code)."""
        if hint:
            return hint, False, hint
        words = intents_mod.content_words(text)
        detected = None
        try:
            from guards.language import detect_language

            detected = detect_language(text)
        except Exception:  # noqa: BLE001
            detected = getattr(inspection, "lang", None)
        if len(words) < 3:  # short: trust a French signal, otherwise keep the session's language
            return ("fr" if detected == "fr" else state.lang or detected or "en"), False, detected
        if detected in LANGS:
            return detected, False, detected
        if len(words) >= 3 and detected:
            return "en", True, detected
        return state.lang or "en", False, detected

    # ------------------------------------------------------------------ routing
    def _route(self, text: str, state: SessionState, lang: str, audience_hint, timings) -> Answer:
        intent = intents_mod.classify(text)
        if intent.name in ("injection", "other_person", "out_of_scope", "empty"):
            key = {"injection": "refusal_injection", "other_person": "refusal_other_person",
                   "out_of_scope": "refusal_out_of_scope", "empty": "not_understood"}[intent.name]
            return self._simple(state, "refusal", lang, key, capabilities=intent.name != "injection",
                                trace={"intent": intent.name})
        if intent.name == "greeting":
            return self._simple(state, "greeting", lang, "greeting", capabilities=True, trace={"intent": "greeting"})
        if intent.name == "thanks":
            return self._simple(state, "greeting", lang, "thanks", trace={"intent": "thanks"})
        mentioned = intent.audience
        if mentioned in intents_mod.PERSON_AUDIENCES:
            state.audience = mentioned
        if intent.name == "rights":
            aud = mentioned or _valid(audience_hint) or state.audience
            return self._rights(state, intent.right, aud, lang, timings)
        return self._question(text, intent, state, lang, audience_hint, timings)

    def _simple(self, state, kind, lang, key, *, capabilities=False, trace=None) -> Answer:
        text = t(key, lang)
        if capabilities:
            text = f"{text} {t('capabilities', lang)}"
        return Answer(session_id=state.session_id, kind=kind, lang=lang, text=text,
                      disclosure=self.disclosure(lang), trace=dict(trace or {}))

    def _question(self, text, intent, state, lang, audience_hint, timings) -> Answer:
        question, qtype = text, intent.qtype
        followup_of = None
        if intent.followup:
            prior = state.pending or ({"question": state.last_question, "qtype": state.last_qtype}
                                      if state.last_question else None)
            if prior is None:
                return self._simple(state, "clarification", lang, "followup_no_context",
                                    trace={"intent": "followup", "followup_of": None})
            question, qtype = prior["question"], prior.get("qtype") or qtype
            followup_of = "pending" if state.pending else "last"
        state.pending = None
        mentioned = intent.audience
        if mentioned is None and not intent.followup:
            try:
                mentioned = self.retriever.detect_audience(question, lang=lang)
            except Exception:  # noqa: BLE001
                mentioned = None
        audience = mentioned or _valid(audience_hint) or state.audience
        trace = {"intent": "question", "qtype": qtype, "followup_of": followup_of,
                 "audience_detected": mentioned, "audience": audience}

        tr = time.perf_counter()
        hits = self.retriever.search(question, k=SEARCH_K, lang=lang, audience=audience)
        timings["retrieve"] = _ms(tr)
        if audience is not None:  # answer for that audience only (general parts stay usable)
            own = [h for h in hits if h.chunk.audience in (audience, "general", "cookies")]
            hits = own or hits
        # `fused` is the score the hits are ordered by; `fused_raw` the fused score before the
        # retriever's repeat penalties (same section / same part), i.e. `Hit.score`.
        trace["hits"] = [{"section_id": h.chunk.section_id,
                          "fused": round((h.extra or {}).get("rank_score", h.score), 4),
                          "fused_raw": round(h.score, 4),
                          "dense": round(h.dense, 4), "bm25": round(h.bm25, 4)} for h in hits]
        terms = intents_mod.query_terms(question, lang) | intents_mod.qtype_terms(qtype)
        topic = intents_mod.topic_terms(terms, qtype) if qtype == "duration" else None
        scored = self.composer.score(self.composer.units(hits), terms, qtype, topic_terms=topic)
        best = scored[0] if scored else None
        coverage = (self.composer.coverage(best.stems | self.composer.heading_stems(best.chunk), terms,
                                           known_only=lang == "fr") if best else 0.0)
        trace.update(threshold=self.min_score, best_score=round(hits[0].score, 4) if hits else None,
                     coverage=round(coverage, 3))
        if not hits or hits[0].score < self.min_score or coverage < self.min_coverage:
            trace["intent"] = "not_found"
            return self._simple(state, "refusal", lang, "refusal_not_found", capabilities=True, trace=trace)

        state.last_question, state.last_qtype = question, qtype
        if audience is None:
            conflict = self._audience_conflict(scored, qtype, terms)
            if conflict:
                state.pending = {"question": question, "qtype": qtype}
                trace["intent"] = "clarify_audience"
                trace["audiences"] = conflict
                answer = self._simple(state, "clarification", lang, "clarify_audience", trace=trace)
                answer.quick_replies = [{"label": t(f"qr_{a}", lang), "value": a} for a in conflict]
                return answer
        state.last_audience = audience
        chosen = self.composer.choose(scored, qtype)
        rank = (lambda u: self.composer.coverage(u.text, topic)) if topic else None
        direct, stated = compose.direct_answer(chosen, qtype, lang, rank=rank)
        citations = compose.citations_for(chosen)
        trace["chosen"] = [{"section_id": u.chunk.section_id, "score": round(u.score, 3), "sentence": u.text}
                           for u in chosen]
        trace["facts"] = stated
        answer = Answer(session_id=state.session_id, kind="answer", lang=lang,
                        text=compose.render(direct, citations, lang), citations=citations,
                        disclosure=self.disclosure(lang), trace=trace)
        if self.llm is not None:
            self._rephrase(answer, question, direct, timings)
        return answer

    def _audience_conflict(self, scored, qtype, terms) -> list[str]:
        """Audiences whose best sentences answer the question differently (empty: no conflict).

        Candidates are the audience parts whose best sentence scores close to the overall best and
        covers the question's terms about as well. When every candidate's best sentence is textually
        (near-)identical to the overall best one (the same paragraph repeated in every part), the
        answer is the same whoever asks: answer once, don't ask."""
        best = scored[0]
        if best.chunk.audience not in intents_mod.PERSON_AUDIENCES:
            return []
        best_cov = self.composer.coverage(best.stems or best.text, terms)
        per_aud: dict[str, compose.Unit] = {}
        for u in scored:
            aud = u.chunk.audience
            if aud not in intents_mod.PERSON_AUDIENCES or aud in per_aud:
                continue
            covers = qtype == "duration" or self.composer.coverage(u.stems or u.text, terms) >= 0.8 * best_cov
            if u.score >= 0.7 * best.score and covers:
                per_aud[aud] = u
        if len(per_aud) < 2:
            return []
        # Durations differ per audience even in similar sentences: they must match exactly there.
        same = compose.similar if qtype == "duration" else compose.same_wording
        section = best.chunk.section
        others = [a for a in per_aud if a != best.chunk.audience]
        if all(self._states(a, section, best.text, same) for a in others):
            return []
        have = [a for a in intents_mod.PERSON_AUDIENCES
                if any(c.audience == a and c.section == section for c in self.retriever.chunks)]
        return have or sorted(per_aud)

    def _states(self, audience: str, section: str, sentence: str, same) -> bool:
        """Does `audience`'s part state `sentence` (or near-identical wording) in that section?"""
        for c in self.retriever.chunks:
            if c.audience == audience and c.section == section and \
                    any(same(c.text[a:b], sentence) for a, b in self.composer.spans(c)):
                return True
        return False

    # ------------------------------------------------------------------ rights
    def _rights(self, state, right: str, audience: str | None, lang: str, timings) -> Answer:
        tr = time.perf_counter()
        chunks = self._rights_chunks(audience)
        timings["retrieve"] = _ms(tr)
        trace = {"intent": "rights", "right": right, "audience": audience,
                 "section_id": chunks[0].section_id if chunks else None}
        hits = [_Hit(c, 1.0) for c in chunks]
        units = self.composer.units(hits)
        bullet_rx = intents_mod.patterns().bullets.get(right, "")
        bullet = [u for u in units if bullet_rx and bullet_rx in facts.fold(u.text)]
        if right == "overview" and bullet:
            head = bullet[0]
            stop = _first_after(units, head, "exercise")
            bullet = [head] + [u for u in units if u.chunk is head.chunk and head.start < u.start < stop
                               and "also have the right" not in u.text]
        how = [u for u in units if "exercise all your rights" in u.text or facts.dpo_address(u.text)
               or (facts.emails(u.text) and u.text.lower().startswith("or by"))]
        email = next((e for u in how for e in facts.emails(u.text)), None) or self.dpo_contact[0]
        address = next((a for u in how if (a := facts.dpo_address(u.text))), None) or self.dpo_contact[1]
        parts = []
        where = compose.where(chunks[0], lang) if chunks else ""
        if right == "overview":
            parts.append(t("rights_overview_intro", lang))
        elif bullet:
            parts.append(t("rights_intro", lang, right=t(f"right_{right}", lang)))
        else:
            parts.append(t("rights_not_listed", lang, where=where))
        if email and address:
            parts.append(t("rights_how", lang, email=email, address=address))
        elif email:
            parts.append(t("contact_email_only", lang, email=email))
        if right == "complaint" and bullet:
            parts.append(t("rights_complaint", lang))
        citations = compose.citations_for(bullet + how)
        trace["chosen"] = [{"section_id": u.chunk.section_id, "sentence": u.text} for u in bullet + how]
        direct = "\n\n".join(parts)
        return Answer(session_id=state.session_id, kind="rights_request", lang=lang,
                      text=compose.render(direct, citations, lang), citations=citations,
                      disclosure=self.disclosure(lang), trace=trace)

    def _rights_chunks(self, audience: str | None) -> list:
        ids = []
        seen = set()
        for c in self.retriever.chunks:
            if c.section == RIGHTS_SECTION and c.section_id not in seen:
                seen.add(c.section_id)
                ids.append((c.audience, c.section_id))
        chosen = next((sid for aud, sid in ids if aud == audience), None) or (ids[0][1] if ids else None)
        return list(self.retriever.section(chosen)) if chosen else []

    # ------------------------------------------------------------------ optional LLM
    def _rephrase(self, answer: Answer, question: str, direct: str, timings) -> None:
        from bot.llm import rephrase

        tl = time.perf_counter()
        status, text = rephrase(self.llm, question=question, lang=answer.lang, direct=direct,
                                citations=answer.citations, timeout_s=self.settings.llm_timeout_s)
        timings["llm"] = _ms(tl)
        answer.trace["llm"] = status
        if status == "used" and text:
            answer.text = compose.render(f"{text}\n\n{t('llm_rephrased', answer.lang)}", answer.citations, answer.lang)


class _Hit:
    """A synthetic retrieval hit for a section the engine reads directly (rights)."""

    def __init__(self, chunk, score: float):
        self.chunk, self.score, self.dense, self.bm25, self.rank = chunk, score, 0.0, 0.0, 0


def _first_after(units, unit, needle: str) -> int:
    return next((u.start for u in units if u.chunk is unit.chunk and u.start > unit.start and needle in u.text),
                10**9)


def _extractive(answer: Answer) -> bool:
    """Built by composition only (catalogue + policy text), not rephrased by an LLM."""
    return answer.trace.get("llm") != "used"


def _valid(audience) -> str | None:
    return audience if audience in intents_mod.PERSON_AUDIENCES + intents_mod.TOPIC_AUDIENCES else None


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


@lru_cache(maxsize=16)
def _cached_engine(settings: Settings, kb: str | None) -> Engine:
    store = None
    try:
        from bot.store import open_safe_store

        store = open_safe_store(settings)
    except Exception as exc:  # noqa: BLE001 - the engine works without a store
        log.warning("conversation store not available: %s", exc.__class__.__name__)
    if kb and kb != settings.kb:
        settings = settings.model_copy(update={"kb": kb})
    return Engine(settings, store=store)


def get_engine(settings: Settings | None = None, kb: str | None = None) -> Engine:
    """The process-wide engine for these settings and knowledge base (models and indexes load once)."""
    return _cached_engine(settings or get_settings(), kb)


def citations_to_dicts(citations: list[Citation]) -> list[dict]:
    return [c.to_dict() for c in citations]

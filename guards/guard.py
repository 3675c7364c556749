"""The guard: `Guard.inspect(text, lang)` finds personal data and self-disclosed special categories,
replaces each by `[ENTITY]` and returns an `Inspection`. It never raises on user text and fails
closed: if analysis breaks, the redacted text is `[REDACTED]` and `failed=True`."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from guards.engine import LANGS, build_analyzer, load_yaml, quiet_presidio
from guards.language import detect_language, preload
from guards.notice import build_notice, failed_notice
from guards.resolve import PersonFilter, Span, chunk_bounds, merge_overlaps, redact_text
from guards.text import strip_controls
from guards.types import _GUARD_TOKEN, SPECIAL_CATEGORIES, Finding, Inspection, Redacted

log = logging.getLogger("privacybot.guard")

FAILED_PLACEHOLDER = "[REDACTED]"
ENTITIES = (
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD", "IP_ADDRESS", "LOCATION",
    "DATE_TIME", "FR_NIR", "FR_INE", "STREET_ADDRESS",
) + SPECIAL_CATEGORIES


def _normalise_lang(lang: str | None) -> str | None:
    if not lang or not isinstance(lang, str):
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) in (2, 3) and code.isalpha() else None


class Guard:
    """Load once (both languages), then call `inspect` per message. Thread-safe for reading."""

    def __init__(self, analyzer=None, config: dict | None = None):
        self.config = config or load_yaml("guard.yaml")
        person = self.config.get("person", {})
        self.person_filter = PersonFilter(person.get("not_names", []), person.get("titles", []), float(person.get("min_score", 0.8)))
        self.threshold = float(self.config.get("score_threshold", 0.5))
        self.chunk_chars = int(self.config.get("chunk_chars", 5000))
        self.chunk_overlap = int(self.config.get("chunk_overlap", 200))
        self.analyzer = analyzer or build_analyzer(ner_gate=self.person_filter.may_contain_name)
        preload()
        self._lock = threading.Lock()

    # -- public API -------------------------------------------------------------------------
    def inspect(self, text: str, lang: str | None = None, *, allow=None) -> Inspection:
        """Redact `text`. `lang` ('en'/'fr'/other) is detected when not given."""
        out_lang = "en"
        try:
            if not isinstance(text, str):
                raise TypeError("text must be a str")
            code = _normalise_lang(lang) or detect_language(text)
            out_lang = code if code in LANGS else "en"
            if not text.strip():
                return Inspection(redacted=Redacted(text, _token=_GUARD_TOKEN), lang=out_lang)
            spans = self._analyse(text, code)
            findings = tuple(Finding(s.entity, s.start, s.end, float(s.score), s.recognizer) for s in spans)
            entities = {s.entity for s in spans}
            return Inspection(
                redacted=Redacted(redact_text(text, spans), _token=_GUARD_TOKEN),
                findings=findings,
                categories=frozenset(e for e in entities if e in SPECIAL_CATEGORIES),
                notice=build_notice(entities, out_lang),
                lang=out_lang,
            )
        except Exception as exc:  # noqa: BLE001 - fail closed, never leak the text
            log.error("guard analysis failed (%s); message replaced by a placeholder", type(exc).__name__)
            return Inspection(
                redacted=Redacted(FAILED_PLACEHOLDER, _token=_GUARD_TOKEN),
                notice=failed_notice(out_lang),
                lang=out_lang,
                failed=True,
            )

    def redact(self, text: str, lang: str | None = None) -> Redacted:
        return self.inspect(text, lang).redacted

    # -- internals --------------------------------------------------------------------------
    def _analyse(self, text: str, code: str) -> list[Span]:
        clean = strip_controls(text)  # same length: offsets stay valid
        langs = [code] if code in LANGS else list(LANGS)  # unknown language: both pipelines (fail safe)
        spans: list[Span] = []
        for start, end in chunk_bounds(clean, self.chunk_chars, self.chunk_overlap):
            chunk = clean[start:end]
            if not chunk.strip():
                continue
            for lang in langs:
                for r in self.analyzer.analyze(chunk, language=lang, entities=list(ENTITIES)):
                    if r.score < self.threshold or r.end <= r.start:
                        continue
                    meta = r.recognition_metadata or {}
                    span = Span(r.entity_type, r.start + start, r.end + start, r.score, meta.get("recognizer_name", ""))
                    if span.entity == "PERSON" and span.recognizer.startswith("SpacyRecognizer"):
                        span = self.person_filter.apply(clean, span)
                    if span is not None:
                        spans.append(span)
        return merge_overlaps(spans)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _singleton() -> Guard:
    quiet_presidio()
    return Guard()


def get_guard() -> Guard:
    """The process-wide guard (models load once)."""
    with _lock:
        return _singleton()

"""The guard: `Guard.inspect(text, lang, allow=...)` finds personal data, self-disclosed special
categories and Art. 10 data, replaces each by `[ENTITY]` and returns an `Inspection`. It never
raises on user text and fails closed: if analysis breaks, the redacted text is `[REDACTED]` and
`failed=True`.

Pipeline: normalise (offsets kept) → language (the hint, else detected; it only orders the
languages: every language's recognizers run on every message) → Presidio analysis per chunk →
person-name filter (NER evidence; public things and figures), disclosure-classifier fallback, public-data
allowlist → merge → a message whose every contact, uncued name and short code reads as no private person's
released (`guards/owner.py`) → map back to the original offsets → presidio-anonymizer replacement."""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from guards.analyzer import build_analyzer, quiet_presidio
from guards.config import LANGS, guard_config
from guards.language import detect_language, preload
from guards.normalise import normalise
from guards.owner import Owner, load_owner
from guards.persons import default_filter, expand_lists
from guards.recognizers.names import is_first_name, load_names
from guards.redact import Redactor
from guards.resolve import allow_keys, allowed, chunk_bounds, merge_overlaps
from guards.text import fold
from guards.types import (
    _GUARD_TOKEN,
    ENTITIES,
    SPECIAL_CATEGORIES,
    Finding,
    Inspection,
    Redacted,
    placeholder,
)

# recognizers whose cue says the name is a person's ("my name is …", "my mother …"): never a public thing
PERSON_CUES = ("NameAfterCueRecognizer", "RelativeNameRecognizer")

log = logging.getLogger("privacybot.guard")

FAILED_PLACEHOLDER = "[REDACTED]"
CLASSIFIER_PREFIX = "DisclosureClassifierRecognizer"
MIN_PIECE_WORDS = 3  # about the disclosure recognizer's shortest clause (3 tokens)
MAX_PUBLIC_LINE = 240
# what a published document can make public (never a disclosure, a secret or a classifier guess)
# (not a LOCATION: a place is found only where a cue ties it to the writer, "I live in Rennes", "né à Lille")
PUBLIC_ENTITIES = frozenset(["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS", "ID_NUMBER",
                             "IP_ADDRESS", "IBAN_CODE", "DATE_TIME"])


def _normalise_lang(lang: str | None) -> str | None:
    if not lang or not isinstance(lang, str):
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) in (2, 3) and code.isalpha() else None


class Guard:
    """Load once, then call `inspect` per message. Thread-safe for reading.

    `nlp_engine`: a Presidio NLP engine to use instead of the spaCy models (tests pass a stub);
    `owner`: the whose-is-it readers (default: the packaged ones)."""

    def __init__(self, analyzer=None, config: dict | None = None, nlp_engine=None, detect=detect_language,
                 owner: Owner | None = None):
        self.config = config or guard_config()
        self.person_filter = default_filter(self.config)
        self.threshold = float(self.config.get("score_threshold", 0.5))
        self.chunk_chars = int(self.config.get("chunk_chars", 5000))
        self.chunk_overlap = int(self.config.get("chunk_overlap", 200))
        self.analyzer = analyzer or build_analyzer(nlp_engine=nlp_engine, ner_gate=self.person_filter.may_contain_name)
        self.owner = owner or load_owner()
        self.redactor = Redactor()
        self.detect = detect
        if detect is detect_language:
            preload()

    # -- public API -------------------------------------------------------------------------
    def inspect(self, text: str, lang: str | None = None, *, allow: frozenset[str] | None = None) -> Inspection:
        """Redact `text`. `lang` ('en'/'fr'/other) is detected when not given; `allow` holds exact
        public strings (from the knowledge base's policy): a finding equal to or inside one of them
        is kept in clear."""
        out_lang = "en"
        try:
            if not isinstance(text, str):
                raise TypeError("text must be a str")
            norm = normalise(text)
            code = _normalise_lang(lang) or self.detect(norm.text)
            out_lang = code if code in LANGS else "en"
            if not norm.text.strip():
                return Inspection(redacted=Redacted(text, _token=_GUARD_TOKEN), lang=out_lang)
            allow = allow if isinstance(allow, frozenset) else frozenset(allow or ())
            found = self._analyse(norm.text, out_lang, _public_keys(allow), given=_given_names(allow))
            findings = tuple(Finding(f.entity, *norm.span(f.start, f.end), f.score, f.recognizer) for f in found)
            return Inspection(
                redacted=Redacted(self.redactor.redact(text, list(findings)), _token=_GUARD_TOKEN),
                findings=findings,
                categories=frozenset(f.entity for f in findings if f.entity in SPECIAL_CATEGORIES),
                lang=out_lang,
            )
        except Exception as exc:  # noqa: BLE001 - fail closed, never leak the text
            log.error("guard analysis failed (%s); message replaced by a placeholder", type(exc).__name__)
            return Inspection(redacted=Redacted(FAILED_PLACEHOLDER, _token=_GUARD_TOKEN), lang=out_lang, failed=True)

    def redact(self, text: str, lang: str | None = None, *, allow: frozenset[str] | None = None) -> Redacted:
        return self.inspect(text, lang, allow=allow).redacted

    def public_strings(self, document: str, lang: str | None = None) -> frozenset[str]:
        """The public contacts, identifiers and names of a published document (a privacy policy):
        each line of the document holding one (at most MAX_PUBLIC_LINE characters around it).
        Pass them as `allow`: a visitor quoting the policy ("is the DPO dpo@…?", "131 Boulevard
        de Sebastopol 75002 Paris?") keeps the text in clear."""
        norm = normalise(document)
        text = norm.text
        found = self._analyse(text, _normalise_lang(lang) or "en", (), release=False)
        out = set()
        for f in found:
            if f.entity not in PUBLIC_ENTITIES:
                continue
            start = max(text.rfind("\n", 0, f.start) + 1, f.start - MAX_PUBLIC_LINE // 2)
            end = text.find("\n", f.end)
            end = min(len(text) if end == -1 else end, f.end + MAX_PUBLIC_LINE // 2)
            out.add(text[start:end].strip())
        return frozenset(out)

    # -- internals --------------------------------------------------------------------------
    def _analyse(self, text: str, lang: str, public: tuple, release: bool = True,
                 given: frozenset[str] = frozenset()) -> list[Finding]:
        """Findings in `text`; `release`: none when the whose-is-it readers read every finding as no private
        person's (not when collecting a published document's public strings, which keeps every contact)."""
        found: list[Finding] = []
        for start, end in chunk_bounds(text, self.chunk_chars, self.chunk_overlap):
            chunk = text[start:end]
            if not chunk.strip():
                continue
            for r in self.analyzer.analyze(chunk, language=lang, entities=list(ENTITIES)):
                if r.score < self.threshold or r.end <= r.start:
                    continue
                name = (r.recognition_metadata or {}).get("recognizer_name", "")
                finding = Finding(r.entity_type, r.start + start, r.end + start, float(r.score), name)
                if finding.entity == "PERSON" and name.startswith("SpacyRecognizer"):
                    finding = self.person_filter.apply(text, finding)
                if finding is not None and finding.entity == "PERSON":
                    finding = self.person_filter.private(text, finding, cued=name.startswith(PERSON_CUES))
                if finding is not None:
                    found.append(finding)
        found = expand_lists(text, _classifier_fallback(text, found), self.person_filter)
        if public:
            found = [f for f in found if not _released(text, f, public, given)]
        found = merge_overlaps(found, text)
        return self.owner.release(text, found) if release else found


def _released(text: str, f: Finding, public: tuple, given: frozenset[str]) -> bool:
    """A finding the published document makes public: its value lies inside one of the document's public
    strings and says as much as the published item. Not a first name alone that the document prints as the
    given name of a full name (`given`: a visitor called Thomas is not the "Thomas Lambert" of the photo credits)
    and not a place (a cue tied it to the writer: "I live in Rennes" is not the host's address in Rennes)."""
    if f.entity not in PUBLIC_ENTITIES:
        return False
    value = text[f.start:f.end]
    if f.entity == "PERSON" and fold(value.strip(" .,;:()'’\"")) in given:
        return False
    return allowed(value, public)


_FULL_NAME = re.compile(r"(?<![\w])([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’\-]+)[ \t]+[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’\-]+")


@lru_cache(maxsize=8)
def _given_names(allow: frozenset) -> frozenset[str]:
    """The first names a knowledge base's public strings print before a capitalised word (the given name of
    a full name: "Thomas" of "Thomas Lambert"), folded."""
    names = load_names()[0]
    return frozenset(fold(m.group(1)) for s in allow if isinstance(s, str)
                     for m in _FULL_NAME.finditer(s) if is_first_name(m.group(1), names))


def _classifier_fallback(text: str, found: list[Finding]) -> list[Finding]:
    """Keep a classifier's clause around (not over) the other findings in it: "[SEX_LIFE] [PERSON]
    [SEX_LIFE]" keeps both labels. A clause with only names or numbers inside must still disclose once
    they are replaced by their placeholders ("My name is Paul Martin" does not). A clause with a lexicon
    term inside keeps its pieces of at least `MIN_PIECE_WORDS` words, the shortest clause the classifier
    reads: "My [GENETIC] I have the APOE4 variant" (round 16; before, the lexicon term let the rest of the
    clause through) while "I have [HEALTH]" stays as it is."""
    guesses = [f for f in found if f.recognizer.startswith(CLASSIFIER_PREFIX)]
    if not guesses:
        return found
    others = [f for f in found if not f.recognizer.startswith(CLASSIFIER_PREFIX)]
    kept = []
    for g in guesses:
        inside = sorted((f for f in others if f.start < g.end and g.start < f.end), key=lambda f: f.start)
        lexical = any(f.entity in SPECIAL_CATEGORIES for f in inside)
        if inside and not lexical and g.entity not in _fires_without(text, g, inside):
            continue  # it was the name or number that made it fire ("My name is Paul Martin"), not a disclosure
        least = MIN_PIECE_WORDS if lexical else 1
        pos = g.start
        for f in inside:
            kept += _piece(text, g, pos, f.start, least)
            pos = max(pos, f.end)
        kept += _piece(text, g, pos, g.end, least)
    return others + kept


def _fires_without(text: str, g: Finding, inside: list[Finding]) -> set[str]:
    """The categories the disclosure classifier finds in `g`'s clause once the other findings in it
    are replaced by their placeholders (what every later step sees)."""
    from guards.disclosure import load_model

    parts, pos = [], g.start
    for f in inside:
        parts += [text[pos:max(pos, f.start)], placeholder(f.entity)]
        pos = max(pos, f.end)
    parts.append(text[pos:g.end])
    return set(load_model().fires("".join(parts)))


def _piece(text: str, g: Finding, start: int, end: int, least: int = 1) -> list[Finding]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    piece = text[start:end]
    enough = sum(c.isalnum() for c in piece) >= 2 and len(piece.split()) >= least  # words, in any script
    return [Finding(g.entity, start, end, g.score, g.recognizer)] if enough else []


@lru_cache(maxsize=32)
def _public_keys(allow: frozenset) -> tuple:
    """The comparison keys of a knowledge base's public strings (computed once per allow set)."""
    return tuple(allow_keys(s) for s in allow if isinstance(s, str) and s.strip())


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _singleton() -> Guard:
    quiet_presidio()
    return Guard()


def get_guard() -> Guard:
    """The process-wide guard (models load once)."""
    with _lock:
        return _singleton()

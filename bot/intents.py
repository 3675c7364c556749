"""Intent routing on the redacted message: greeting, thanks, prompt injection, requests for
someone else's data, rights requests, out-of-scope topics, policy questions.

Patterns are data (`bot/intents.yaml`), matched on folded text (lower case, no accents)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.errors import ConfigError
from bot.facts import fold

_PATH = Path(__file__).with_name("intents.yaml")
PERSON_AUDIENCES = ("students", "alumni", "staff", "partners", "prospects")
TOPIC_AUDIENCES = ("cctv", "cookies")
_STOP = set(
    ["a", "an", "and", "are", "as", "at", "be", "by", "can", "could", "de", "des", "do", "does", "du", "en", "est", "et", "for", "from", "have", "how", "i", "il", "in", "is", "it", "la", "le", "les", "me", "my", "of", "on", "or", "our", "ou", "par", "pour", "que", "qui", "quoi", "sur", "the", "to", "un", "une", "vous", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your", "je", "j", "mes", "mon", "ma", "nos", "notre", "vos", "votre", "ce", "ces", "cette", "dans", "au", "aux", "y", "a-t-il", "est-ce", "about", "please", "svp", "merci", "thanks", "thank", "s", "l", "d", "qu", "n", "t"]
)
_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Intent:
    name: str  # greeting|thanks|injection|other_person|rights|out_of_scope|empty|question
    right: str | None = None  # for rights: access, erasure, ..., overview
    qtype: str | None = None  # for questions: duration|who|contact|how|None
    audience: str | None = None  # audience named in the message
    followup: bool = False  # message is only "and for X?"
    matched: tuple[str, ...] = field(default_factory=tuple)  # which rules fired (for the trace)


class _Patterns:
    def __init__(self, data: dict):
        def comp(items) -> list[re.Pattern]:
            try:
                return [re.compile(p) for p in items]
            except re.error as exc:
                raise ConfigError(f"bot/intents.yaml: bad regex ({exc}). Fix the pattern.") from None

        def both(entry) -> list[re.Pattern]:
            if isinstance(entry, dict):
                return comp([*entry.get("en", []), *entry.get("fr", [])])
            return comp(entry or [])

        try:
            self.simple = {k: both(data[k]) for k in ("greeting", "thanks", "injection", "other_person",
                                                     "out_of_scope", "followup")}
            self.scope = both(data["scope_markers"])
            self.rights_context = both(data["rights_context"])
            self.rights = {k: both(v) for k, v in data["rights"].items()}
            self.bullets = {k: v["bullet"] for k, v in data["rights"].items()}
            self.qtypes = {k: both(v) for k, v in data["question_types"].items()}
            self.audiences = {k: both(v) for k, v in data["audiences"].items()}
            self.glossary: dict[str, list[str]] = {k: list(v or []) for k, v in data["glossary"].items()}
            self.topics = {k: comp([v])[0] for k, v in data["topics"].items()}
            self.generic = {k: frozenset(_stem(fold(w)) for w in v or []) for k, v in data.get("generic_terms", {}).items()}
            self.qtype_terms = {k: frozenset(_stem(fold(w)) for w in v or [])
                                for k, v in data.get("qtype_terms", {}).items()}
            self.fr_stop = frozenset(data.get("fr_stop") or [])
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"bot/intents.yaml is missing or malforms section {exc}. Restore the file.") from None


@lru_cache(maxsize=1)
def patterns() -> _Patterns:
    return _Patterns(yaml.safe_load(_PATH.read_text(encoding="utf-8")))


def _any(pats: list[re.Pattern], text: str) -> bool:
    return any(p.search(text) for p in pats)


def detect_audience(text: str) -> str | None:
    """The audience a message names ("as an alumnus", "pour les salariés", "students")."""
    folded = fold(text)
    for name, pats in patterns().audiences.items():
        if _any(pats, folded):
            return name
    return None


def content_words(text: str) -> list[str]:
    return [w for w in _WORD_RE.findall(fold(text)) if w not in _STOP and len(w) > 1]


def is_audience_only(text: str) -> bool:
    """A short message that only names an audience ("students", "I'm an alumnus", "et pour les salariés ?")."""
    words = content_words(text)
    if not words or len(words) > 4:
        return False
    aud = detect_audience(text)
    if aud not in PERSON_AUDIENCES:  # "what is a cookie?" is a question, not "and for cookies?"
        return False
    rest = [w for w in words if detect_audience(w) is None and w not in _FILLER]
    return not rest


# Specific rights first: "request the portability of my data" is portability, not access.
_RIGHT_ORDER = ["portability", "post_mortem", "complaint", "withdraw_consent", "objection", "limitation",
                "rectification", "erasure", "access", "overview"]
_FILLER = set(["am", "im", "i'm", "m", "je", "suis", "suis", "an", "alumnus", "case", "what", "about", "how", "also", "same", "question", "pareil", "idem", "quid", "moi", "tant", "que", "et", "and", "for", "ok", "then", "alors"])


def classify(text: str) -> Intent:
    """Route a redacted message. Order matters: safety first, then social, rights, scope."""
    folded = fold(text).strip()
    p = patterns()
    audience = detect_audience(text)
    if not re.search(r"[a-z]", folded):
        return Intent("empty", audience=audience)
    if _any(p.simple["injection"], folded):
        return Intent("injection", matched=("injection",))
    if _any(p.simple["other_person"], folded) and not re.search(r"\b(dpo|data protection officer|delegue)", folded):
        return Intent("other_person", matched=("other_person",))
    if _any(p.simple["greeting"], folded):
        return Intent("greeting")
    if _any(p.simple["thanks"], folded):
        return Intent("thanks")
    qtype = next((name for name, pats in p.qtypes.items() if _any(pats, folded)), None)
    in_scope = _any(p.scope, folded) or audience is not None
    if qtype != "duration":
        for right in sorted(p.rights, key=_RIGHT_ORDER.index):
            pats = p.rights[right]
            if _any(pats, folded) and (right in ("complaint", "overview", "portability", "post_mortem")
                                       or _any(p.rights_context, folded)):
                return Intent("rights", right=right, audience=audience, matched=(right,))
    if _any(p.simple["out_of_scope"], folded) and not in_scope:
        return Intent("out_of_scope", matched=("out_of_scope",))
    followup = is_audience_only(text) or (_any(p.simple["followup"], folded) and audience is not None
                                          and len(content_words(text)) <= 4)
    return Intent("question", qtype=qtype, audience=audience, followup=followup)


def query_terms(text: str, lang: str) -> set[str]:
    """Question terms for sentence scoring, expanded to the policy's vocabulary ("keep" -> "store",
    "durée" -> "period"): glossary keys of 5+ letters match as prefixes, shorter ones exactly.
    French question words that are also English policy words ("comment") are dropped in French."""
    words = content_words(text)
    if lang == "fr":
        words = [w for w in words if w not in patterns().fr_stop]
    terms = {_stem(w) for w in words}
    gloss = patterns().glossary
    for w in words:
        for key, targets in gloss.items():
            if w == key or (len(key) >= 5 and w.startswith(key)):
                terms.update(_stem(fold(x)) for x in targets)
    return {x for x in terms if x}


def qtype_terms(qtype: str | None) -> frozenset[str]:
    """Policy words a question type implies ("who receives my data?" -> recipients, send, disclose)."""
    return patterns().qtype_terms.get(qtype or "", frozenset())


def topic_terms(terms: set[str], qtype: str | None) -> set[str]:
    """The question's content terms without the vocabulary of its question type ("how long",
    "keep", "store"...): what the question is about, used to pick the figure it asks for."""
    generic = patterns().generic.get(qtype or "", frozenset()) | patterns().generic.get("audience", frozenset())
    return {x for x in terms if x not in generic}


def _stem(word: str) -> str:
    """A crude, shared stemmer (policy sentences go through it too)."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> set[str]:
    return {_stem(w) for w in content_words(text)}

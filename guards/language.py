"""Language of a visitor's message: 'en', 'fr', another ISO 639-1 code, or 'en' when unsure.

Short messages are decided by English/French function words; longer ones by lingua, restricted to
a handful of languages and preloaded once (a call takes well under 2 ms)."""

from __future__ import annotations

import re
from functools import lru_cache

from guards.text import fold

_WORD = re.compile(r"[a-z]+")
FR_WORDS = frozenset(
    ["je", "j", "tu", "il", "elle", "nous", "vous", "ils", "elles", "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux", "et", "ou", "est", "sont", "suis", "ai", "as", "a", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos", "leur", "leurs", "ce", "cet", "cette", "ces", "c", "qui", "que", "qu", "quoi", "quel", "quelle", "quels", "quelles", "pour", "avec", "sans", "dans", "sur", "par", "pas", "ne", "n", "y", "en", "oui", "non", "merci", "bonjour", "salut", "bonsoir", "donnees", "combien", "comment", "pourquoi", "quand", "puis", "peux", "pouvez", "etes", "avez", "faire", "fait", "traitez", "gardez", "conservez", "mais", "donc", "car", "si", "tres", "aussi", "plus", "moins", "ici", "cela", "ca", "moi", "toi", "svp", "stp", "oui", "rappelez", "appelez", "numero"]
)
EN_WORDS = frozenset(
    ["i", "you", "he", "she", "we", "they", "it", "the", "a", "an", "and", "or", "is", "are", "am", "was", "were", "be", "been", "my", "your", "his", "her", "our", "their", "this", "that", "these", "those", "what", "which", "who", "whom", "how", "why", "when", "where", "do", "does", "did", "can", "could", "would", "should", "will", "shall", "for", "with", "without", "in", "on", "at", "by", "of", "to", "from", "not", "no", "yes", "thanks", "thank", "please", "hello", "hi", "hey", "data", "about", "have", "has", "had", "keep", "store", "process", "my", "me", "any", "there", "if"]
)
# words spelled the same in both languages, ignored by the heuristic
_SHARED = frozenset(["a", "on", "son", "en", "as"])

LINGUA_LANGUAGES = ("ENGLISH", "FRENCH", "GERMAN", "SPANISH", "ITALIAN", "PORTUGUESE", "DUTCH", "ARABIC", "CHINESE")
MIN_LINGUA_CHARS = 25
MIN_CONFIDENCE = 0.5


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in LINGUA_LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def preload() -> None:
    """Load lingua's models now (the guard calls this once at start-up)."""
    _detector()


def _heuristic(text: str) -> str | None:
    words = [w for w in _WORD.findall(fold(text)) if w not in _SHARED]
    fr = sum(w in FR_WORDS for w in words)
    en = sum(w in EN_WORDS for w in words)
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    if re.search(r"[àâçéèêëîïôûùüÿœ]", text.lower()):
        return "fr"
    return None


def detect_language(text: str) -> str:
    """ISO 639-1 code of `text`; 'en' for empty, too short or undecidable text."""
    if not text or not text.strip():
        return "en"
    sample = text[:1000]
    letters = sum(c.isalpha() for c in sample)
    non_latin = any(c.isalpha() and ord(c) > 0x24F for c in sample)
    if letters < MIN_LINGUA_CHARS and not non_latin:
        return _heuristic(sample) or "en"
    try:
        detector = _detector()
        values = detector.compute_language_confidence_values(sample)
    except Exception:  # noqa: BLE001 - language detection must never break the guard
        return _heuristic(sample) or "en"
    if not values:
        return _heuristic(sample) or "en"
    top = values[0]
    code = top.language.iso_code_639_1.name.lower()
    if code in ("en", "fr"):
        return code
    if top.value < MIN_CONFIDENCE:
        return _heuristic(sample) or "en"
    # a third language, unless English/French function words clearly dominate
    guess = _heuristic(sample)
    words = len(_WORD.findall(fold(sample))) or 1
    if guess and sum(w in (FR_WORDS if guess == "fr" else EN_WORDS) for w in _WORD.findall(fold(sample))) / words > 0.4:
        return guess
    return code

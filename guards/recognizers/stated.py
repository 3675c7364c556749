"""Values *stated* as something: "my card number is …", "mon numéro de sécu : …", "passport no. …",
"student id …", "mot de passe : …", "PIN 0429". The cue words come from the recognizer's context in
`guards/config/recognizers.yaml` (every language's, whatever the message language); the value is
the first identifier-like token within a few words after the cue. Recall first: no checksum here."""

from __future__ import annotations

import re
from functools import cache

from guards.recognizers.base import GuardRecognizer
from guards.recognizers.tokens import MONEY_AFTER, YEAR, looks_like_handle
from guards.text import fold

_WORD = re.compile(r"\S+")
_SENTENCE_STOP = re.compile(r"[.!?]\s+[A-Z]|\n\s*\n")
_ID_VALUE = re.compile(
    r"(?:[A-Za-z]{1,4}-)?(?=[A-Za-z0-9]*\d)[A-Za-z0-9]+"
    r"(?:(?:[ .\-/]|\s-\s)(?=[A-Za-z0-9]*\d)[A-Za-z0-9]+|-[A-Za-z]{1,4}(?=-\d))*"
)
_LOGIN = re.compile(r"[^\W_](?:[\w.@\-]*[^\W_])?(?![\w@\-])")
_DIGIT_GROUPS = re.compile(r"\d+(?:[ .\-]\d+)*")
_SEPARATORS = re.compile(r"[\s.\-]")
_COPULA = frozenset(["is", "was", "est", "etait", "c'est", "c'etait", "it's", "its", ":", "=", "->"])
_FUNCTION = frozenset(
    ["the", "a", "an", "my", "your", "too", "not", "very", "still", "now", "also", "le", "la", "les", "un", "une",
     "mon", "ma", "pas", "plus", "trop", "toujours", "encore", "aussi", "bien", "oublie", "oublié", "perdu",
     "lost", "forgotten", "wrong", "faux", "incorrect", "expired", "expire", "expiré", "same", "meme", "même",
     "different", "différent", "safe", "secure", "sent", "envoye", "envoyé", "required", "needed", "changed"]
)


# "my password is expired / stored / working": a state, not the password
_STATE = re.compile(r"(?:ed|ing|é|ée|és|ées|able|ible)$|^(?:ok|okay|fine|good|bad|strong|weak|long|short|court|fort|faible|safe|secure)$")


def compile_cues(phrases: list[str]) -> re.Pattern | None:
    """One pattern for cue phrases (folded; spaces match any whitespace; an optional plural 's')."""
    parts = []
    for phrase in sorted({fold(p.strip()) for p in phrases if p and p.strip()}, key=len, reverse=True):
        body = re.escape(phrase).replace(r"\ ", r"\s+").replace("'", r"['\s]?")
        # a cue ending in a symbol ("n°", "#", "no.") may touch its value: "n°2100458"
        parts.append(body + r"s?(?![a-z0-9])" if phrase[-1].isalnum() else body)
    if not parts:
        return None
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + r")")


class CuedValueRecognizer(GuardRecognizer):
    """Base: a cue phrase, then a value within MAX_WORDS words / WINDOW characters."""

    MAX_WORDS = 6
    WINDOW = 60
    SCORE = 0.85

    def __init__(self, supported_language: str = "en", context: list[str] | None = None,
                 supported_entity: str | None = None, name: str | None = None, exclusions: list[str] | None = None,
                 digits_only_cues: list[str] | None = None):
        super().__init__(supported_language, context, [supported_entity] if supported_entity else None, name)
        self.entity = self.supported_entities[0]
        self.cues = compile_cues(context or [])
        self.exclusions = compile_cues(exclusions or [])
        self.digits_only = frozenset(fold(c) for c in digits_only_cues or [])

    def find(self, text):
        if self.cues is None:
            return
        folded = fold(text)
        for cue in self.cues.finditer(folded):
            after = cue.end() + 1 if folded[cue.end():cue.end() + 1] == " " else cue.end()
            if self.exclusions is not None and self.exclusions.match(folded, after):
                continue
            span = self.value_after(text, cue.end())
            if span and not self.accept(folded, cue.start(), span):
                continue
            if span and cue.group().rstrip("s") in self.digits_only and not _SEPARATORS.sub("", text[span[0]:span[1]]).isdigit():
                continue  # a bare "code" introduces a PIN ("4719", "4-7-1-9", "47 19"), not "MKT-301"
            if span:  # a longer cue is more specific: "french social security number" beats "social security number"
                yield self.entity, span[0], span[1], self.SCORE + min(len(cue.group()), 60) / 10_000

    def accept(self, folded: str, cue_start: int, span: tuple[int, int]) -> bool:
        return True

    def value_after(self, text: str, pos: int) -> tuple[int, int] | None:
        limit = min(len(text), pos + self.WINDOW)
        stop = _SENTENCE_STOP.search(text, pos, limit)
        limit = stop.start() + 1 if stop else limit
        copula = text[pos:pos + 2].lstrip().startswith((":", "="))
        broken = False  # a clause ended since the cue: "mot de passe par téléphone, c'est normal ?"
        for n, word in enumerate(_WORD.finditer(text, pos, limit)):
            if n > self.MAX_WORDS:
                return None
            span = self.value_at(text, word.start(), word.group(), copula and not broken)
            if span:
                return span
            copula = fold(word.group()).strip("'\"«»") in _COPULA or word.group().endswith(":")
            broken = broken or word.group().endswith((",", ";", "?", "!", "'", "’", "\"", "»"))
        return None

    def value_at(self, text: str, start: int, word: str, after_copula: bool) -> tuple[int, int] | None:
        raise NotImplementedError


class StatedIdentifierRecognizer(CuedValueRecognizer):
    """An identifier-like value (letters and digits, at least 2 digits) after its cue."""

    ENTITIES = ("ID_NUMBER",)

    def value_at(self, text, start, word, after_copula):
        lead = len(word) - len(word.lstrip("(\"'«:#°."))
        m = _ID_VALUE.match(text, start + lead)
        if not m:
            return None
        value = m.group().rstrip(" .-/")
        if sum(c.isdigit() for c in value) < 2 or sum(c.isalnum() for c in value) < 4 or YEAR.fullmatch(value):
            return None  # "reference letter for 2025": a year, not an identifier
        return m.start(), m.start() + len(value)


class StatedReferenceRecognizer(StatedIdentifierRecognizer):
    """A value after a generic head noun of an identifier ("Parcoursup number, it's 2519384", "housing
    contract HC-2291", "badge 33-07712", "n° 2100458"), whatever the scheme, within three words. A room or
    a law is a public thing: not when a facility noun or a law word stands right before the cue or the
    value ("the room number is 2.104", "Law No. 78-17"; the lists in guards/lexicons/public_words.yaml)."""

    MAX_WORDS = 3

    def accept(self, folded, cue_start, span):
        public = _public_nouns()
        before_cue = re.findall(r"[a-z]+", folded[max(0, cue_start - 30):cue_start])[-1:]
        before_value = re.findall(r"[a-z]+", folded[max(0, span[0] - 30):span[0]])[-1:]
        return not public.intersection(before_cue + before_value)


@cache
def _public_nouns() -> frozenset[str]:
    """Facility nouns, law and legal-text words (guards/lexicons/public_words.yaml), loaded once."""
    from guards.words import facilities, public_words

    words = public_words()
    return facilities() | words.get("laws", frozenset()) | words.get("legal_refs", frozenset())


class StatedLoginRecognizer(CuedValueRecognizer):
    """A login after its cue ("my username is jdubois7", "login: sbenali", "mon identifiant hmartinez"),
    within two words: a token holding a digit, ".", "_" or "@", or a lower-case word made of one or two
    initials and a known surname (the guard's surname list: "jdupuis", "hmartinez"). Ordinary words
    after the cue ("my login and password", "mon compte est bloqué") are not logins."""

    ENTITIES = ("ID_NUMBER",)
    MAX_WORDS = 2

    def value_at(self, text, start, word, after_copula):
        from guards.words import is_common_word

        lead = len(word) - len(word.lstrip("(\"'«:#"))
        m = _LOGIN.match(text, start + lead)
        if not m or m.end() - m.start() < 3 or YEAR.fullmatch(m.group()):
            return None
        value = m.group()
        if "@" in value or (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
            return m.start(), m.end()  # "21b0456@etu", "adiallo3"
        if any(c in "._" for c in value):
            return (m.start(), m.end()) if looks_like_handle(value.lower()) else None  # not "moodle.omnes.fr", "e.g"
        if value.isalpha() and value.islower() and not is_common_word(value) and _initials_and_surname(fold(value)):
            return m.start(), m.end()  # "jdupuis", not "agreed"
        return None


def _initials_and_surname(word: str) -> bool:
    from guards.recognizers.names import load_surnames

    surnames = load_surnames()
    return any(len(word) - k >= 4 and word[k:] in surnames for k in (1, 2))


class SecretRecognizer(CuedValueRecognizer):
    """A password, PIN, CVV or one-time code after its cue: a token holding a digit or a symbol,
    digit groups ("553 902"), or a plain word right after "is" / "c'est" / ":"."""

    ENTITIES = ("SECRET",)
    SCORE = 0.9
    MAX_WORDS = 10  # "my PIN for the printer card, it used to be 7391": a value is often said a clause later
    WINDOW = 90

    def value_at(self, text, start, word, after_copula):
        lead = len(word) - len(word.lstrip("(\"'«‘“"))
        core = word[lead:].rstrip(".,;:?)\"'»’”")
        begin = start + lead
        if core.isdigit():  # "553902", "553 902", "77 31 09", "9 1 4 4 0 2": the digits, however grouped
            m = _DIGIT_GROUPS.match(text, begin)
            value = m.group().rstrip(" .-")
            if (YEAR.fullmatch(value) and not after_copula) or MONEY_AFTER.match(text, begin + len(value)):
                return None  # "like in 2024": a year, unless said to be the value ("is 2019"); "9 450 euros": an amount
            return (begin, begin + len(value)) if sum(c.isdigit() for c in value) >= 3 else None
        if len(core) < 3:
            return None
        has_digit = any(c.isdigit() for c in core)
        has_symbol = any(not c.isalnum() and c not in "'’-" for c in core)
        mixed = any(c.isupper() for c in core[1:]) and any(c.islower() for c in core)
        quoted = lead > 0
        if has_digit or has_symbol or mixed or quoted:
            return begin, begin + len(core)
        plain = fold(core)
        if after_copula and core.isalpha() and len(core) >= 4 and plain not in _FUNCTION and not _STATE.search(core.lower()):
            return begin, begin + len(core)
        return None

"""Typed results of the guard and the entity names it reports (DESIGN.md contract).

`Redacted` can only be built by the guard (see `_GUARD_TOKEN`), so a raw string can never be handed
to the store by mistake. `Finding` is one detected span; offsets index the visitor's original text
and the raw value is never kept."""

from __future__ import annotations

from dataclasses import dataclass, field

_GUARD_TOKEN = object()

# GDPR Art. 9 special categories, plus Art. 10 (criminal offences and convictions): every entity
# whose disclosure is "sensitive data" for the visitor notice and the store's statistics.
ART9_CATEGORIES = (
    "HEALTH", "RELIGION", "SEXUAL_ORIENTATION", "SEX_LIFE", "ETHNIC_ORIGIN", "POLITICAL_OPINION",
    "TRADE_UNION", "GENETIC", "BIOMETRIC",
)
SPECIAL_CATEGORIES = ART9_CATEGORIES + ("CRIMINAL",)
# identifiers with a fixed shape: none may survive the guard (the structured-leak gate)
STRUCTURED = (
    "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD", "IP_ADDRESS", "FR_NIR", "FR_INE",
    "US_SSN", "PASSPORT", "ID_NUMBER", "SECRET",
)
OTHER_PERSONAL = ("PERSON", "STREET_ADDRESS", "LOCATION", "DATE_TIME")
ENTITIES = OTHER_PERSONAL + STRUCTURED + SPECIAL_CATEGORIES


def entity_group(entity: str) -> str:
    """'structured', 'special' or 'other' (how leak rates are grouped)."""
    return "structured" if entity in STRUCTURED else "special" if entity in SPECIAL_CATEGORIES else "other"


def placeholder(entity: str) -> str:
    """What a finding of `entity` becomes in redacted text ("[PERSON]"): the one definition of the format."""
    return f"[{entity}]"


class Redacted:
    """Text that went through the guard. Construct only via `guards` (raises otherwise)."""

    __slots__ = ("_text",)

    def __init__(self, text: str, *, _token: object = None):
        if _token is not _GUARD_TOKEN:
            raise TypeError("Redacted values are made only by guards.Guard.inspect(); pass text through the guard.")
        if not isinstance(text, str):
            raise TypeError("Redacted text must be a str")
        self._text = text

    @property
    def text(self) -> str:
        return self._text

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Redacted({len(self._text)} chars)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Redacted) and other._text == self._text

    def __hash__(self) -> int:
        return hash(("Redacted", self._text))


# When two findings overlap, the union is labelled by the most specific: special categories first,
# then identifiers proven by their shape, then the catch-all ID_NUMBER, then names and places.
_RANK = {e: 3 for e in SPECIAL_CATEGORIES} | {e: 2 for e in STRUCTURED} | {"ID_NUMBER": 1, "SECRET": 2}


@dataclass(frozen=True)
class Finding:
    """One detected span. Offsets index the *original* text; the raw value is never kept."""

    entity: str
    start: int
    end: int
    score: float
    recognizer: str = ""

    @property
    def is_special_category(self) -> bool:
        return self.entity in SPECIAL_CATEGORIES

    @property
    def names_the_writer(self) -> bool:
        """A name the writer gives for themselves ("my name is …", "je m'appelle …", a sign-off), as
        opposed to one named by relation ("my classmate …": RelativeNameRecognizer) or without a cue."""
        return self.entity == "PERSON" and self.recognizer.startswith("NameAfterCueRecognizer")

    @property
    def priority(self) -> tuple:
        return (_RANK.get(self.entity, 0), self.score, self.end - self.start)

    def to_dict(self) -> dict:
        return {"entity": self.entity, "start": self.start, "end": self.end, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Inspection:
    """What `Guard.inspect` returns. The visitor-facing notice is the caller's job (bot/notice.py)."""

    redacted: Redacted
    findings: tuple[Finding, ...] = ()
    categories: frozenset[str] = field(default_factory=frozenset)  # special categories found
    lang: str = "en"
    failed: bool = False  # analysis broke: redacted is a placeholder (fail closed)

    @property
    def text(self) -> str:
        return self.redacted.text

    @property
    def entities(self) -> list[str]:
        return sorted({f.entity for f in self.findings})

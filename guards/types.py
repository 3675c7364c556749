"""Typed results of the guard. `Redacted` can only be built by the guard (see `_GUARD_TOKEN`),
so a raw string can never be handed to the store by mistake."""

from __future__ import annotations

from dataclasses import dataclass, field

_GUARD_TOKEN = object()

SPECIAL_CATEGORIES = (
    "HEALTH",
    "RELIGION",
    "SEXUAL_ORIENTATION",
    "SEX_LIFE",
    "ETHNIC_ORIGIN",
    "POLITICAL_OPINION",
    "TRADE_UNION",
    "GENETIC",
    "BIOMETRIC",
)


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

    def to_dict(self) -> dict:
        return {"entity": self.entity, "start": self.start, "end": self.end, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Inspection:
    """What `Guard.inspect` returns."""

    redacted: Redacted
    findings: tuple[Finding, ...] = ()
    categories: frozenset[str] = field(default_factory=frozenset)  # special categories found
    notice: str | None = None  # short message for the visitor, in their language
    lang: str = "en"
    failed: bool = False  # analysis broke: redacted is a placeholder (fail closed)

    @property
    def text(self) -> str:
        return self.redacted.text

    @property
    def entities(self) -> list[str]:
        return sorted({f.entity for f in self.findings})

"""Facts pulled out of policy sentences: durations, emails, the DPO postal address, names.

Extraction works on the exact policy text; rendering turns a duration into the visitor's
language ("three (3) years" -> "3 years" / "3 ans", "thirteen months" -> "13 mois").
Nothing here invents a fact: every value comes from a regex match on policy text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "eighteen": 18, "twenty": 20, "twenty-four": 24,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100,
}
_UNIT = r"(?P<unit>years?|months?|days?|weeks?|hours?)"
# "three (3) years", "thirty (30) days", "13 months", "fifty (50) years"
_DURATION_RE = re.compile(
    r"\b(?:(?P<word>[a-z]+(?:-[a-z]+)?)\s*\(\s*(?P<num1>\d+)\s*\)|(?P<num2>\d+)|(?P<word2>"
    + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
    + r"))\s+" + _UNIT + r"\b",
    re.IGNORECASE,
)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DPO_ADDRESS_RE = re.compile(r"[^\n]*Service du DPO[^\n]*")
# Proper names: runs of capitalised words, allowing French/English particles inside.
_NAME_RE = re.compile(
    r"\b[A-Z][\wÀ-ÿ’'.-]*(?:\s+(?:et|de|du|des|of|the|and|–)?\s*[A-Z][\wÀ-ÿ’'.-]*)+|\b[A-Z]{3,}\b"
)
# Named entities as the policy writes them (used for "who" answers, instead of "the first
# capitalised words"): an organisation followed by its legal form in brackets ("Organisation et
# Développement (a simplified joint stock company"), a name ending in a legal-form suffix
# ("European Education Centre Ltd."), an upper-case brand ("PLATFORM.SH", "NIJI"), an email.
_CAP = r"[A-ZÀ-Ý][\w&’'.-]*"
_ORG_BRACKET_RE = re.compile(
    r"(?P<name>" + _CAP + r"(?:[ \t]+(?:(?:et|de|du|des|of|the|and|en|–|-)[ \t]+)*" + _CAP + r")*)"
    r"[^()\n]{0,25}?\(\s*(?:an?|une?)\b[^()]{0,60}?\b(?:company|companies|société|association|authority)\b"
)
_ORG_SUFFIX_RE = re.compile(
    r"(?P<name>" + _CAP + r"(?:[ \t]+" + _CAP + r")*[ \t]+(?:Ltd|Limited|Inc|LLC|GmbH|SAS|SARL|S\.A\.?)\b\.?)"
)
_BRAND_RE = re.compile(r"(?<![\w.])(?P<name>[A-Z][A-Z0-9]+(?:\.[A-Z0-9]+)+|[A-Z][A-Z0-9&-]{2,})(?![\w.])")
# Upper-case words that are not names (legal forms, registers, laws, generic acronyms).
_NOT_NAMES = frozenset({"SAS", "SARL", "RCS", "GDPR", "RGPD", "EEA", "EU", "PARIS", "IP", "ID", "HR", "DSN", "PCF",
                        "SAAS", "URL", "CV", "FR", "EN", "TEL", "LTD", "DPO"})
_LABEL_LINE = re.compile(r"^\s*(?:[^\n]{2,60}:|[^a-z\n]{3,40})\s*$")
_UNIT_FR = {"year": ("an", "ans"), "month": ("mois", "mois"), "day": ("jour", "jours"),
            "week": ("semaine", "semaines"), "hour": ("heure", "heures")}


@dataclass(frozen=True)
class Duration:
    value: int
    unit: str  # singular English: year, month, day, week, hour
    span: tuple[int, int]  # offsets in the sentence it came from
    source: str  # the exact matched text, e.g. "three (3) years"

    def render(self, lang: str) -> str:
        return render_duration(self.value, self.unit, lang)


def render_duration(value: int, unit: str, lang: str) -> str:
    """3, 'year', 'fr' -> '3 ans'; 1, 'year', 'en' -> '1 year'."""
    unit = unit.lower().rstrip("s")
    if lang == "fr":
        singular, plural = _UNIT_FR.get(unit, (unit, unit))
        return f"{value} {singular if value == 1 else plural}"
    return f"{value} {unit if value == 1 else unit + 's'}"


def durations(text: str) -> list[Duration]:
    """Every duration stated in `text`, in order."""
    out: list[Duration] = []
    for m in _DURATION_RE.finditer(text):
        raw = m.group("num1") or m.group("num2")
        if raw is not None:
            value = int(raw)
        else:
            word = (m.group("word2") or "").lower()
            if word not in _WORD_NUMBERS:
                continue
            value = _WORD_NUMBERS[word]
        out.append(Duration(value, m.group("unit").lower().rstrip("s"), m.span(), m.group(0)))
    return out


def emails(text: str) -> list[str]:
    seen: list[str] = []
    for m in EMAIL_RE.finditer(text):
        value = m.group(0).rstrip(".")
        if value not in seen:
            seen.append(value)
    return seen


def dpo_address(text: str) -> str | None:
    """The DPO's postal address line as written in the policy, or None."""
    m = _DPO_ADDRESS_RE.search(text)
    return m.group(0).strip() if m else None


def names(text: str) -> list[str]:
    """Capitalised multi-word names and acronyms ("Organisation et Développement", "CNIL")."""
    out: list[str] = []
    for m in _NAME_RE.finditer(text):
        value = m.group(0).strip(" –.,;:")
        if len(value) > 2 and value not in out:
            out.append(value)
    return out


def entities(text: str) -> list[str]:
    """Named entities stated in a policy unit, most specific first (see the patterns above).

    A "label: value" block ("The site is hosted by :\n\nPLATFORM.SH") names its value line."""
    out: list[str] = []

    def add(value: str) -> None:
        value = value.strip(" \t–-,;:")
        if len(value) > 2 and value not in out:
            out.append(value)

    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) >= 2 and _LABEL_LINE.match(lines[-2]) and len(lines[-1]) <= 60:
        add(lines[-1])
    for m in _ORG_BRACKET_RE.finditer(text):
        add(m.group("name"))
    for m in _ORG_SUFFIX_RE.finditer(text):
        add(m.group("name"))
    for m in _BRAND_RE.finditer(text):
        if m.group("name").rstrip(".") not in _NOT_NAMES:
            add(m.group("name"))
    for e in emails(text):
        add(e)
    return out


def numbers_in(text: str) -> set[str]:
    """Every number a text states, as digits (words mapped: 'three' -> '3'). For grounding checks."""
    found = set(re.findall(r"\d+(?:[.,]\d+)?", text))
    for word in re.findall(r"[a-z]+(?:-[a-z]+)?", text.lower()):
        if word in _WORD_NUMBERS:
            found.add(str(_WORD_NUMBERS[word]))
    return found


def fold(text: str) -> str:
    """Lower case without accents, for pattern matching ("Données" -> "donnees")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()

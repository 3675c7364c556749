"""Facts stated in policy text (English, the language policies are written in): durations,
emails, web links, postal address lines, named organisations, numbers.

Extraction works on the exact policy text; rendering turns a duration into the visitor's
language ("three (3) years" -> "3 years" / "3 ans"). Nothing here invents a fact: every value is
a match on policy text. These describe the text's form (a duration, an address), never one
policy's wording."""

from __future__ import annotations

import re
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
URL_RE = re.compile(r"https?://[^\s<>\"”“»)]+[^\s<>\"”“».,;:!?)]")
# A postal address line: a 4-5 digit postcode followed by a capitalised town ("75015 PARIS").
_POSTAL_LINE_RE = re.compile(r"[^\n]*\b\d{2}\s?\d{3}\s+[A-Z][A-Za-zÀ-ÿ' -]+[^\n]*")
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


def postal_lines(text: str) -> list[str]:
    """Postal address lines as written (a line with a postcode and a town), in order."""
    return [m.group(0).strip(" :•") for m in _POSTAL_LINE_RE.finditer(text)]


def postal_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the postal address lines in `text` (see `postal_lines`)."""
    return [m.span() for m in _POSTAL_LINE_RE.finditer(text)]


def urls(text: str) -> list[str]:
    """Web links, without trailing punctuation or closing quotes."""
    return list(dict.fromkeys(m.group(0) for m in URL_RE.finditer(text)))


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

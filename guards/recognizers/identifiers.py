"""Structured identifiers: French NIR (key-checked), INE, phone numbers (French and international),
street addresses (French and English)."""

from __future__ import annotations

import re

import phonenumbers

from guards.checksums import nir_valid
from guards.recognizers.base import RegexRecognizer

_SEP = r"[ .\-\u00a0]?"


class FrNirRecognizer(RegexRecognizer):
    """French social security number: 13 chars + 2-digit key; key = 97 - (n mod 97), 2A/2B → 19/18."""

    ENTITY = "FR_NIR"
    SCORE = 1.0
    PATTERN = re.compile(
        rf"(?<![\w])[1278]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[AaBb]){_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{2}}(?![\w])"
    )

    def accept(self, text, match):
        return (match.start(), match.end(), self.SCORE) if nir_valid(match.group()) else None


class FrIneRecognizer(RegexRecognizer):
    """French student number (INE): 11 chars, 10 digits + 1 letter, or BEA 9 digits + 2 letters."""

    ENTITY = "FR_INE"
    SCORE = 0.8
    PATTERN = re.compile(r"(?<![\w])(?:\d{10}[A-Za-z]|\d{9}[A-Za-z]{2})(?![\w])")


class PhoneNumberRecognizer(RegexRecognizer):
    """Phone numbers validated by libphonenumber: French formats (06 12 34 56 78, +33 6 …, 0033 …)
    and international numbers in +CC form; also US/UK national formats."""

    ENTITY = "PHONE_NUMBER"
    SCORE = 0.85
    REGIONS = ("FR", "GB", "US")
    PATTERN = re.compile(r"(?:\+|00|\(?0|\(?[1-9])[\d ().\-\u00a0/]{6,}\d")  # cheap pre-filter
    FRENCH = re.compile(r"(?<![\w+])(?:(?:\+|00)33[ .\-]?(?:\(0\)[ .\-]?)?|0)[1-9](?:[ .\-]?\d{2}){4}(?![\w])")
    IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        if entities and self.ENTITY not in entities:
            return []
        if not self.PATTERN.search(text):
            return []
        seen: dict[tuple[int, int], None] = {}
        for region in self.REGIONS:
            try:
                for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
                    seen.setdefault((m.start, m.end))
            except Exception:  # noqa: BLE001 - libphonenumber edge cases: fall back to no match
                continue
        # Numbers in reserved/unassigned blocks (e.g. UK 07700 900xxx) are not "valid" but are still
        # phone numbers a visitor typed: accept "possible" ones with at least 9 digits that start
        # like a dialled number (+, 00/0 trunk, or an area code in brackets). Leaking a
        # phone number is worse than redacting a rare look-alike.
        for region in self.REGIONS:
            try:
                for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
                    raw = m.raw_string
                    digits = sum(ch.isdigit() for ch in raw)
                    prefixed = raw.startswith(("+", "0", "("))  # international, trunk or area code
                    if prefixed and digits >= 9 and not any(s <= m.start < e for s, e in seen):
                        seen.setdefault((m.start, m.end))
            except Exception:  # noqa: BLE001
                continue
        for m in self.FRENCH.finditer(text):  # French formats even in unassigned blocks
            if not any(s <= m.start() < e for s, e in seen):
                seen.setdefault((m.start(), m.end()))
        return [self.result(s, e, self.SCORE) for s, e in seen if not self.IPV4.fullmatch(text[s:e])]


_FR_STREET_TYPES = (
    r"rue|avenue|av\.?|boulevard|bd|place|pl\.|all[ée]e|impasse|chemin|quai|cours|route|square|passage|"
    r"cit[ée]|voie|faubourg|rond-point|esplanade|r[ée]sidence|parvis|sentier|villa|hameau|lieu-dit"
)
_EN_STREET_TYPES = (
    r"street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|boulevard|blvd\.?|drive|dr\.?|court|ct\.?|place|"
    r"square|sq\.?|way|terrace|close|crescent|gardens|grove|parkway|highway|hwy"
)
_STOP = (
    r"(?:et|and|je|j'|i|mais|but|pour|for|to|in|a|à|au|since|depuis|with|avec|is|est|which|qui|near|pr[èe]s|"
    r"where|o[ùu]|so|donc|then|puis|can|could|do|does|please|svp|merci|thanks|since|until|jusqu)"
)
_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’\-]*"
_NAME_WORDS = rf"(?:(?!{_STOP}\b){_WORD})(?:[ ](?!{_STOP}\b){_WORD}){{0,4}}"
_POSTCODE = r"(?:,?\s*(?:\d{5}|\d{2}\s\d{3})\s+[A-ZÀ-Ý][\w\-]*(?:[ \-][A-ZÀ-Ý][\w\-]*)*(?:\s+(?:cedex|CEDEX)(?:\s\d{1,2})?)?)?"
_UK_POSTCODE = r"(?:,?\s*[A-Z][\w]+(?:,?\s*[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}))?"
_US_ZIP = r"(?:,?\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)*,?\s[A-Z]{2}\s\d{5}(?:-\d{4})?)?"


class StreetAddressRecognizer(RegexRecognizer):
    """A house number + street type + street name, optionally followed by a postcode and city."""

    ENTITY = "STREET_ADDRESS"
    SCORE = 0.85
    PATTERN = re.compile(
        rf"(?<![\w])\d{{1,4}}(?:\s?(?:bis|ter|[a-dA-D])\b)?,?\s+"
        rf"(?:(?i:{_FR_STREET_TYPES})\s+(?:(?i:de la|de l'|de l’|du|des|de|d'|d’|la|le|les|l'|l’)\s*)?{_NAME_WORDS}{_POSTCODE}"
        rf"|(?:{_WORD}[ ]){{1,4}}(?i:{_EN_STREET_TYPES})(?![\w]){_UK_POSTCODE}{_US_ZIP}{_POSTCODE})"
    )

    def accept(self, text, match):
        end = match.end()
        while end > match.start() and text[end - 1] in " ,.-":
            end -= 1
        return match.start(), end, self.SCORE

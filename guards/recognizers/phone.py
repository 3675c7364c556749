"""Phone numbers, validated by libphonenumber (French formats, international +CC numbers, US/UK
national formats), plus French formats in unassigned blocks."""

from __future__ import annotations

import re

import phonenumbers

from guards.recognizers.base import GuardRecognizer


class PhoneNumberRecognizer(GuardRecognizer):
    """Phone numbers validated by libphonenumber: French formats (06 12 34 56 78, +33 6 …, 0033 …)
    and international numbers in +CC form; also US/UK national formats."""

    ENTITIES = ("PHONE_NUMBER",)
    SCORE = 0.85
    REGIONS = ("FR", "GB", "US")
    PATTERN = re.compile(r"(?:\+|00|\(?0|\(?[1-9])[\d ().\-\u00a0/]{6,}\d")  # cheap pre-filter
    FRENCH = re.compile(r"(?<![\w+])(?:(?:\+|00)33[ .\-]?(?:\(0\)[ .\-]?)?|0)[1-9](?:[ .\-]?\d{2}){4}(?![\w])")
    IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

    def find(self, text):
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
        return [("PHONE_NUMBER", s, e, self.SCORE) for s, e in seen if not self.IPV4.fullmatch(text[s:e])]

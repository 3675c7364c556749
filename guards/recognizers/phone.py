"""Phone numbers, validated by libphonenumber (French formats, international +CC numbers, US/UK
national formats), plus French formats in unassigned blocks and short local numbers after a phone cue."""

from __future__ import annotations

import re

import phonenumbers

from guards.recognizers.base import GuardRecognizer
from guards.text import fold


class PhoneNumberRecognizer(GuardRecognizer):
    """Phone numbers found by libphonenumber's matcher (regions FR, GB, US): a valid number is taken;
    an unassigned one ("07700 900 123") when it has 9+ digits and starts like a dialled number
    (+, 00/0 trunk, an area code in brackets); any other possible number ("467 3395",
    "(37) 788-063", "345-899-3560x4587") when a phone cue of any language (the entry's `context`
    in recognizers.yaml: "phone", "fax", "portable", "joignable"…) stands shortly before it."""

    ENTITIES = ("PHONE_NUMBER",)
    SCORE = 0.85
    REGIONS = ("FR", "GB", "US")
    CUE_WINDOW = 30
    MIN_CUED_DIGITS = 6
    PATTERN = re.compile(r"\d(?:[\d ().\-\u00a0/]*\d){5,}")  # cheap pre-filter: 6+ digits close together
    FRENCH = re.compile(r"(?<![\w+])(?:(?:\+|00)33[ .\-]?(?:\(0\)[ .\-]?)?|0)[1-9](?:[ .\-]?\d{2}){4}(?![\w])")
    IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        words = sorted({fold(w) for w in self.context or []}, key=len, reverse=True)
        self.cues = re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z])") if words else None

    def _cued(self, text: str, start: int) -> bool:
        return self.cues is not None and self.cues.search(fold(text[max(0, start - self.CUE_WINDOW):start])) is not None

    def find(self, text):
        if not self.PATTERN.search(text):
            return []
        seen: dict[tuple[int, int], None] = {}
        for leniency in (phonenumbers.Leniency.VALID, phonenumbers.Leniency.POSSIBLE):
            for region in self.REGIONS:
                try:
                    matches = list(phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency))
                except Exception:  # noqa: BLE001 - libphonenumber edge cases: fall back to no match
                    continue
                for m in matches:
                    if any(s <= m.start < e for s, e in seen):
                        continue
                    raw = m.raw_string
                    digits = sum(ch.isdigit() for ch in raw)
                    # leaking a phone number is worse than redacting a rare look-alike
                    if (leniency == phonenumbers.Leniency.VALID or (raw.startswith(("+", "0", "(")) and digits >= 9)
                            or (digits >= self.MIN_CUED_DIGITS and self._cued(text, m.start))):
                        seen.setdefault((m.start, m.end))
        for m in self.FRENCH.finditer(text):  # French formats even in unassigned blocks
            if not any(s <= m.start() < e for s, e in seen):
                seen.setdefault((m.start(), m.end()))
        return [("PHONE_NUMBER", s, e, self.SCORE) for s, e in seen if not self.IPV4.fullmatch(text[s:e])]

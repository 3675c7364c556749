"""Identifiers recognised by their shape. A checksum (NIR key, Luhn, IBAN mod-97) raises the score
to 1.0 through `validate_result`; a failed checksum keeps the pattern's score (recall first: a
number stated as a card or a NIR is still redacted, see `stated.py`)."""

from __future__ import annotations

import ipaddress
import re

from presidio_analyzer.predefined_recognizers import IpRecognizer

from guards.checksums import iban_valid, luhn_valid, nir_valid
from guards.recognizers.base import GuardRecognizer, ShapeRecognizer
from guards.recognizers.tokens import MONEY_AFTER

_SEP = r"[ .\-]?"


class FrNirRecognizer(ShapeRecognizer):
    """French social security number: 13 chars + 2-digit key (key = 97 - n mod 97, 2A/2B → 19/18)."""

    ENTITY = "FR_NIR"
    FLAGS = re.IGNORECASE
    PATTERNS = [("nir", rf"(?<![\w])[1278]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[AB]){_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{2}}(?![\w])", 0.5)]

    def validate_result(self, pattern_text: str) -> bool | None:
        return True if nir_valid(pattern_text) else None


class FrIneRecognizer(ShapeRecognizer):
    """French student number (INE): 10 digits + 1 letter, or 9 digits + 2 letters (BEA), a space
    before the last two characters allowed."""

    ENTITY = "FR_INE"
    FLAGS = re.IGNORECASE
    PATTERNS = [("ine", r"(?<![\w])(?:\d{9}\s?\d[A-Z]|\d{9}[A-Z]{2})(?![\w])", 0.6)]


class LenientIbanRecognizer(ShapeRecognizer):
    """An IBAN in any case and grouping; mod-97 raises the score, a typo does not hide it."""

    ENTITY = "IBAN_CODE"
    FLAGS = re.IGNORECASE
    PATTERNS = [("iban", r"(?<![\w])[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]{4}){2,7}(?:[ \-]?[A-Z0-9]{1,3})?(?![\w])", 0.55)]

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = sum(c.isdigit() for c in pattern_text)
        if digits < 8:
            return False  # "ab12 cdef ghij": words, not an account
        return True if iban_valid(pattern_text) else None


class CardNumberRecognizer(ShapeRecognizer):
    """Card numbers with spaces, dots or dashes (Amex 4-6-5 too); Luhn-valid ones score 1.0, others
    need a card word nearby (context) or are caught as stated or as a long digit run."""

    ENTITY = "CREDIT_CARD"
    PATTERNS = [
        ("card", r"(?<![\d\w])(?:\d{4}[ .\-]?){3}\d{1,7}(?![\d\w])", 0.3),
        ("amex", r"(?<![\d\w])3[47]\d{2}[ .\-]?\d{6}[ .\-]?\d{5}(?![\d\w])", 0.3),
    ]

    def validate_result(self, pattern_text: str) -> bool | None:
        return True if luhn_valid(pattern_text) else None


class FrPassportRecognizer(ShapeRecognizer):
    """French passport number: 2 digits, 2 letters, 5 digits (e.g. 18AB34567)."""

    ENTITY = "PASSPORT"
    PATTERNS = [("fr_passport", r"(?<![\w])\d{2}[A-Z]{2}\d{5}(?![\w])", 0.6)]


_DATE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}")
_YEARS = re.compile(r"(?:19|20)\d{2}\s?[\-/–]\s?(?:19|20)\d{2}")


class DigitRunRecognizer(GuardRecognizer):
    """Any run of at least 8 digits (single spaces, dots, dashes or slashes between groups) that no
    other recognizer explains: an identifier the guard has no name for (ID_NUMBER). Dates, year
    ranges and amounts of money are not identifiers; public numbers are allowed by the caller."""

    ENTITIES = ("ID_NUMBER",)
    RUN = re.compile(r"(?<![\w./\-])(?<!\d,)\d(?:[ .\-/]?\d)*(?![\w/])")
    MIN_DIGITS = 8
    SCORE = 0.5

    def find(self, text):
        for m in self.RUN.finditer(text):
            run = m.group().rstrip(" .-/")
            digits = sum(c.isdigit() for c in run)
            if digits < self.MIN_DIGITS or _DATE.fullmatch(run) or _YEARS.fullmatch(run):
                continue
            date = _DATE.match(run)  # "2003-08-28 12:13:52": a date and a time, not an identifier
            if date and sum(c.isdigit() for c in run[date.end():]) < self.MIN_DIGITS and text[m.start() + len(run):][:1] == ":":
                continue
            if MONEY_AFTER.match(text, m.start() + len(run)):
                continue
            yield "ID_NUMBER", m.start(), m.start() + len(run), self.SCORE


class HostIpRecognizer(IpRecognizer):
    """Presidio's IP recognizer, minus network ranges: "10.0.0.0/8" or "172.16.0.0/12" names a block of
    addresses (a VPN or firewall setting), not anyone's device. An address with its mask
    ("192.168.1.23/24") is still a host and is redacted."""

    def invalidate_result(self, pattern_text: str) -> bool:
        if super().invalidate_result(pattern_text):
            return True
        iface = ipaddress.ip_interface(pattern_text)
        return iface.network.prefixlen < iface.max_prefixlen and iface.ip == iface.network.network_address

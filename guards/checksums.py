"""Checksums used to tell a real identifier from a look-alike (pure functions, no I/O)."""

from __future__ import annotations

import re

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def digits_only(value: str) -> str:
    return re.sub(r"\D", "", value)


def luhn_valid(number: str) -> bool:
    """Luhn check for card numbers (13–19 digits; separators ignored)."""
    digits = digits_only(number)
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def nir_key(body: str) -> int | None:
    """Key of a French NIR body (13 chars, Corsica 2A/2B allowed): 97 - (n mod 97)."""
    body = body.upper()
    if len(body) != 13:
        return None
    numeric = body.replace("2A", "19", 1) if body[5:7] == "2A" else body
    numeric = numeric.replace("2B", "18", 1) if body[5:7] == "2B" else numeric
    if not numeric.isdigit():
        return None
    return 97 - (int(numeric) % 97)


def nir_valid(value: str) -> bool:
    """A NIR: 15 chars (13 + 2-digit key) once spaces/dots/dashes are removed, key correct."""
    compact = _NON_ALNUM.sub("", value).upper()
    if len(compact) != 15 or compact[0] not in "1278" or not compact[13:].isdigit():
        return False
    month = compact[3:5]
    if not month.isdigit() or not (1 <= int(month) <= 12 or 20 <= int(month) <= 42 or 50 <= int(month) <= 99):
        return False
    key = nir_key(compact[:13])
    return key is not None and key == int(compact[13:])


def iban_valid(value: str) -> bool:
    """ISO 13616 mod-97 check (country code + 2 check digits + BBAN)."""
    compact = _NON_ALNUM.sub("", value).upper()
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return int(numeric) % 97 == 1

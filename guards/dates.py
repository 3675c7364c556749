"""Date expressions in a message, English and French, in the forms people type them: numeric with any
separator and spacing ("07/08/05", "31 / 12 / 2004", "5/9", "2004-12-31"), a day and a month with or
without the year ("14 feb", "the 3rd of june", "1er mars 2004"), a month and a day ("June 3rd, 2005"),
a month and a year ("janvier 2006"), the year first ("2006 on 14 feb", "2003 le 14 février") and a year
alone ("2007").

A date is a candidate, not a finding: whether it is a person's (a date of birth, the day a relative died)
or says nothing about anyone (an exam date, a deadline, "promo 2012") is read by the date reader
(`guards.owner.DateReader`, used by `PersonalDateRecognizer`). The grammar is about the shape of
dates only: month names are a closed list of the two languages; no word of a context is looked for."""

from __future__ import annotations

import re

MONTHS = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept?\.?|oct\.?|nov\.?|dec\.?|janv\.?|f[ée]vr?\.?|avr\.?|"
    r"juil\.?|d[ée]c\.?"
)
_M = rf"(?i:{MONTHS})(?![\w])"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:er|st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_YY = rf"(?:{_YEAR}|\d{{2}})"
_SEP = r"\s?[/.\-]\s?"
_NUMERIC = rf"(?:[12]\d|3[01]|0?[1-9]){_SEP}(?:1[0-2]|0?[1-9]|[12]\d|3[01])(?:{_SEP}{_YY})?|{_YEAR}-\d{{1,2}}-\d{{1,2}}"
_DAY_MONTH = rf"(?:the\s+)?{_DAY}\s+(?:of\s+)?{_M}(?:,?\s+{_YY}(?![\w]))?"
_MONTH_DAY = rf"{_M}\s+(?:the\s+)?{_DAY}(?![\w])(?:,?\s+{_YEAR})?"
_MONTH_YEAR = rf"{_M}\s+(?:of\s+)?{_YEAR}"
_YEAR_FIRST = rf"{_YEAR},?\s+(?:(?:on|le)\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_M}"
DATE = re.compile(
    rf"(?<![\w/.\-])(?:{_YEAR_FIRST}|{_DAY_MONTH}|{_MONTH_DAY}|{_MONTH_YEAR}|{_NUMERIC}|{_YEAR})(?![\w]|[/.\-]\d)"
)
# a number that is really a time, a score, an amount or part of a longer figure ("10.30", "3/4 of", "1.5 km")
_NOT_A_DATE = re.compile(r"\d+[.,]\d+\s?(?:%|€|\$|km|kg|h\b|m\b)|^\d{1,2}[.]\d{1,2}$")


def candidates(text: str) -> list[tuple[int, int]]:
    """(start, end) of each date expression, longest first where two overlap, in text order."""
    out: list[tuple[int, int]] = []
    for m in DATE.finditer(text):
        value = m.group().strip()
        if _NOT_A_DATE.match(text, m.start()) or _NOT_A_DATE.match(value):
            continue
        out.append((m.start(), m.start() + len(m.group().rstrip())))
    return out

"""Length-preserving text folding and tokenisation for matching (offsets stay valid).

The guard's fold is deliberately its own (one per side of the guard): it must keep one output
character per input character so that every match maps back to the visitor's text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
TOKEN = re.compile(r"[a-z0-9]+")
SENTENCE_END = re.compile(r"[.!?;\n\u2026]+(?=\s|$)|[!?;\n\u2026]+")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if ch.isascii():
        return ch.lower()
    if ch == "œ" or ch == "Œ":
        return "œ"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


class _FoldTable(dict):
    """`str.translate` table built lazily: one folded character per input character."""

    def __missing__(self, code: int) -> str:
        value = self[code] = _fold_char(chr(code))
        return value


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes, one output char per input char."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE)


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; sentences end at . ! ? ; newline or an ellipsis (a dot
    inside a token, as in an e-mail address or "06.12.34", does not end a sentence)."""
    bounds, start = [], 0
    for m in SENTENCE_END.finditer(text):
        if m.start() > start:
            bounds.append((start, m.start()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def clause_bounds(text: str, start: int, end: int, left_marks: str = ",;(—–:",
                  right_marks: str = ",;)—–:") -> tuple[int, int]:
    """The clause around [start, end) within its sentence: cut at commas, semicolons, dashes,
    parentheses and colons (`left_marks` before it, `right_marks` after it; empty: the whole
    sentence), then at the sentence bounds."""
    s_start, s_end = 0, len(text)
    for a, b in sentence_bounds(text):
        if a <= start < b or (a < end <= b):
            s_start, s_end = a, b
            break
    left = max((text.rfind(c, s_start, start) for c in left_marks), default=-1)
    right_hits = [i for i in (text.find(c, end, s_end) for c in right_marks) if i != -1]
    c_start = left + 1 if left >= s_start else s_start
    c_end = min(right_hits) if right_hits else s_end
    while c_start < c_end and text[c_start].isspace():
        c_start += 1
    while c_end > c_start and text[c_end - 1].isspace():
        c_end -= 1
    return c_start, c_end

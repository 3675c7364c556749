"""Length-preserving text normalisation and tokenisation (offsets stay valid in the original)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
TOKEN = re.compile(r"[a-z0-9]+")
SENTENCE_END = re.compile(r"[.!?;\n\u2026]+")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if ch.isascii():
        return ch.lower()
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes, one output char per input char."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(c) for c in text)


def sentence_bounds(folded: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; sentences end at . ! ? ; newline or an ellipsis."""
    bounds, start = [], 0
    for m in SENTENCE_END.finditer(folded):
        if m.start() > start:
            bounds.append((start, m.start()))
        start = m.end()
    if start < len(folded):
        bounds.append((start, len(folded)))
    return bounds


def strip_controls(text: str) -> str:
    """Replace control characters (except tab/newline) by spaces, keeping offsets."""
    return "".join(" " if (unicodedata.category(c) == "Cc" and c not in "\n\t") else c for c in text)

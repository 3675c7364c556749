"""Normalise a visitor's text before matching, keeping a map back to the original offsets.

Unicode NFKC (full-width digits and letters, ligatures, compatibility forms), zero-width characters
and soft hyphens removed, odd spaces (no-break, narrow, thin, ideographic…) made plain spaces,
hyphen look-alikes made '-', control characters made spaces. Recognizers see `Normalised.text`;
`Normalised.span(start, end)` maps a span of it back to the original text, so a redaction covers
every character the visitor typed, the invisible ones included."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HYPHENS = frozenset("\u2010\u2011\u2012\u2212\ufe63\uff0d")


def _char(ch: str) -> str:
    if ch in DROP:
        return ""
    if ch in HYPHENS:
        return "-"
    if ch.isspace():
        return ch if ch in "\n\t " else ("\n" if ch in "\r\u2028\u2029\x0b\x0c\x85" else " ")
    if unicodedata.category(ch) == "Cc":
        return " "
    if ch.isascii():
        return ch
    return unicodedata.normalize("NFKC", ch)


@dataclass(frozen=True)
class Normalised:
    original: str
    text: str
    starts: tuple[int, ...]  # original offset of each normalised character
    ends: tuple[int, ...]  # original end offset of each normalised character

    @property
    def identity(self) -> bool:
        return self.text == self.original

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        if self.identity:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def normalise(text: str) -> Normalised:
    if text.isascii() and text.isprintable():
        return Normalised(text, text, (), ())
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        rep = _char(ch)
        for c in rep:
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    normalised = "".join(out)
    if normalised == text:
        return Normalised(text, text, (), ())
    return Normalised(text, normalised, tuple(starts), tuple(ends))

"""Identifier-shaped tokens that no cue announces: "21A0913", "adiallo3", "e.morel27", "AS417823",
"QK7-29M", "8F3K-22QX-91LM", "sk-omn-4f9a21c7e8b3d5", a JWT. Visitors paste student numbers,
logins, file numbers, one-time and recovery codes, API keys and tokens with words the cue lists
will never all hold ("badge number", "identifiant ENT", "le lien contenait ce code"); the shape is
what they share: letters and digits mixed inside one piece, or a long number with a letter prefix.

Not identifiers (by shape): course codes and legal references ("MKT-301", "UE-MKT302", "L6316-3":
capitals then at most 4 digits), quantities and ordinals ("1970s", "15h", "16GB"),
algorithm names ("AES-256": no piece mixes letters and digits). Public strings of the policy are
allowed by the caller, as for every recognizer."""

from __future__ import annotations

import mimetypes
import re
from functools import cache

from guards.recognizers.base import GuardRecognizer

_TOKEN = re.compile(r"(?<![\w@./:\-])[A-Za-z0-9](?:[A-Za-z0-9]|[._\-](?=[A-Za-z0-9]))*(?![\w@]|\.\w)")
_PIECE = re.compile(r"[._\-]")
# course codes, legal references, standards: "MKT-301", "UE-MKT302", "L6316-3", "AES-256", "COVID-19"
_CODE = re.compile(r"(?:[A-Z]{1,4}-)?[A-Z]{1,5}-?\d{1,4}(?:-\d{1,3})?")
_QUANTITY = re.compile(r"\d+(?:s|st|nd|rd|th|e|er|re|eme|ème|h|min|k|m|km|kg|gb|go|mo|am|pm|ans?)", re.IGNORECASE)


def _mixed(piece: str) -> bool:
    return any(c.isdigit() for c in piece) and any(c.isalpha() for c in piece)


class MixedTokenRecognizer(GuardRecognizer):
    """A token of at least 5 letters/digits, 2 of them digits, with a piece that mixes letters and
    digits, or a letter prefix on a number of 6 digits or more ("APP-2024-55812"): ID_NUMBER."""

    ENTITIES = ("ID_NUMBER",)
    SCORE = 0.5
    MIN_ALNUM, MIN_DIGITS, LONG_NUMBER = 5, 2, 6

    def find(self, text):
        for m in _TOKEN.finditer(text):
            token = m.group()
            digits = sum(c.isdigit() for c in token)
            if digits < self.MIN_DIGITS or sum(c.isalnum() for c in token) < self.MIN_ALNUM \
                    or _CODE.fullmatch(token) or _QUANTITY.fullmatch(token):
                continue
            pieces = _PIECE.split(token)
            prefixed = any(p.isalpha() for p in pieces) and digits >= self.LONG_NUMBER
            if any(_mixed(p) for p in pieces) or prefixed:
                yield "ID_NUMBER", m.start(), m.end(), self.SCORE


# a login or handle: lower-case pieces joined by "." or "_" (and "-") ("a.benhamou", "nadia_k", "bapt_92"), or "@name"
_JOINED = re.compile(r"(?<![\w@./:\-])(?=[a-z0-9\-]*[._][a-z0-9])[a-z0-9]+(?:[._\-][a-z0-9]+)+(?![\w@]|[.\-]\w)")
YEAR = re.compile(r"(?:19|20)\d{2}")  # a year, never an identifier (also guards/recognizers/stated.py)
MONEY_AFTER = re.compile(r"\s?(?:€|\$|£|eur\b|euros?\b|dollars?\b|pounds?\b|k€)", re.IGNORECASE)  # an amount
_AT_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?(?![\w@])")


class HandleRecognizer(GuardRecognizer):
    """Logins and social handles by their shape, with or without a cue: "login m.okafor", "(nadia_k on
    teams)", "mon insta @mila.v.rose". Not a handle: a domain or URL ("omneseducation.com": a public
    suffix, from tldextract's bundled list), a file name ("cv.pdf": Python's built-in MIME table),
    abbreviations and versions ("e.g.", "v2.0": no piece of 3 letters), two words missing a space
    ("carte.merci"), a capitalised token."""

    ENTITIES = ("ID_NUMBER",)
    SCORE = 0.5

    def find(self, text):
        for m in _AT_HANDLE.finditer(text):
            if sum(c.isalnum() for c in m.group()) >= 2:
                yield "ID_NUMBER", m.start(), m.end(), self.SCORE
        for m in _JOINED.finditer(text):
            if looks_like_handle(m.group()):
                yield "ID_NUMBER", m.start(), m.end(), self.SCORE


def looks_like_handle(token: str) -> bool:
    pieces = _PIECE.split(token)
    if not any(sum(c.isalpha() for c in p) >= 3 for p in pieces) or YEAR.fullmatch(token):
        return False
    if "." not in token:
        return True  # "nadia_k", "bapt_92"
    if _public_suffix(token) or _file_name(pieces[-1]):
        return False
    # joined by "." only: an initial, a digit, "_" or a listed name ("a.benhamou", "lucas.vidal2",
    # "pauline.ferrand"), not two words missing a space ("ma carte.merci")
    return "_" in token or any(c.isdigit() for c in token) or any(len(p) <= 2 for p in pieces) or \
        any(_is_name(p) for p in pieces)


def _file_name(extension: str) -> bool:
    """An extension of Python's built-in MIME table (not the machine's /etc/mime.types, which varies)."""
    return len(extension) >= 2 and _mime_types().guess_type("f." + extension)[0] is not None


def _public_suffix(token: str) -> bool:
    """A domain: its last piece is a public suffix (tldextract's bundled list) and not a name ("j.schmidt",
    "nadia.kim": "schmidt" and "kim" are top-level domains too)."""
    return bool(_extractor()(token).suffix) and not _is_name(_PIECE.split(token)[-1])


def _is_name(piece: str) -> bool:
    from guards.recognizers.names import load_names, load_surnames

    return piece in load_surnames() or piece in load_names()[0]


@cache
def _mime_types() -> mimetypes.MimeTypes:
    return mimetypes.MimeTypes()


@cache
def _extractor():
    """tldextract on its bundled suffix list (never the network)."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

"""Post-processing of analyzer results: drop what the caller allows (public data), merge overlaps,
split long texts into chunks. (Person names: `guards/persons.py`.)"""

from __future__ import annotations

import re

from guards.text import fold
from guards.types import Finding


def _trim_clauses(spans: list[Finding], text: str | None) -> list[Finding]:
    """A special-category disclosure extended to the rest of its clause is split around the other findings
    inside it ("diabète et mon e-mail est x@y.fr": HEALTH, then EMAIL_ADDRESS; "my daughter Chloe carries
    the BRCA1 mutation": HEALTH, PERSON, HEALTH), so each is reported and the visitor is told about each.
    Before round 16 the clause stopped at the first other finding and what followed it stayed in clear."""
    others = [s for s in spans if not s.is_special_category]
    out = list(others)
    for sp in (s for s in spans if s.is_special_category):
        inside = sorted((o for o in others if sp.start < o.end and o.start < sp.end), key=lambda o: o.start)
        if not inside or any(o.start <= sp.start and sp.end <= o.end for o in inside):
            out.append(sp)  # nothing inside, or the whole span is another finding's (merged below)
            continue
        pos = sp.start
        for o in inside + [Finding(sp.entity, sp.end, sp.end, 0.0, "")]:
            a, b = pos, o.start
            if text is not None:  # a piece starts and ends on a letter or digit: placeholders keep their spaces
                while a < b and not text[a].isalnum():
                    a += 1
                while b > a and not text[b - 1].isalnum():
                    b -= 1
            if b > a and (text is None or sum(c.isalnum() for c in text[a:b]) >= 2):
                out.append(Finding(sp.entity, a, b, sp.score, sp.recognizer))
            pos = max(pos, o.end)
    return out


def merge_overlaps(spans: list[Finding], text: str | None = None) -> list[Finding]:
    """Overlapping findings become one covering their union, labelled by the best of them (see
    `Finding.priority`: special category, then shaped identifier, then score). Placeholders never nest.
    `text`: the analysed text, so that a disclosure split around another finding drops bare joining words."""
    spans = _trim_clauses(spans, text)
    merged: list[list[Finding]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < max(s.end for s in merged[-1]):
            merged[-1].append(span)
        else:
            merged.append([span])
    out = []
    for group in merged:
        best = max(group, key=lambda s: s.priority)
        out.append(Finding(best.entity, min(s.start for s in group), max(s.end for s in group), best.score, best.recognizer))
    return out


_TOKENS = re.compile(r"[0-9a-z@]+")


def allow_keys(text: str) -> tuple[str, str]:
    """(digits, " token token ") of a string: numbers compare on their digits whatever the
    separators ("01 40 09 30 00" = "0140093000"), other text on folded word tokens."""
    tokens = _TOKENS.findall(fold(text))
    return "".join(c for c in text if c.isdigit()), " " + " ".join(tokens) + " "


MAX_GAP = 3  # public words a quote may skip ("43 quai de Grenelle, 75015 Paris" of "… Grenelle – Tour Grenelle – 75015 …")
MIN_GAPPED = 4  # …and only a quote of at least this many words, so scattered common words never match


def allowed(value: str, public: tuple[tuple[str, str], ...]) -> bool:
    """True when `value` equals or lies inside one of the public strings (as `allow_keys`), or quotes one
    with a few of its words left out (at most MAX_GAP, in order: a visitor shortens a published address)."""
    digits, words = allow_keys(value)
    alnum = sum(c.isalnum() for c in value)
    if len(digits) >= 6 and len(digits) * 2 >= alnum:
        return any(digits in p_digits for p_digits, _ in public)
    if words.strip() == "":
        return False
    if any(words in p_words for _, p_words in public):
        return True
    tokens = words.split()
    return len(tokens) >= MIN_GAPPED and any(_gapped_in(tokens, p_words.split()) for _, p_words in public)


def _gapped_in(tokens: list[str], public: list[str]) -> bool:
    """`tokens` appear in `public` in order, starting at some word, with at most MAX_GAP public words skipped."""
    for i, word in enumerate(public):
        if word != tokens[0]:
            continue
        j, skipped = i + 1, 0
        for tok in tokens[1:]:
            while j < len(public) and public[j] != tok and skipped <= MAX_GAP:
                j, skipped = j + 1, skipped + 1
            if j >= len(public) or skipped > MAX_GAP:
                break
            j += 1
        else:
            return True
    return False


def chunk_bounds(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Bounded chunks split on whitespace; consecutive chunks overlap by about `overlap` chars so a
    finding shorter than the overlap is always wholly inside one chunk."""
    n = len(text)
    if n <= size:
        return [(0, n)]
    bounds, start = [], 0
    while start < n:
        end = min(start + size, n)
        if end < n:
            cut = max(text.rfind(" ", start + size // 2, end), text.rfind("\n", start + size // 2, end))
            end = cut if cut > start else end
        bounds.append((start, end))
        if end >= n:
            break
        nxt = max(end - overlap, start + 1)
        space = text.find(" ", nxt, end)
        start = space + 1 if space != -1 else nxt
    return bounds

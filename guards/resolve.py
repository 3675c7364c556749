"""Post-processing of analyzer results: tidy NER names, drop what the caller allows (public data),
merge overlaps, split long texts into chunks."""

from __future__ import annotations

import re

from guards.text import fold
from guards.types import Finding

_NAME_TOKEN = re.compile(r"[^\s,;:!?()\"«»]+")
INSTITUTION_WORDS = frozenset(
    ["lycee", "college", "ecole", "universite", "university", "institut", "institute", "rue", "avenue", "boulevard",
     "place", "street", "road", "campus", "salle", "amphi", "batiment", "building", "saint", "sainte", "st", "hopital",
     "hospital", "gare", "station", "metro", "pont", "quai", "allee", "impasse", "fondation", "foundation", "prix",
     "prize", "residence", "stade", "musee", "museum", "parc", "park", "chemin", "cours", "faculte"]
)
_PARTICLES = frozenset(["de", "du", "des", "van", "von", "der", "le", "la", "di", "da", "ben", "el", "al", "bin", "d'"])


class PersonFilter:
    """Keeps NER PERSON spans that look like a person's name: trims greetings and lower-case
    words at the edges, rejects institution/policy words, acronyms and lone sentence-initial words."""

    def __init__(self, not_names: list[str], titles: list[str], min_score: float, known_name=None):
        self.known_name = known_name or (lambda word: False)  # a listed first name or surname
        self.not_names = frozenset(fold(str(w)) for w in not_names)
        self.titles = frozenset(fold(str(w)) for w in titles)
        self.min_score = min_score

    def _is_name_word(self, word: str) -> bool:
        core = word.strip(".'’-")
        return bool(core) and core[0].isupper() and fold(core) not in self.not_names and not any(c.isdigit() for c in core)

    def may_contain_name(self, text: str) -> bool:
        """Cheap gate: can `apply` keep any PERSON in this text? If not, NER need not run.
        True when some name word is not sentence-initial (or follows a title), or two name words
        follow each other (e.g. "Marie Dupont" at the start of a sentence)."""
        words = list(_NAME_TOKEN.finditer(text))
        prev_name = False
        for i, m in enumerate(words):
            word = m.group()
            if not self._is_name_word(word):
                prev_name = prev_name and fold(word) in _PARTICLES
                continue
            if prev_name:
                return True
            before = text[: m.start()].rstrip()
            initial = not before or before[-1] in ".!?\n:"
            prev_word = fold(words[i - 1].group().strip(".")) if i else ""
            core = word.strip(".'’-")
            if not core.isupper() and (not initial or prev_word in self.titles or self.known_name(core)):
                return True
            prev_name = True
        return False

    def apply(self, text: str, span: Finding) -> Finding | None:
        if span.score < self.min_score:
            return None
        words = [(m.start() + span.start, m.end() + span.start, m.group()) for m in _NAME_TOKEN.finditer(text[span.start : span.end])]
        while words and (not self._is_name_word(words[0][2]) or fold(words[0][2].strip(".")) in self.titles):
            words.pop(0)
        while words and not self._is_name_word(words[-1][2]):
            words.pop()
        if not words:
            return None
        for _, _, w in words:
            if not self._is_name_word(w) and fold(w) not in _PARTICLES:
                return None
        if any("@" in w or "/" in w for _, _, w in words):
            return None
        prev = re.findall(r"[\w'’]+", text[max(0, words[0][0] - 40) : words[0][0]])
        if prev and fold(prev[-1]) in INSTITUTION_WORDS:
            return None  # "Lycée Victor Hugo", "rue Jean Jaurès", "Saint Pierre": a place, not a person
        if len(words) == 1:
            word = words[0][2].strip(".'’-")
            if self.known_name(word) and not word.isupper():
                return Finding(span.entity, words[0][0], words[-1][1], span.score, span.recognizer)
            if len(word) < 4 or (word.isupper() and len(word) > 1):
                return None  # acronym (CNIL, OMNES), initial, or a short word NER guessed ("Ads")
            before = text[: words[0][0]].rstrip()
            prev = re.findall(r"[\w.'’]+$", before)
            prev_word = fold(prev[0].strip(".")) if prev else ""
            sentence_initial = not before or before[-1] in ".!?\n:"
            if sentence_initial and prev_word not in self.titles:
                return None
        return Finding(span.entity, words[0][0], words[-1][1], span.score, span.recognizer)


def merge_overlaps(spans: list[Finding]) -> list[Finding]:
    """Overlapping findings become one covering their union, labelled by the best of them (see
    `Finding.priority`: special category, then shaped identifier, then score). Placeholders never nest."""
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


def allowed(value: str, public: tuple[tuple[str, str], ...]) -> bool:
    """True when `value` equals or lies inside one of the public strings (as `allow_keys`)."""
    digits, words = allow_keys(value)
    alnum = sum(c.isalnum() for c in value)
    if len(digits) >= 6 and len(digits) * 2 >= alnum:
        return any(digits in p_digits for p_digits, _ in public)
    return words.strip() != "" and any(words in p_words for _, p_words in public)


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

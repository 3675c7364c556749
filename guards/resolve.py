"""Post-processing of analyzer results: tidy NER names, merge overlaps, build the redacted text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from guards.text import fold
from guards.types import SPECIAL_CATEGORIES


@dataclass
class Span:
    entity: str
    start: int
    end: int
    score: float
    recognizer: str = ""

    @property
    def priority(self) -> tuple:
        return (self.entity in SPECIAL_CATEGORIES, self.end - self.start, self.score)


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

    def __init__(self, not_names: list[str], titles: list[str], min_score: float):
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
            if not word.strip(".'’-").isupper() and (not initial or prev_word in self.titles):
                return True
            prev_name = True
        return False

    def apply(self, text: str, span: Span) -> Span | None:
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
            if len(word) < 2 or (word.isupper() and len(word) > 1):
                return None  # acronym (CNIL, OMNES) or initial
            before = text[: words[0][0]].rstrip()
            prev = re.findall(r"[\w.'’]+$", before)
            prev_word = fold(prev[0].strip(".")) if prev else ""
            sentence_initial = not before or before[-1] in ".!?\n:"
            if sentence_initial and prev_word not in self.titles:
                return None
        return Span(span.entity, words[0][0], words[-1][1], span.score, span.recognizer)


def merge_overlaps(spans: list[Span]) -> list[Span]:
    """Overlapping spans become one span covering their union, labelled by the best of them
    (special category first, then the longer, then the higher score). Placeholders never nest."""
    merged: list[list[Span]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < max(s.end for s in merged[-1]):
            merged[-1].append(span)
        else:
            merged.append([span])
    out = []
    for group in merged:
        best = max(group, key=lambda s: s.priority)
        out.append(Span(best.entity, min(s.start for s in group), max(s.end for s in group), best.score, best.recognizer))
    return out


def redact_text(text: str, spans: list[Span]) -> str:
    parts, cursor = [], 0
    for span in spans:  # sorted, non-overlapping
        parts.append(text[cursor : span.start])
        parts.append(f"[{span.entity}]")
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


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

"""Extractive answers: pick the policy sentences that answer the question, put the key fact
(duration, contact, name) first in the visitor's language, then quote the policy exactly.

Every quote is a contiguous slice of a retrieved chunk's text, so it is exact policy text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from bot import facts
from bot.catalogue import t
from bot.intents import patterns, stems
from bot.types import Citation

_SENT_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[A-Z“\"(])")
_BULLET = re.compile(r"^\s*(?:[•\-*]|\d+\))\s*")
_HOW_CUES = re.compile(r"\b(you (may|can|must)|by (clicking|writing|using|contacting|adjusting|unsubscribing)|settings|write to)\b", re.I)
_WHO_CUES = re.compile(r"\b(by|appointed|represented by|is|are)\s+(the\s+)?[A-Z][a-z]+", re.U)
# Sentences that pointed at a link lost in the plain-text policy ("can be found here.") answer nothing.
_LINK_STUB = re.compile(r"\b(here|the following (page|links?)[^.]*)[.:]?$", re.I)
_BREADCRUMB = re.compile(r"^\s*[\w' -]{1,30}\s[»›>]\s")
# "Cookies are small files...", "A cookie is a small data file..." (answers "what is a cookie?")
_DEFINITION = re.compile(r"^\s*(?:an?\s+|the\s+)?(?P<subj>[A-Za-z]+)\s+(?:is|are)\s+(?:an?\s+|the\s+)?\w+", re.I)
_PURPOSE_CUES = re.compile(r"\b(in order to|purposes?|so that|aim|used? (to|for))\b", re.I)
_RECIPIENT_CUES = re.compile(r"\b(recipients?|send your (personal )?data|disclose|transmitted)\b", re.I)
MIN_UNIT_CHARS = 25


@dataclass(frozen=True)
class Unit:
    """A sentence or bullet of a retrieved chunk (exact slice chunk.text[start:end])."""

    hit: object  # knowledge.types.Hit
    start: int
    end: int
    score: float = 0.0
    stems: frozenset = field(default=frozenset(), compare=False, repr=False)

    @property
    def text(self) -> str:
        return self.hit.chunk.text[self.start:self.end]

    @property
    def chunk(self):
        return self.hit.chunk


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line) for every line of `text` (end excludes the newline)."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def _is_label(line: str) -> bool:
    """A short label line: "The site is hosted by :" or an upper-case sub-heading ("SITE DESIGN")."""
    body = line.strip()
    if not body or len(body) > 60 or _BULLET.match(line):
        return False
    return body.endswith(":") or (len(body) <= 40 and body.upper() == body and any(c.isalpha() for c in body))


def split_units(text: str) -> list[tuple[int, int]]:
    """Offsets of bullets and sentences in a chunk text (bullet markers excluded).

    A label line followed by a short value line ("The site is hosted by :" / "PLATFORM.SH") is one
    unit, so a "who hosts..." question finds the value next to its label. Breadcrumbs
    ("Home » ...") are navigation, not policy content, and are skipped."""
    spans: list[tuple[int, int]] = []
    lines = [x for x in _lines(text) if x[2].strip()]
    i = 0
    while i < len(lines):
        a0, b0, line = lines[i]
        if _is_label(line) and i + 1 < len(lines) and len(lines[i + 1][2].strip()) <= 60 \
                and not _BULLET.match(lines[i + 1][2]):
            j = i + 1
            while _is_label(lines[j][2]) and j + 1 < len(lines) and len(lines[j + 1][2].strip()) <= 60 \
                    and not _BULLET.match(lines[j + 1][2]):
                j += 1
            start = a0 + len(line) - len(line.lstrip())
            spans.append((start, lines[j][0] + len(lines[j][2].rstrip())))
            i = j + 1
            continue
        i += 1
        if _BREADCRUMB.match(line):
            continue
        body = line.rstrip()
        m = _BULLET.match(body)
        offset = m.end() if m else len(body) - len(body.lstrip())
        body = body[offset:]
        s = 0
        for piece in _SENT_SPLIT.split(body):
            idx = body.find(piece, s)
            if idx < 0:
                continue
            a = a0 + offset + idx
            spans.append((a, a + len(piece.rstrip())))
            s = idx + len(piece)
    return spans


def is_bullet(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_BULLET.match(text[line_start:start + 1]))


def list_span(text: str, start: int, end: int, *, whole: bool, max_chars: int = 2400) -> tuple[int, int]:
    """Extend a unit to the bullet list it introduces (a unit ending with ":") or, with `whole`,
    to the whole list a bullet belongs to (its intro line and every bullet). Exact offsets."""
    lines = _lines(text)
    idx = next((k for k, (a, b, _) in enumerate(lines) if a <= start <= b), None)
    if idx is None:
        return start, end
    new_start = start
    if whole and is_bullet(text, start):
        k = idx
        while k > 0 and (_BULLET.match(lines[k - 1][2]) or not lines[k - 1][2].strip()):
            k -= 1
        if k > 0 and lines[k - 1][2].rstrip().endswith(":"):
            k -= 1
        first = lines[k][2]
        m = _BULLET.match(first)  # no intro line in this chunk: start at the first bullet's text
        new_start = lines[k][0] + (m.end() if m else len(first) - len(first.lstrip()))
    elif not text[start:end].rstrip().endswith(":"):
        return start, end
    last = max(end, next((b for a, b, _ in lines if a <= end <= b), end))
    for a, b, line in lines[idx + 1:]:
        if not line.strip():
            continue
        if not _BULLET.match(line) or b - new_start > max_chars:
            break
        last = a + len(line.rstrip())
    return new_start, last


class Composer:
    """Scores policy units against a question; IDF comes from the whole knowledge base.

    Units (offsets and stems) are computed once per chunk at start-up, so scoring a question is
    set arithmetic only."""

    def __init__(self, chunks):
        df: Counter = Counter()
        n = 0
        self._units: dict[str, tuple[tuple[int, int, frozenset], ...]] = {}
        self._heading: dict[str, frozenset] = {}
        for chunk in chunks:
            spans = self._chunk_units(chunk)
            for _a, _b, st in spans:
                df.update(st)
                n += 1
        self._n = max(n, 1)
        self._df = df

    def _chunk_units(self, chunk) -> tuple[tuple[int, int, frozenset], ...]:
        cached = self._units.get(chunk.chunk_id)
        if cached is None:
            text = chunk.text
            cached = tuple((a, b, frozenset(stems(text[a:b]))) for a, b in split_units(text))
            self._units[chunk.chunk_id] = cached
            self._heading[chunk.chunk_id] = frozenset(stems(chunk.heading))
        return cached

    def spans(self, chunk) -> list[tuple[int, int]]:
        """(start, end) of every unit of a chunk (cached)."""
        return [(a, b) for a, b, _ in self._chunk_units(chunk)]

    def heading_stems(self, chunk) -> frozenset:
        self._chunk_units(chunk)
        return self._heading[chunk.chunk_id]

    def known(self, term: str) -> bool:
        return bool(self._df.get(term))

    def idf(self, term: str) -> float:
        return math.log(1 + self._n / (1 + self._df.get(term, 0)))

    def coverage(self, text: str | frozenset | set, terms: set[str], *, known_only: bool = False) -> float:
        """IDF-weighted share of the question's terms that `text` (or a stem set) contains (0..1). With
        `known_only`, terms the policy never uses are ignored (French words left untranslated)."""
        if known_only:
            terms = {x for x in terms if self._df.get(x)}
        total = sum(self.idf(x) for x in terms)
        have = text if isinstance(text, (set, frozenset)) else stems(text)
        return sum(self.idf(x) for x in terms & have) / total if total else 0.0

    def units(self, hits) -> list[Unit]:
        out = []
        for hit in hits:
            text, heading = hit.chunk.text, hit.chunk.heading.strip()
            for a, b, st in self._chunk_units(hit.chunk):
                piece = text[a:b]
                if piece.strip() == heading:
                    continue
                if b - a >= MIN_UNIT_CHARS or "\n" in piece or (facts.entities(piece) and _whole_line(text, a, b)):
                    out.append(Unit(hit, a, b, stems=st))
        return out

    def score(self, units: list[Unit], terms: set[str], qtype: str | None,
              topic_terms: set[str] | None = None) -> list[Unit]:
        """Units with scores, best first. Lexical IDF coverage + question-type cue + retrieval prior.
        `topic_terms` (the question's content words without its question-type vocabulary) add a
        bonus, so "contracts and guarantees" beats any sentence that merely states a duration."""
        if not units:
            return []
        total = sum(self.idf(x) for x in terms) or 1.0
        topic_total = sum(self.idf(x) for x in topic_terms or ()) or 0.0
        best_hit = max(u.hit.score for u in units) or 1.0
        scored = []
        for u in units:
            text, st = u.text, u.stems or frozenset(stems(u.text))
            cover = sum(self.idf(x) for x in terms & st) / total
            cue = 0.0
            if qtype == "duration":
                cue = 0.35 if facts.durations(text) else -0.25
            elif qtype == "contact":
                cue = 0.35 if (facts.emails(text) or facts.dpo_address(text)) else -0.1
            elif qtype == "who":
                cue = (0.3 if facts.entities(text) else 0.0) + (0.15 if _WHO_CUES.search(text) else 0.0)
            elif qtype == "how":  # the more procedural ("you can ... by using ... settings"), the better
                cue = 0.15 * min(2, len({m.group(0).lower() for m in _HOW_CUES.finditer(text)}))
            elif qtype == "definition":
                m = _DEFINITION.match(text)
                cue = 0.5 if m and stems(m.group("subj")) & terms else 0.0
            elif qtype == "purpose":
                cue = 0.3 if _PURPOSE_CUES.search(text) else 0.0
                cue += 0.15 if text.rstrip().endswith(":") else 0.0
            elif qtype == "recipients":
                cue = 0.3 if _RECIPIENT_CUES.search(text) else 0.0
                cue += 0.15 if text.rstrip().endswith(":") else 0.0
            if topic_total:
                cue += 0.3 * sum(self.idf(x) for x in topic_terms & st) / topic_total
            if _LINK_STUB.search(text.strip()):
                cue -= 0.5
            cue += 0.25 * self.coverage(self.heading_stems(u.chunk), terms)  # the section is about the question
            prior = 0.35 * (u.hit.score / best_hit) - 0.02 * u.hit.rank
            scored.append(Unit(u.hit, u.start, u.end, cover + cue + prior, stems=st))
        scored.sort(key=lambda u: -u.score)
        return scored

    def choose(self, scored: list[Unit], qtype: str | None, *, max_units: int = 3) -> list[Unit]:
        """The best unit plus close runners-up (same section first), no duplicates. A unit that
        introduces a list ("...in order to:") comes with its bullets; for "why" and "who receives"
        questions a best unit that is one bullet comes with its whole list."""
        if not scored:
            return []
        best = scored[0]
        keep = [best]
        limit = max_units if qtype == "duration" else 2
        ratio = 0.8 if qtype == "duration" else 0.85
        seen = {_norm(best.text)}
        for u in scored[1:]:
            if len(keep) >= limit:
                break
            if u.score < ratio * best.score or _norm(u.text) in seen:
                continue
            if qtype == "duration" and not facts.durations(u.text):
                continue
            if u.chunk.audience != best.chunk.audience and u.chunk.audience not in ("general", "cookies"):
                continue  # never mix audiences in one answer
            keep.append(u)
            seen.add(_norm(u.text))
        out: list[Unit] = []
        for i, u in enumerate(keep):
            a, b = list_span(u.chunk.text, u.start, u.end,
                             whole=i == 0 and qtype in ("purpose", "recipients"))
            if (a, b) != (u.start, u.end):
                u = Unit(u.hit, a, b, u.score)
            if any(o.chunk.chunk_id == u.chunk.chunk_id and o.start <= u.start and u.end <= o.end for o in out):
                continue
            out = [o for o in out if not (o.chunk.chunk_id == u.chunk.chunk_id and u.start <= o.start and o.end <= u.end)]
            out.append(u)
        return out


def _whole_line(text: str, a: int, b: int) -> bool:
    return (a == 0 or text[a - 1] == "\n" or not text[text.rfind("\n", 0, a) + 1:a].strip()) and \
        (b == len(text) or text[b] == "\n")


def same_wording(a: str, b: str, threshold: float = 0.85) -> bool:
    """Textually identical or near-identical sentences: the smaller word set is (almost) contained
    in the other and both state the same numbers (the same paragraph repeated across audience
    parts, possibly with a clause added)."""
    x, y = set(_norm(a).split()), set(_norm(b).split())
    if min(len(x), len(y)) < 4 or facts.numbers_in(a) != facts.numbers_in(b):
        return False
    return len(x & y) / min(len(x), len(y)) >= threshold


def similar(a: str, b: str, threshold: float = 0.75) -> bool:
    """Near-identical wording (the same paragraph repeated across audience parts)."""
    x, y = set(_norm(a).split()), set(_norm(b).split())
    return bool(x or y) and len(x & y) / len(x | y) >= threshold


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def audience_label(audience: str, lang: str) -> str:
    key = f"aud_{audience}"
    try:
        return t(key, lang)
    except KeyError:
        return audience


def where(chunk, lang: str) -> str:
    section = chunk.section
    sec_label = t(f"sec_{section}", lang) if section in ("I", "II", "III", "IV", "V", "VI", "VII", "VIII") else chunk.heading
    return t("section_where", lang, audience=audience_label(chunk.audience, lang), section=sec_label)


def citations_for(units: list[Unit]) -> list[Citation]:
    """One citation per chunk; units of one chunk merge into one exact contiguous quote when adjacent."""
    by_chunk: dict[str, list[Unit]] = {}
    order: list[str] = []
    for u in units:
        key = u.chunk.chunk_id
        if key not in by_chunk:
            by_chunk[key] = []
            order.append(key)
        by_chunk[key].append(u)
    out: list[Citation] = []
    for key in order:
        group = sorted(by_chunk[key], key=lambda u: u.start)
        chunk = group[0].chunk
        spans: list[list[int]] = []
        for u in group:
            gap = chunk.text[spans[-1][1]:u.start] if spans else None
            if spans and gap is not None and len(gap) <= 12 and not gap.strip(" \t\n•"):
                spans[-1][1] = max(spans[-1][1], u.end)
            else:
                spans.append([u.start, u.end])
        score = max(u.hit.score for u in group)
        for a, b in spans:
            out.append(Citation(chunk.section_id, chunk.audience, chunk.heading, chunk.text[a:b], score))
    return out


def topic_for(text: str, span: tuple[int, int]) -> str | None:
    """Catalogue topic key for the duration at `span` of a policy sentence."""
    topics = patterns().topics
    folded = facts.fold(text)
    a, b = span
    windows = (folded[b:b + 90], folded[max(0, a - 120):a], folded)
    for window in windows:
        for name, rx in topics.items():
            if rx.search(window):
                return f"topic_{name}"
    return None


def duration_facts(units: list[Unit], lang: str) -> list[str]:
    out: list[str] = []
    for u in units:
        text = u.text
        found = facts.durations(text)
        labels = [topic_for(text, d.span) for d in found]
        # Durations sharing a topic are rendered together: "1 an, 6 ans (documents ...)".
        groups: list[tuple[str | None, list[str]]] = []
        for d, label in zip(found, labels, strict=True):
            rendered = d.render(lang)
            if groups and groups[-1][0] == label:
                if rendered not in groups[-1][1]:
                    groups[-1][1].append(rendered)
            else:
                groups.append((label, [rendered]))
        for label, values in groups:
            item = ", ".join(values) + (f" ({t(label, lang)})" if label else "")
            if item not in out:
                out.append(item)
    return out


def contact_facts(units: list[Unit]) -> tuple[str | None, str | None]:
    email = address = None
    for u in units:
        text = u.chunk.text
        email = email or next(iter(facts.emails(u.text)), None)
        address = address or facts.dpo_address(u.text)
        if email is None:
            # the email often sits on the line after the address inside the same chunk
            email = next(iter(facts.emails(text[u.start:u.end + 200])), None)
    return email, address


def direct_answer(units: list[Unit], qtype: str | None, lang: str, *, rank=None) -> tuple[str, list[str]]:
    """The sentence that goes first, and the facts it states (for the trace).

    `rank(unit) -> float` orders the units whose figures are stated (best match to the question's
    content words first), so the figure the visitor asked about leads, not the first one found."""
    if not units:
        return "", []
    if qtype == "contact" or (qtype in ("who", "how") and any(facts.emails(u.text) for u in units)):
        email, address = contact_facts(units)
        if email and address:
            return t("contact_direct", lang, email=email, address=address), [email, address]
        if email:
            return t("contact_email_only", lang, email=email), [email]
    if qtype == "duration" or (lang == "fr" and any(facts.durations(u.text) for u in units[:1])):
        ordered = sorted(units, key=lambda u: -rank(u)) if rank else units
        items = duration_facts(ordered, lang)
        if items:
            return t("in_short", lang, facts="; ".join(items)), items
    if qtype == "who":
        for u in units:
            found = facts.entities(u.text)
            if found:
                return t("in_short", lang, facts=found[0]), found[:1]
    return t("policy_says", lang, where=where(units[0].chunk, lang)), []


def render(direct: str, citations: list[Citation], lang: str) -> str:
    """Direct answer, then each quote with its section label (quotes stay in English)."""
    parts = [direct] if direct else []
    label = t("quote_label", lang)
    for c in citations:
        chunk_like = _ChunkLike(c)
        header = t("quote_header", lang, label=label, where=where(chunk_like, lang))
        open_q, close_q = ("« ", " »") if lang == "fr" else ("“", "”")
        parts.append(f"{header}\n{open_q}{c.quote}{close_q}")
    return "\n\n".join(parts)


class _ChunkLike:
    def __init__(self, c: Citation):
        self.audience = c.audience
        self.heading = c.heading
        section = c.section_id.split("/", 1)[-1].split("-", 1)[0]
        self.section = section

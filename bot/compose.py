"""Extractive answers: pick the policy sentences that answer the question, put the key fact
(duration, contact, name) first in the visitor's language, then quote the policy exactly.

Every quote is a contiguous slice of a retrieved chunk's text, so it is exact policy text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

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
MIN_UNIT_CHARS = 25


@dataclass(frozen=True)
class Unit:
    """A sentence or bullet of a retrieved chunk (exact slice chunk.text[start:end])."""

    hit: object  # knowledge.types.Hit
    start: int
    end: int
    score: float = 0.0

    @property
    def text(self) -> str:
        return self.hit.chunk.text[self.start:self.end]

    @property
    def chunk(self):
        return self.hit.chunk


def split_units(text: str) -> list[tuple[int, int]]:
    """Offsets of bullets and sentences in a chunk text (bullet markers excluded)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        body = line.rstrip()
        m = _BULLET.match(body)
        offset = m.end() if m else len(body) - len(body.lstrip())
        body = body[offset:]
        if not body.strip():
            continue
        s = 0
        for piece in _SENT_SPLIT.split(body):
            idx = body.find(piece, s)
            if idx < 0:
                continue
            a = line_start + offset + idx
            spans.append((a, a + len(piece.rstrip())))
            s = idx + len(piece)
    return spans


class Composer:
    """Scores policy units against a question; IDF comes from the whole knowledge base."""

    def __init__(self, chunks):
        df: Counter = Counter()
        n = 0
        for chunk in chunks:
            for a, b in split_units(chunk.text):
                df.update(stems(chunk.text[a:b]))
                n += 1
        self._n = max(n, 1)
        self._df = df

    def idf(self, term: str) -> float:
        return math.log(1 + self._n / (1 + self._df.get(term, 0)))

    def coverage(self, text: str, terms: set[str], *, known_only: bool = False) -> float:
        """IDF-weighted share of the question's terms that `text` contains (0..1). With
        `known_only`, terms the policy never uses are ignored (French words left untranslated)."""
        if known_only:
            terms = {x for x in terms if self._df.get(x)}
        total = sum(self.idf(x) for x in terms)
        return sum(self.idf(x) for x in terms & stems(text)) / total if total else 0.0

    def units(self, hits) -> list[Unit]:
        out = []
        for hit in hits:
            for a, b in split_units(hit.chunk.text):
                if b - a >= MIN_UNIT_CHARS and hit.chunk.text[a:b].strip() != hit.chunk.heading.strip():
                    out.append(Unit(hit, a, b))
        return out

    def score(self, units: list[Unit], terms: set[str], qtype: str | None) -> list[Unit]:
        """Units with scores, best first. Lexical IDF coverage + question-type cue + retrieval prior."""
        if not units:
            return []
        total = sum(self.idf(x) for x in terms) or 1.0
        best_hit = max(u.hit.score for u in units) or 1.0
        scored = []
        for u in units:
            text = u.text
            cover = sum(self.idf(x) for x in terms & stems(text)) / total
            cue = 0.0
            if qtype == "duration":
                cue = 0.35 if facts.durations(text) else -0.25
            elif qtype == "contact":
                cue = 0.35 if (facts.emails(text) or facts.dpo_address(text)) else -0.1
            elif qtype == "who":
                cue = (0.15 if facts.names(text) else 0.0) + (0.25 if _WHO_CUES.search(text) else 0.0)
            elif qtype == "how":
                cue = 0.15 if _HOW_CUES.search(text) else 0.0
            if _LINK_STUB.search(text.strip()):
                cue -= 0.5
            cue += 0.25 * self.coverage(u.chunk.heading, terms)  # the section is about the question
            prior = 0.35 * (u.hit.score / best_hit) - 0.02 * u.hit.rank
            scored.append(Unit(u.hit, u.start, u.end, cover + cue + prior))
        scored.sort(key=lambda u: -u.score)
        return scored

    def choose(self, scored: list[Unit], qtype: str | None, *, max_units: int = 3) -> list[Unit]:
        """The best unit plus close runners-up (same section first), no duplicates."""
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
        return keep


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


def direct_answer(units: list[Unit], qtype: str | None, lang: str) -> tuple[str, list[str]]:
    """The sentence that goes first, and the facts it states (for the trace)."""
    if not units:
        return "", []
    if qtype == "contact" or (qtype in ("who", "how") and any(facts.emails(u.text) for u in units)):
        email, address = contact_facts(units)
        if email and address:
            return t("contact_direct", lang, email=email, address=address), [email, address]
        if email:
            return t("contact_email_only", lang, email=email), [email]
    if qtype == "duration" or (lang == "fr" and any(facts.durations(u.text) for u in units[:1])):
        items = duration_facts(units, lang)
        if items:
            return t("in_short", lang, facts="; ".join(items)), items
    if qtype == "who":
        found = [n for n in facts.names(units[0].text) if n not in ("In", "The", "We", "You")]
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

"""From ranked answer units to what the answer rests on: whether the policy answers at all (the
ranker's calibrated not-found threshold, the learned answerability check, then whether the
answer's section states the kind of value asked: a name, a phone number, an amount...), whether the answer
depends on who is asking (the best statements of several audience parts differ), and which units to
quote (the best one, with close runners-up of the same section; a list's intro with its items when
the question wants a list)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge import facts, values
from knowledge.query import Query
from knowledge.retrieve import SHARED_AUDIENCES, Retriever, UnitHit

LIST_TYPES = ("recipients", "purpose", "data_list", "security")
MAX_QUOTE = 2400  # a whole list up to this length is quoted for a list question (knowledge.units links lists this long)
MAX_TOTAL = 1800  # characters quoted in one answer at most
RUNNER_UP = 0.6  # a unit of the same section within this share of the best score is quoted too
NEIGHBOUR = 0.3  # a unit next to the best one within this share of its score joins its quote
PART_CANDIDATE = 0.8  # an audience part competes when its best unit reaches this share of the best
SAME_SECTION = 0.6  # …or this share when it sits in the same section (calibrated on dev + blind A + dialogues 1)
# A part asked for itself answers the question when the answerability check gives it this much: the check's own
# cut keeps 98 % of answerable questions ranked as usual, but naming the part sharpens the ranking and lifts the
# check, so that near-topic questions the policy is silent on pass it too ("have you had data breaches?": 0.13-
# 0.16 in every part, "Hotjar": 0.32-0.34). 0.5 is the balanced check's own boundary: "what do you do with my bank
# details", "do you share my information with outside companies?" read 0.84-0.99 (all answer and dialogue
# sets, round 35, 20,744 cases: at the plain cut 40 gained and 25 lost, at 0.5 36 gained and 3 lost; README).
PART_ANSWERS = 0.5
LIST_LEVEL = 0.65  # an intro ranked first whose best item scores below this share of it answers with its whole list
# (dialogue sets 1-46, 10,025 turns, against lead-the-item: 0.5 +60 turns right, 0.65 +83 -2; round 31)


@dataclass
class Composition:
    hits: list[UnitHit]
    found: bool
    chosen: list[UnitHit] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # quote offsets in the source, per chosen unit
    conflict: list[str] = field(default_factory=list)  # audiences to ask about (empty: no need)
    answerable: float | None = None  # the answerability check's probability (None: not applied)
    missing: str | None = None  # the kind of value asked that the answer's section never states


def _norm(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def same_statement(a: str, b: str) -> bool:
    """The same sentence repeated across audience parts (possibly with a clause added)."""
    x, y = _norm(a), _norm(b)
    if min(len(x), len(y)) < 3 or facts.numbers_in(a) != facts.numbers_in(b):
        return False
    return len(x & y) / min(len(x), len(y)) >= 0.85


_PIECES = re.compile(r"(?<=[.;:!?])\s+|\n+")


def same_quote(a: str, b: str) -> bool:
    """Two quotes give the visitor the same answer: at most one sentence or list item of the two has no
    `same_statement` in the other (a list with one right more is the same list of rights; lists whose items
    differ, or a rule with another example, are different answers), or one is a single statement the other
    contains (a part's best unit is the complaint bullet, another part's the list of rights that holds it)."""
    pa, pb = ([p for p in _PIECES.split(t) if len(_norm(p)) >= 3] or [t] for t in (a, b))
    a_out = sum(not any(same_statement(x, y) for y in pb) for x in pa)
    b_out = sum(not any(same_statement(y, x) for x in pa) for y in pb)
    return a_out + b_out <= 1 or (len(pa) == 1 and a_out == 0) or (len(pb) == 1 and b_out == 0)


def audience_conflict(hits: list[UnitHit], retriever: Retriever, answer_type: str | None = None) -> list[str]:
    """Audience parts whose best statements answer the question differently ([] if none do). A
    statement is what would be quoted: a list intro with its items, and for a question that wants a
    list (`LIST_TYPES`) an item's whole list — the same first item can head different lists."""
    top = hits[0]
    askable = retriever.profile_audiences(askable=True)
    if top.unit.audience not in askable:
        return []  # the best answer applies to everyone (general part, cookies) or is about a topic part
    kind = top.unit.section_id.rsplit("/", 1)[-1]
    best: dict[str, UnitHit] = {}
    for h in hits:
        aud = h.unit.audience
        share = SAME_SECTION if h.unit.section_id == f"{aud}/{kind}" else PART_CANDIDATE
        if aud in askable and aud not in best and h.score >= share * top.score:
            best[aud] = h
    def quoted(h: UnitHit) -> str:  # its statement: a list with its items, an example with the rule it illustrates
        u = h.unit
        a, b = (u.group_start, u.group_end) if answer_type in LIST_TYPES and u.kind in ("intro", "bullet") \
            else (u.quote_start, u.quote_end)
        return retriever.source_text[a:b] or u.text

    if len(best) < 2 or all(same_quote(quoted(h), quoted(top)) for h in best.values()):
        return []
    return [a for a in askable if f"{a}/{kind}" in retriever.section_ids] or sorted(best)


def _span(hit: UnitHit, answer_type: str | None, scores: dict, neighbours: dict) -> tuple[int, int]:
    """What to quote for a chosen unit: its own quote, the whole list for a list question, and the
    units right next to it when they also match (the rule an example illustrates, the second half of
    a definition, the sentence that completes a yes/no answer)."""
    u = hit.unit
    a, b = u.quote_start, u.quote_end
    if u.kind in ("intro", "bullet") and (answer_type in LIST_TYPES or u.kind == "intro") \
            and u.group_end - u.group_start <= MAX_QUOTE:
        return min(a, u.group_start), max(b, u.group_end)
    prev_u, next_u = neighbours.get(u.unit_id, (None, None))
    for v in (prev_u, next_u):
        if v is not None and (scores.get(v.unit_id, 0.0) >= NEIGHBOUR * hit.score or v.quote_start == u.start):
            a, b = min(a, v.quote_start), max(b, v.quote_end)
    return a, b


def lead_item(hits: list[UnitHit]) -> list[UnitHit]:
    """A list intro ("In particular, we use your data:") never answers by itself: when it ranks first,
    its best-ranked item leads and the intro follows as context (quoted with it)."""
    top = hits[0]
    if top.unit.kind != "intro":
        return hits
    item = _best_item(hits)
    return hits if item is None else [item, top, *(h for h in hits[1:] if h is not item)]


def _best_item(hits: list[UnitHit]) -> UnitHit | None:
    top = hits[0]
    return next((h for h in hits[1:] if h.unit.kind == "bullet" and h.unit.section_id == top.unit.section_id
                 and h.unit.group_start == top.unit.group_start), None)


def about_the_list(hits: list[UnitHit]) -> bool:
    """The question is about a list as a whole ("who gets it?", "what rights do I have?"): its intro ranks
    first and none of its items comes near it (below `LIST_LEVEL` of the intro's score). Then the whole
    list is the answer, intro first; an item close to its intro ("do recovery agencies get it?") leads."""
    if not hits or hits[0].unit.kind != "intro":
        return False
    item, intro = _best_item(hits), hits[0].unit
    return item is not None and item.score < LIST_LEVEL * hits[0].score \
        and intro.group_end - intro.group_start <= MAX_QUOTE


def choose(hits: list[UnitHit], answer_type: str | None, retriever: Retriever) -> tuple[list[UnitHit], list[tuple[int, int]]]:
    whole = about_the_list(hits)
    hits = lead_item(hits)  # runners-up are measured against the best statement (an item), never an intro
    top = hits[0]
    chosen = [top]
    for h in hits[1:]:
        if len(chosen) >= 3 or h.score < RUNNER_UP * top.score:
            continue
        if h.unit.section_id != top.unit.section_id or any(same_statement(h.unit.text, c.unit.text) for c in chosen):
            continue
        if answer_type == "duration" and not facts.durations(h.unit.text):
            continue
        chosen.append(h)
    if whole:  # the intro, quoted with its whole list, reads first
        chosen = [hits[1], *(c for c in chosen if c is not hits[1])]
    scores = {h.unit.unit_id: h.score for h in hits}
    spans: list[tuple[int, int]] = []
    total = 0
    for h in chosen:
        a, b = _span(h, answer_type, scores, retriever.neighbours)
        if any(x <= a and b <= y for x, y in spans) or (spans and total + b - a > MAX_TOTAL):
            continue
        spans = [(x, y) for x, y in spans if not (a <= x and y <= b)] + [(a, b)]
        total += b - a
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):  # overlapping or touching quotes become one
        if merged and a <= merged[-1][1] + 2:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return chosen, merged


RANK_K = 60


def rank(retriever: Retriever, query: Query, audience: str | None) -> list[UnitHit]:
    """The units for a question, best first, with the audience it is answered for as a signal."""
    return retriever.rank(query, k=RANK_K, named=audience)


def compose(retriever: Retriever, query: Query, *, audience: str | None, answer_type: str | None,
            threshold: float, ask_audience: bool = True, hits: list[UnitHit] | None = None) -> Composition:
    """`hits`: the question's ranking when the caller has it already (ranked with this audience)."""
    hits = hits if hits is not None else rank(retriever, query, audience)
    if audience and audience in retriever.audiences:  # that part, and the parts that apply to everyone
        hits = _within(hits, audience, retriever)
    found, p = retriever.answered(query, hits, threshold)
    slot = values.missing(query, hits, retriever.values)  # also names what is missing when the check refused
    if not found and slot is None and not audience and ask_audience:
        parts = answered_parts(retriever, query, threshold)
        if len(parts) >= 2:  # answered in several visitors' parts, by none clearly overall: ask who they are
            return Composition(hits, True, answerable=p, conflict=parts)
    if not found or slot is not None:
        return Composition(hits, False, answerable=p, missing=slot)
    comp = Composition(hits, True, answerable=p)
    if not (audience and audience in retriever.audiences) and ask_audience:
        comp.conflict = audience_conflict(hits, retriever, answer_type)
        if comp.conflict:
            return comp
    comp.chosen, comp.spans = choose(hits, answer_type, retriever)
    return comp


def _within(hits: list[UnitHit], audience: str, retriever: Retriever) -> list[UnitHit]:
    return [h for h in hits if h.unit.audience in (audience, *SHARED_AUDIENCES, *retriever.topic_parts)]


def answered_parts(retriever: Retriever, query: Query, threshold: float) -> list[str]:
    """The visitors' parts whose own ranking answers the question (the same checks as for a visitor who
    said who they are). A question nobody's part answers clearly may still be answered by each of them:
    "where did you get my data from?" spreads the ranking over five parts' sources sections, so that no
    unit clears the not-found threshold, while each part, asked for itself, answers it."""
    own = {}
    for aud in retriever.profile_audiences(askable=True):
        hits = _within(rank(retriever, query, aud), aud, retriever)
        if hits and hits[0].unit.audience == aud and values.missing(query, hits, retriever.values) is None:
            own[aud] = hits
    checked = retriever.answered_each(query, list(own.values()), threshold)
    return [aud for aud, (found, p) in zip(own, checked, strict=True) if found and (p is None or p >= PART_ANSWERS)]


def shared(audience: str) -> bool:
    return audience in SHARED_AUDIENCES

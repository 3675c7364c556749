"""Answer a policy question: compose from the ranked units, then say it.

- not answered by the policy → say so plainly (a refusal, no citation), naming the closest section;
- the answer depends on the audience and nobody said which → ask, and keep the question pending;
- otherwise → the direct answer first, the exact quotes as citations, quick replies for the
  other audiences when the answer came from one audience's part."""

from __future__ import annotations

from dataclasses import replace

from bot import conversation
from bot.answers import Reply, compose, render
from bot.answers.rights import is_rights_section, policy_contact, right_unit
from bot.answers.rights_answer import cite_units, how_to_exercise
from bot.catalogue import t
from bot.conversation import State, Turn
from knowledge.query import CONTINUITY_WEIGHT, Query, follow_up, with_text
from knowledge.retrieve import ORGANISATION_PART, Retriever, UnitHit

TOPIC_READING = 10  # the topic's part must be among the message's best units for the topic to settle it
STRONG = 2.5  # "clearly answered": this many times the not-found threshold (bounded below 1)
QUOTE_CHARS = 400  # a refusal that names what the policy does say there quotes at most this much of it


def strong_evidence(threshold: float) -> float:
    return min(0.9, max(STRONG * threshold, threshold + 0.2))


def starters(lang: str) -> list[dict]:
    return [{"label": t(f"starter_{i}", lang), "value": t(f"starter_{i}", lang)} for i in (1, 2, 3)]


def _audience_replies(audiences: list[str], lang: str) -> list[dict]:
    """Quick replies naming an audience: the widget sends `value` (the slug) as the message and as
    the request's `audience`, so the pending question is answered for it."""
    return [{"label": t(f"qr_{a}", lang), "value": a} for a in audiences]


def _shortened(text: str, limit: int = QUOTE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _hits_trace(hits, n: int = 8) -> list[dict]:
    return [{"section_id": h.unit.section_id, "score": round(h.score, 4), "dense": round(h.dense, 4),
             "bm25": round(h.bm25, 3), "text": h.unit.text[:160]} for h in hits[:n]]


def outside_topic(part: str | None, own) -> bool:
    """A new question has left the part about who processes the data (the controller, the DPO, the publisher:
    `ORGANISATION_PART`) when its own reading (`own`: the message's ranking) has none of that part's units among
    its best TOPIC_READING: "who do you share my data with?" after "who is the controller?" asks about the
    visitor's own data, which depends on who they are, while "and in Switzerland?" still asks about the
    representatives. Not for the cookie part: "how long do they stay?" after a cookie question refers to the
    cookies, and read alone it ranks the retention sections, as a question about one's own data does (round 33,
    dialogue sets 1-50: the cookie part too cost 13 turns for 4)."""
    return part == ORGANISATION_PART and own is not None \
        and not any(h.unit.audience == part for h in own[:TOPIC_READING])


def _settle_from_context(query: Query, q: Query, turn: Turn, state: State, retriever: Retriever,
                         threshold: float, answer_type: str | None):
    """The message alone would need the visitor's situation; the conversation may already settle it
    (asking is the last resort): after an answer from a part that applies to everyone (cookies, the
    DPO), a message that reads as about that topic is answered from it ("how long do they last?");
    after an answer for one audience part, the message is answered for that part. None: it does not."""
    last = state.last
    if last is None or last.kind != "answer" or not last.section_ids:
        return None
    part = conversation.part_of(last.section_ids[0])
    if compose.shared(part):
        t2 = turn if turn.context else replace(turn, question=f"{query.text} — {last.question}"[:conversation.MAX_QUESTION_CHARS],
                                               rewritten=True, context=last.question)
        q2 = q if turn.context else follow_up(query, last.question, t2.question)
        ranked = compose.rank(retriever, q2, part)
        if not any(h.unit.audience == part for h in ranked[:TOPIC_READING]):
            return None  # the message does not read as about that topic at all
        hits = [h for h in ranked if h.unit.audience == part]  # that topic, as a part
        comp = compose.compose(retriever, q2, audience=None, answer_type=answer_type, threshold=threshold,
                               ask_audience=False, hits=hits)
        return (q2, t2, comp) if comp.found and comp.chosen else None
    if last.audience in retriever.audiences and last.audience != turn.audience:
        t2 = replace(turn, audience=last.audience)
        comp = compose.compose(retriever, q, audience=last.audience, answer_type=answer_type, threshold=threshold,
                               ask_audience=False)
        return (q, t2, comp) if comp.found else None
    return None


def _with_how_to_exercise(text: str, cites: list, section_id: str, retriever: Retriever, lang: str):
    """An answer from a rights section ("can I have it deleted?", "what rights do I have over the footage?")
    also says how to exercise the right, with the policy's own contact lines, unless it already quotes them."""
    if not is_rights_section(retriever, section_id):
        return text, cites
    contact = policy_contact(retriever, [section_id])
    if not contact.email or contact.email in text + " ".join(c.quote for c in cites):
        return text, cites
    quoted = [(c.start, c.end) for c in cites]
    units = [u for u in contact.units if not any(a <= u.quote_start and u.quote_end <= b for a, b in quoted)]
    return f"{text}\n\n{how_to_exercise(contact, lang)}", cites + cite_units(retriever, units, lang)


def _lead_with_the_right(comp, right: str | None, retriever: Retriever, answer_type: str | None):
    """A question about one right answered from a rights section quotes that right's own line first ("is
    deleting my stuff a right I have?" -> the erasure bullet, not the consent one retrieval ranked first);
    unchanged when the section does not state it or the answer already quotes it."""
    section = comp.chosen[0].unit.section_id if comp.chosen else ""
    if not right or not is_rights_section(retriever, section):
        return comp
    hit = right_unit(retriever, section, right)
    if hit is None or any(h.unit.unit_id == hit.unit.unit_id for h in comp.chosen):
        return comp
    lead = UnitHit(hit.unit, comp.chosen[0].score, hit.dense, hit.bm25)
    comp.chosen, comp.spans = compose.choose([lead, *comp.chosen], answer_type, retriever)
    return comp


def answer(query: Query, turn: Turn, state: State, retriever: Retriever, threshold: float, base: dict,
           hits=None, right: str | None = None, own=None) -> Reply:
    """`hits`: the ranking to compose from when the caller has it; `own`: the message's own ranking (for
    `outside_topic`)."""
    lang = query.lang
    last, leaned_on = state.last, turn.context
    left = turn.audience is None and not turn.rewritten and last is not None and bool(last.section_ids) \
        and outside_topic(conversation.part_of(last.section_ids[0]), own)
    if turn.context:  # a referring turn: its own meaning first, the question it leans on as context
        q = follow_up(query, turn.context, turn.question)
    elif turn.question == query.text and last is not None and last.kind == "answer" and not left:
        # a new question in a conversation still leans a little on what was just answered ("and the
        # contract I signed online?" after "how long do you keep my ID copy?"): its own words first
        leaned_on = last.question
        q, hits = follow_up(query, leaned_on, query.text, weight=CONTINUITY_WEIGHT), None
    else:
        q = with_text(query, turn.question) if turn.question != query.text else query
    answer_type = turn.answer_type or q.answer_type.label
    comp = compose.compose(retriever, q, audience=turn.audience, answer_type=answer_type, threshold=threshold,
                           ask_audience=not turn.from_pending, hits=hits)
    trace = dict(base, answer_type=answer_type, audience=turn.audience, threshold=round(threshold, 4),
                 rewritten_question=turn.question if turn.rewritten else None, from_pending=turn.from_pending,
                 leaned_on=leaned_on, right=right,
                 best_score=round(comp.hits[0].score, 4) if comp.hits else None, hits=_hits_trace(comp.hits),
                 answerable=None if comp.answerable is None else round(comp.answerable, 4))
    if not comp.found:
        trace.update(intent="not_found", missing_value=comp.missing)
        text = t("refusal_value_missing", lang, what=t(f"value_{comp.missing}", lang)) if comp.missing \
            else t("refusal_not_found", lang)
        if comp.hits:
            h = comp.hits[0].unit
            where = render.section_label(h.section_id, h.heading, h.audience, lang)
            # the section answers the topic but never states the value asked ("who's the DPO?": no name):
            # say what it does state ("…appointed a DPO whom you may contact… dpo@…"); else name the part
            text = f"{text}\n\n{t('closest_statement', lang, where=where, quote=_shortened(render.unit_text(h)))}" \
                if comp.missing else f"{text} {t('closest_section', lang, where=where)}"
        # nobody said who they are: the answer may lie in one visitor's part only, so the question waits
        # for the visitor's audience like a clarification ("I'm a supplier" next answers it for partners)
        waits = turn.audience is None and not turn.from_pending
        conversation.remember(state, turn, "refusal", answer_type=answer_type, pending=waits)
        return Reply("refusal", text, trace=trace)
    if comp.conflict and not turn.from_pending and not left:
        settled = _settle_from_context(query, q, turn, state, retriever, threshold, answer_type)
        if settled is not None:
            q, turn, comp = settled
            trace.update(audience=turn.audience, rewritten_question=turn.question if turn.rewritten else None,
                         settled_by_context=True, hits=_hits_trace(comp.hits))
    if comp.conflict:
        trace.update(intent="clarify_audience", audiences=comp.conflict)
        conversation.remember(state, turn, "clarification", answer_type=answer_type, pending=True,
                              sections=[comp.hits[0].unit.section_id])
        return Reply("clarification", t("clarify_audience", lang), quick_replies=_audience_replies(comp.conflict, lang),
                     trace=trace)
    comp = _lead_with_the_right(comp, right, retriever, answer_type)
    cites = render.citations(comp.chosen, comp.spans, retriever.source_text, retriever.kb, lang)
    text, stated = render.text(answer_type, comp.chosen, cites, lang)
    text, cites = _with_how_to_exercise(text, cites, comp.chosen[0].unit.section_id, retriever, lang)
    trace.update(chosen=[{"section_id": c.section_id, "score": round(c.score, 4), "quote": c.quote[:300]}
                         for c in cites], facts=stated)
    answered_for = comp.chosen[0].unit.audience
    quick = []
    if answered_for in retriever.profile_audiences(askable=True) and turn.audience is None:
        quick = _audience_replies([a for a in retriever.profile_audiences(askable=True) if a != answered_for
                                   and f"{a}/{comp.chosen[0].unit.section_id.rsplit('/', 1)[-1]}"
                                   in retriever.section_ids][:4], lang)
    entities = [e for c in cites for e in render.facts.entities(c.quote)]
    final_turn = replace(turn, audience=turn.audience or (answered_for if answered_for in retriever.audiences else None),
                         answer_type=answer_type)
    conversation.remember(state, final_turn, "answer", answer_type=answer_type,
                          sections=[c.section_id for c in cites], entities=entities)
    return Reply("answer", text, cites, quick, trace)

"""A question every visitor's part answers, asked before the visitor says who they are (real models: slow
tier). Its ranking spreads over the parts' near-identical sections, so that no unit clears the not-found
threshold; before round 35 the visitor read "the privacy policy does not say this". Now each part is asked
for itself (`bot.answers.compose.answered_parts`): answered by several, the bot asks who the visitor is, and
their answer gets the pending question answered from their part."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

CASES = [
    ("en", "where did u get my data from", "we supply the catering for one of your campuses", "partners"),
    ("fr", "vous prenez mes données d'où ?", "je suis salariée du groupe depuis 2019", "staff"),
]


@pytest.mark.parametrize("lang, question, who, part", CASES)
def test_a_question_every_part_answers_asks_who_the_visitor_is(engine, lang, question, who, part):
    first = engine.ask(question, lang=lang, record=False)
    assert first.kind == "clarification", (first.kind, first.trace.get("intent"), first.text)
    assert part in {r["value"] for r in first.quick_replies}, first.quick_replies  # one tap answers it
    second = engine.ask(who, session_id=first.session_id, lang=lang, record=False)
    assert second.kind == "answer" and second.citations, (second.kind, second.trace.get("intent"))
    assert {c.section_id.split("/")[0] for c in second.citations} == {part}, [c.section_id for c in second.citations]


@pytest.mark.xfail(strict=True, reason="'where did you get my data from' reads as a transfer question (answer-type "
                                       "classifier): the pending answer quotes the transfers section, not the sources")
@pytest.mark.parametrize("lang, question, who, part", CASES)
def test_the_pending_answer_is_about_where_the_data_comes_from(engine, lang, question, who, part):
    first = engine.ask(question, lang=lang, record=False)
    second = engine.ask(who, session_id=first.session_id, lang=lang, record=False)
    assert second.citations[0].section_id == f"{part}/I-source", [c.section_id for c in second.citations]

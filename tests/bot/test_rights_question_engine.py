"""Asking about a right is a question the policy answers; asking the school to act is a rights request
(round 18: the intent examples that ask how or whether to exercise a right, or what the rights are, are
labelled `rights_question`). English and French side by side; slow tier (real models). Known limit: a
request worded as a question ("can you send me a copy of my file?") is now often read as a question too."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

QUESTIONS = [
    ("en", "what rights do i have over my data", "/V-rights"),
    ("fr", "c'est quoi mes droits sur mes données", "/V-rights"),
    ("en", "how do i stop getting your newsletters", "/V-rights"),
    ("en", "how do i block the cookies on your site", "cookies/"),
    ("fr", "comment je bloque vos cookies", "cookies/"),
]


@pytest.mark.parametrize("lang, text, section", QUESTIONS)
def test_a_question_about_a_right_is_answered_from_the_policy(engine, lang, text, section):
    answer = engine.ask(text, lang=lang, record=False)
    assert answer.kind == "answer", (answer.kind, answer.trace.get("intent"))
    assert any(section in c.section_id for c in answer.citations), [c.section_id for c in answer.citations]
    if section == "/V-rights":  # an answer about a right also says how to exercise it, with the policy's contact
        assert engine.dpo_email in answer.text


REQUESTS = [
    ("en", "please delete everything you have on me"),
    ("fr", "supprimez toutes mes données svp"),
    ("en", "I want a copy of everything in my student file"),
    ("fr", "je veux une copie de tout ce que vous avez sur moi"),
]


@pytest.mark.parametrize("lang, text", REQUESTS)
def test_asking_the_school_to_act_is_a_rights_request(engine, lang, text):
    answer = engine.ask(text, lang=lang, record=False)
    assert answer.kind == "rights_request", (answer.kind, answer.trace.get("intent"))
    assert engine.dpo_email in answer.text


@pytest.mark.parametrize("lang, text, line", [
    ("en", "if i'm not happy with how you handle my data, who can i complain to?", "CNIL"),
    ("fr", "et si je suis pas content de votre réponse je peux me plaindre auprès de qui ?", "CNIL"),
])
def test_a_question_about_one_right_quotes_that_rights_line(engine, lang, text, line):
    answer = engine.ask(text, lang=lang, record=False)
    assert answer.kind == "answer", (answer.kind, answer.trace.get("intent"))
    assert any(line in c.quote for c in answer.citations), [c.quote[:80] for c in answer.citations]

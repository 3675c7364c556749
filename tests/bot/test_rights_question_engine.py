"""Asking about a right is a question the policy answers; asking the school to act is a rights request
(round 18: the intent examples that ask how or whether to exercise a right, or what the rights are, are
labelled `rights_question`). English and French side by side; slow tier (real models). A request worded as a
polite question ("could you send me a copy of my file?") is a request (round 34), while the same form asking for
a task or someone else's data is not."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

_NOW_A_REQUEST = pytest.mark.xfail(strict=True, reason="known cost of round 34's polite-request examples: a how-to "
                                   "about one's own mailings now reads as a request by a hair (rights 0.43, about a "
                                   "right 0.41) and is routed to the DPO instead of answered from the rights list")
_STILL_A_QUESTION = pytest.mark.xfail(strict=True, reason="known limit: 'est-ce que vous pourriez' + a request still "
                                      "reads as a question (0.48) and is answered from the rights list")
_NOT_SURE_WHOSE = pytest.mark.xfail(strict=True, reason="known limit: 'passer le numéro' reads someone else's data "
                                    "and a policy question equally (0.30 each) and is answered")

QUESTIONS = [
    ("en", "what rights do i have over my data", "/V-rights"),
    ("fr", "c'est quoi mes droits sur mes données", "/V-rights"),
    pytest.param("en", "how do i stop getting your newsletters", "/V-rights", marks=_NOW_A_REQUEST),
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
    # a polite request is still a request (round 34, `intents_j.yaml`): before, both were answered from the rights list
    ("en", "would you mind sending me a copy of the personal data you have about me?"),
    ("fr", "vous pourriez supprimer mon compte étudiant et tout ce qui va avec ?"),
    pytest.param("fr", "est-ce que vous pourriez effacer mon compte et les infos qui vont avec ?", marks=_STILL_A_QUESTION),
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


@pytest.mark.parametrize("lang, text", [
    ("en", "could you put together a motivation letter for my summer job application?"),
    ("fr", "vous pourriez me donner le numéro perso de ma prof de droit ?"),
    pytest.param("fr", "vous pourriez me passer le numéro perso de ma prof de droit ? j'ai une question sur le partiel",
                 marks=_NOT_SURE_WHOSE),
])
def test_the_same_polite_form_for_a_task_or_someone_elses_data_is_refused(engine, lang, text):
    answer = engine.ask(text, lang=lang, record=False)
    assert answer.kind == "refusal", (answer.kind, answer.trace.get("intent"))

"""A new question in a conversation leans a little on what was just answered (real models: slow tier).
Before round 17 only a turn routed as a follow-up used the conversation: "vous les utilisez pour quoi"
after "c'est quoi exactement un cookie ?" was answered from the video-surveillance purposes, and a host
company's "combien de temps après la fin du contrat d'apprentissage ?" was refused as not in the policy.
The earlier question weighs a quarter of the message (`knowledge.query.CONTINUITY_WEIGHT`), so a new
topic still wins."""

from __future__ import annotations

import pytest

from tests.engine_fixtures import converse

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lang, turns, expected", [
    ("en", ["I'm on an MBA at INSEEC, how long do you keep my file after I finish?",
            "and the contract I signed online for the MBA?"], "students/VII-storage"),
    ("fr", ["nous accueillons des apprentis de l'INSEEC dans notre entreprise, vous gardez nos données combien de temps ?",
            "combien de temps après la fin du contrat d'apprentissage ?"], "partners/VII-storage"),
    ("fr", ["c'est quoi exactement un cookie ?", "vous les utilisez pour quoi"], "cookies/purposes"),
    # from round 19 to round 21 the follow-up read as someone else's data (0.36, unsure), fell to a follow-up (0.18)
    # and was answered from the students' storage section; since round 22 the classifiers read characters too
    ("fr", ["je suis en alternance à l'ECE, qui reçoit mes données ?", "et mon maître d'apprentissage, il voit quoi ?"],
     "students/IV-recipients"),
])
def test_a_new_question_is_read_in_the_conversations_topic(engine, lang, turns, expected):
    answer = converse(engine, lang, turns)
    assert answer.kind == "answer", (answer.kind, answer.trace.get("intent"))
    assert expected in [c.section_id for c in answer.citations], [c.section_id for c in answer.citations]
    assert answer.trace.get("leaned_on"), "the console trace names the earlier question the answer leaned on"


@pytest.mark.parametrize("lang, turns, expected", [
    ("en", ["I work for the group, how long do you keep my payslips?", "what is a cookie, actually?"],
     "cookies/what-is-a-cookie"),
    ("fr", ["je suis salariée du groupe, combien de temps gardez-vous mes bulletins de paie ?",
            "qui est votre délégué à la protection des données ?"], "general/dpo"),
])
def test_a_new_topic_is_not_pulled_back_to_the_last_one(engine, lang, turns, expected):
    answer = converse(engine, lang, turns)
    assert answer.kind == "answer", (answer.kind, answer.trace.get("intent"))
    assert answer.citations[0].section_id == expected, [c.section_id for c in answer.citations]


@pytest.mark.parametrize("lang, turns", [
    ("en", ["who is the data controller for your schools?", "and who do you share my personal data with?"]),
    ("fr", ["qui est le responsable du traitement ?", "et vous utilisez mes données pour quoi ?"]),
])
def test_a_question_about_your_own_data_after_the_controller_asks_who_you_are(engine, lang, turns):
    """Round 33: after an answer about who processes the data (the controller, the DPO), a question about the
    visitor's own data leaned on it and was answered from that part ("who do you share my data with?" -> the
    controller's identity); the answer depends on who the visitor is, so the bot asks."""
    answer = converse(engine, lang, turns)
    assert answer.kind == "clarification", (answer.kind, [c.section_id for c in answer.citations])
    assert not answer.trace.get("leaned_on")

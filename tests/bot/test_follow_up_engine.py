"""A follow-up that asks another aspect of the same subject is answered for that aspect, in the part
the conversation is about (real models: slow tier). Before round 10 the earlier question's wording
decided: "who else sees it?" after a retention question quoted the retention period again."""

from __future__ import annotations

import pytest

from tests.engine_fixtures import converse

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lang, first, follow, expected", [
    ("en", "I teach at one of your schools. How long do you keep my data?", "and who gets to see it?",
     "staff/IV-recipients"),
    ("fr", "Je suis enseignant dans une de vos écoles. Vous gardez mes données combien de temps ?",
     "et qui y a accès ?", "staff/IV-recipients"),
    ("en", "I'm a current student. Who receives my personal data?", "ok, and how long is it kept?",
     "students/VII-storage"),
    ("fr", "Je suis étudiant. Qui reçoit mes données personnelles ?", "et vous les gardez combien de temps ?",
     "students/VII-storage"),
])
def test_a_follow_up_is_answered_for_its_own_aspect(engine, lang, first, follow, expected):
    a = engine.ask(first, lang=lang, record=False)
    b = engine.ask(follow, session_id=a.session_id, lang=lang, record=False)
    assert b.kind == "answer", (b.kind, b.trace.get("intent"))
    assert expected in [c.section_id for c in b.citations], ([c.section_id for c in b.citations], b.trace.get("intent"))


@pytest.mark.parametrize("lang, first, follow, part", [
    ("en", "what cookies does this site use?", "how long do they stay on my laptop", "cookies"),
    ("fr", "c'est quoi un cookie exactement ?", "et ils restent combien de temps ?", "cookies"),
    ("en", "who is the DPO?", "ok how do I reach them then?", "general"),
    ("fr", "c'est qui le DPO ?", "et je le contacte comment ?", "general"),
])
def test_the_conversation_settles_what_the_message_alone_would_ask_about(engine, lang, first, follow, part):
    """Round 13: "how long do they last?" after a cookie answer asked "are you a student, an alumnus…?"
    (alone, the question depends on who asks); the conversation already says it is about cookies."""
    a = engine.ask(first, lang=lang, record=False)
    b = engine.ask(follow, session_id=a.session_id, lang=lang, record=False)
    assert b.kind == "answer", (b.kind, b.text)
    assert {c.section_id.split("/")[0] for c in b.citations} == {part}, [c.section_id for c in b.citations]


@pytest.mark.parametrize("lang, message, expected", [
    ("en", "Hi, I'm a student at INSEEC, well sorry, actually I graduated in June. How long do you keep my "
           "alumni account data?", "alumni"),
    # strict xfail until round 15: the audience model read "j'ai eu mon diplôme en juin" as a student's (0.64);
    # the second labelling of self-descriptions (writers_b.yaml, self-corrections among them) reads it as alumni
    ("fr", "Bonjour, je suis étudiante à l'ECE, enfin non pardon, j'ai eu mon diplôme en juin. Vous gardez mes "
           "données combien de temps ?", "alumni"),
])
def test_a_correction_inside_the_message_decides_who_the_visitor_is(engine, lang, message, expected):
    a = engine.ask(message, lang=lang, record=False)
    assert a.kind == "answer" and {c.section_id.split("/")[0] for c in a.citations} == {expected}, \
        [c.section_id for c in a.citations]


@pytest.mark.parametrize("lang, turns, expected", [
    ("en", ["I'm a student at ECE. Who receives my data?", "and for alumni?", "ok. how long do you keep my exam results?"],
     "students"),
    ("fr", ["Je suis étudiant à l'ECE. Qui reçoit mes données ?", "et pour les anciens ?",
            "ok. et mes notes d'examen, vous les gardez combien de temps ?"], "students"),
])
def test_a_question_about_another_part_does_not_change_who_the_visitor_is(engine, lang, turns, expected):
    a = converse(engine, lang, turns)
    assert a.kind == "answer" and {c.section_id.split("/")[0] for c in a.citations} == {expected}, \
        [c.section_id for c in a.citations]


@pytest.mark.parametrize("lang, turns", [
    ("en", ["how long is the footage from the campus cameras kept?", "I work at the head office, in accounting."]),
    ("fr", ["les images de vidéosurveillance, vous les gardez combien de temps ?", "Je suis salariée au siège."]),
])
def test_a_topic_part_applies_whoever_the_visitor_is(engine, lang, turns):
    """Round 15: video surveillance is a topic part (`ask: false`), not a kind of visitor. Once the
    visitor said they were staff, the footage question was re-answered from the staff part's retention
    (payroll, HR files): a known audience kept only its own part and the shared ones."""
    a = converse(engine, lang, turns)
    assert a.kind == "answer" and "cctv/VII-storage" in [c.section_id for c in a.citations], \
        [c.section_id for c in a.citations]


@pytest.mark.parametrize("lang, turns", [
    ("en", ["Who do you share my data with?", "I mean the camera footage from when I came on campus for an open day",
            "and the info I typed in when registering for the open day?", "what's the legal basis for that one?"]),
    ("fr", ["Vous partagez mes données avec qui ?", "je parle des images des caméras quand je suis venue à la journée "
            "portes ouvertes", "et les infos que j'ai remplies pour m'inscrire à la journée portes ouvertes ?",
            "c'est quoi la base légale pour ça ?"]),
])
def test_after_a_topic_part_the_visitors_own_part_takes_over(engine, lang, turns):
    """Round 27 (blind dialogue set 40): once the visitor had said the question was about the camera footage,
    the CCTV part held the conversation; the open-day registration and its legal basis were answered from it."""
    a = converse(engine, lang, turns)
    assert a.kind == "answer" and {c.section_id.split("/")[0] for c in a.citations} == {"prospects"}, \
        [c.section_id for c in a.citations]


@pytest.mark.parametrize("lang, turns", [
    ("en", ["I work at one of your schools. How long do you keep my payslips?",
            "who has access to all that apart from the school?", "what exactly do you use my data for?"]),
    ("fr", ["je suis salarié d'une de vos écoles. Vous gardez mes fiches de paie combien de temps ?",
            "qui a accès à tout ça à part l'école ?", "vous utilisez mes données pour quoi exactement ?"]),
])
def test_a_new_question_in_a_small_part_finds_that_parts_answer(engine, lang, turns):
    """Round 27 (dialogue sets 1-40): read with the earlier question, "vous utilisez mes données pour quoi
    exactement ?" had 2 staff units among the policy's 80 nearest, the purposes list not one of them, and the
    staff member was told the policy does not say. The part's own nearest units are candidates now."""
    a = converse(engine, lang, turns)
    assert a.kind == "answer" and "staff/II-purposes" in [c.section_id for c in a.citations], \
        (a.kind, [c.section_id for c in a.citations])


@pytest.mark.parametrize("lang, message, part", [
    ("en", "I teach evening classes at INSEEC as an outside speaker", "staff"),
    ("fr", "je donne des cours du soir à l'ESCE comme intervenant extérieur", "staff"),
])
def test_saying_who_you_are_is_never_off_topic(engine, lang, message, part):
    """Round 15: the intent classifier read a bare self-description as off-topic (p ≥ 0.5) and the visitor
    was told the question was outside the policy. A message the audience classifier places in one part of
    the policy is about the policy: said alone, it is noted for the next questions."""
    a = engine.ask(message, lang=lang, record=False)
    assert a.kind == "greeting" and a.trace["intent"] == "audience_statement" and a.trace["audience_named"] == part, \
        (a.kind, a.trace.get("intent"), a.text)


@pytest.mark.parametrize("lang, turns, expected", [
    # a student who said so asks about the cameras: the CCTV part, not the students' lawful basis
    ("en", ["I'm a student at INSEEC.", "are the cameras at the campus entrance even legal?"], "cctv/III-legal-basis"),
    ("fr", ["Je suis étudiant à l'INSEEC.", "et les caméras à l'entrée du campus, c'est légal ?"],
     "cctv/III-legal-basis"),
])
def test_a_topic_part_is_not_another_group_once_the_visitor_said_who_they_are(engine, lang, turns, expected):
    """Round 25 (blind set 36): round 24 kept a visitor who had said who they are in their own part for any full
    question naming another part, the CCTV part included, so a student's camera question got the students'
    lawful basis."""
    a = converse(engine, lang, turns)
    assert a.kind == "answer" and expected in [c.section_id for c in a.citations], \
        ([c.section_id for c in a.citations], a.trace.get("audience"))


@pytest.mark.parametrize("lang, message, part", [
    ("en", "Hi! ESCE class of 2010 here.", "alumni"),
    ("en", "hey! first year at ECE paris here", "students"),
    ("fr", "salut ! ancienne de l'ESCE, promo 2010.", "alumni"),
    ("fr", "coucou ! en première année à l'ECE Paris", "students"),
])
def test_a_bare_self_introduction_is_not_refused(engine, lang, message, part):
    """Round 25 (blind sets 35-36): "Hi! ESCE class of 2010 here" got the off-topic refusal and the conversation
    never took the visitor's part."""
    a = engine.ask(message, lang=lang, record=False)
    assert a.kind == "greeting" and a.trace["audience_named"] == part, (a.kind, a.trace.get("intent"), a.text)

"""A visitor who says who they are and then asks something is answered about what they asked, in their
own part of the policy (real models: slow tier). Before round 16 the self-description was half of the
search: "je suis vacataire à l'ECE, vous transmettez mes infos à qui ?" quoted the staff transfers
section (where data goes abroad) instead of who receives it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lang, message, expected", [
    ("fr", "je suis vacataire à l'ECE, vous transmettez mes infos à qui ?", "staff/IV-recipients"),
    ("en", "I teach part-time at ECE, who do you pass my payslip details to?", "staff/IV-recipients"),
    ("fr", "je suis étudiante à l'INSEEC, vous partagez mes données avec qui ?", "students/IV-recipients"),
    ("en", "I graduated in 2019, why do you still email me?", "alumni/II-purposes"),
    ("fr", "ancien élève de l'ESCE, pourquoi vous m'écrivez encore ?", "alumni/II-purposes"),
    ("en", "we host one of your interns at our company, on what legal basis do you process my contact details?",
     "partners/III-legal-basis"),
    ("fr", "nous accueillons un de vos stagiaires, sur quelle base légale traitez-vous mes coordonnées ?",
     "partners/III-legal-basis"),
])
def test_the_answer_is_about_the_question_in_the_writers_part(engine, lang, message, expected):
    answer = engine.ask(message, lang=lang, record=False)
    assert answer.kind == "answer", (answer.kind, answer.trace.get("intent"))
    assert answer.citations and answer.citations[0].section_id == expected, [c.section_id for c in answer.citations]

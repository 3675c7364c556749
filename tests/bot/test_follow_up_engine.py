"""A follow-up that asks another aspect of the same subject is answered for that aspect, in the part
the conversation is about (real models: slow tier). Before round 10 the earlier question's wording
decided: "who else sees it?" after a retention question quoted the retention period again."""

from __future__ import annotations

import pytest

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

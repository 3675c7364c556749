"""An unsure refusal falls to the likeliest intent that does not refuse (real models: slow tier). Before
round 17 it always became a policy question: a visitor's goodbye was answered "the privacy policy does not
say this, so I won't guess"."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lang, message", [
    ("en", "thanks for the info, have a good evening!"),
    ("fr", "Merci pour les infos, bonne soirée !"),
])
def test_a_goodbye_is_answered_as_one(engine, lang, message):
    answer = engine.ask(message, lang=lang, record=False)
    assert answer.kind == "greeting", (answer.kind, answer.trace.get("intent"), answer.text)


@pytest.mark.parametrize("lang, message", [
    ("en", "what is a cookie, actually?"),
    ("fr", "c koi un cookie exactement"),
])
def test_a_short_policy_question_is_still_answered(engine, lang, message):
    answer = engine.ask(message, lang=lang, record=False)
    assert answer.kind == "answer" and answer.citations, (answer.kind, answer.trace.get("intent"))

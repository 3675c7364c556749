"""A question about the assistant that the policy also answers ("is this chatbot AI?") gets the
policy's answer first, then the assistant's own notice; the notice alone when the policy does not
answer. English and French side by side."""

from __future__ import annotations

import pytest

from bot.answers import Reply, assistant


def _notice(lang: str) -> Reply:
    text = {"en": "I am an AI assistant and I may be wrong.", "fr": "Je suis un assistant IA et je peux me tromper."}[lang]
    return Reply("answer", text, ["notice-citation"], trace={"chosen": [{"section_id": assistant.SECTION}]})


@pytest.mark.parametrize("lang, policy_text", [
    ("en", "Yes: the sites' chatbots use artificial intelligence."),
    ("fr", "Oui : les chatbots des sites utilisent l'intelligence artificielle."),
])
def test_the_policy_answer_comes_first_then_the_notice(lang, policy_text):
    from_policy = Reply("answer", policy_text, ["policy-citation"], [{"label": "x", "value": "x"}], {"intent": "assistant"})
    merged = assistant.with_policy(_notice(lang), from_policy)
    assert merged.kind == "answer"
    assert merged.text.startswith(policy_text) and merged.text.endswith(_notice(lang).text)
    assert merged.citations == ["policy-citation", "notice-citation"]
    assert merged.quick_replies == from_policy.quick_replies
    assert merged.trace["assistant"] == [{"section_id": assistant.SECTION}]


@pytest.mark.parametrize("lang, kind", [("en", "refusal"), ("fr", "refusal"), ("en", "clarification"),
                                        ("fr", "clarification")])
def test_the_notice_alone_when_the_policy_does_not_answer(lang, kind):
    own = _notice(lang)
    assert assistant.with_policy(own, Reply(kind, "…")) is own

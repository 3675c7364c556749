"""The console's intent step shows what the answer path wrote in the trace (fast: a fake answer).
Before round 17 it listed keys the engine no longer wrote (`qtype`, `followup_of`, ...), so the rewritten
question of a follow-up, which issue 12 asks the console to show, never appeared."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from ui import console_chat as cc

BOT = Path(__file__).resolve().parents[2] / "bot"


def _answer(**trace):
    return SimpleNamespace(trace={"intent": "followup", "audience": "students", **trace}, kind="answer", lang="fr")


@pytest.mark.parametrize("key, value, label", [
    ("rewritten_question", "et pour combien de temps ? — vous gardez mon dossier ?", "Rewritten question"),
    ("leaned_on", "how long do you keep my ID copy?", "Earlier question leaned on"),
    ("answer_type", "duration", "Answer type asked"),
    ("missing_value", "phone", "Value the policy does not state"),
])
def test_the_intent_step_shows_the_rewritten_question_and_what_the_answer_leaned_on(key, value, label):
    body = cc.intent_step(_answer(**{key: value}))["content"]
    assert f"**{label}:**" in body and value.split(" — ")[0] in body


def test_a_false_flag_is_not_listed():
    assert "pending" not in cc.intent_step(_answer(from_pending=False))["content"]


@pytest.mark.parametrize("key", [k for k, _label in cc._INTENT_DETAILS])
def test_every_detail_the_console_lists_is_one_the_bot_writes(key):
    source = "\n".join(p.read_text(encoding="utf-8") for p in BOT.rglob("*.py"))
    assert re.search(rf'\b{key}=|"{key}"', source), f"the bot never writes trace key {key!r}"

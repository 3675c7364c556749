"""Chat tab handlers with the real engine: redacted history, pipeline steps, flags."""

from __future__ import annotations

import json

import pytest

from ui import console_chat as cc

pytestmark = pytest.mark.slow


class NoEngine:
    def ask(self, *a, **k):
        raise AssertionError("the engine must not be called")


@pytest.mark.parametrize("message", ["", "   ", "\n\t", None])
def test_empty_message_is_friendly_and_does_not_call_the_engine(message):
    history, sid, answer, status = cc.chat_turn(NoEngine(), message, [], None)
    assert history == [] and sid is None and answer is None
    assert "empty" in status


@pytest.mark.parametrize(
    "question, lang, raw_values, placeholder, expected_lang",
    [
        ("My email is jeanne.martin@example.org. How long do you keep applicants' data?", "auto",
         ["jeanne.martin@example.org"], "[EMAIL_ADDRESS]", "en"),
        ("Je suis enceinte. Combien de temps conservez-vous les données des candidats ?", "fr",
         ["enceinte"], "[HEALTH]", "fr"),
    ],
)
def test_history_shows_the_redacted_message_then_steps_then_answer(engine, question, lang, raw_values,
                                                                   placeholder, expected_lang):
    history, sid, answer, status = cc.chat_turn(engine, question, [], None, lang, "auto")
    assert sid and answer["session_id"] == sid and answer["lang"] == expected_lang
    dumped = json.dumps(history, ensure_ascii=False)
    for raw in raw_values:
        assert raw not in dumped
    user = history[0]
    assert user["role"] == "user" and cc.md_escape(placeholder) in user["content"]
    steps = history[1:-1]
    assert [s["metadata"]["title"] for s in steps] == [
        cc.STEP_GUARD, cc.STEP_INTENT, cc.STEP_SOURCES, cc.STEP_QUOTES, cc.STEP_TIMINGS]
    assert all(s["metadata"]["status"] == "done" for s in steps)
    assert placeholder.strip("[]") in steps[0]["content"]  # the finding's entity is listed
    assert history[-1]["role"] == "assistant" and "metadata" not in history[-1]
    assert answer["text"] in history[-1]["content"]
    assert "redacted" in status


@pytest.mark.parametrize(
    "question, lang",
    [("How long do you keep the data of job applicants?", "en"),
     ("Combien de temps gardez-vous les données des candidats à un emploi ?", "fr")],
)
def test_sources_step_lists_sections_with_fused_dense_and_bm25_scores(engine, question, lang):
    history, _, answer, _ = cc.chat_turn(engine, question, [], None, lang, "auto")
    sources = next(m for m in history if (m.get("metadata") or {}).get("title") == cc.STEP_SOURCES)
    assert "| fused | dense | BM25 |" in sources["content"]
    hits = cc._hits(answer["trace"])
    assert hits, "the engine trace lists the retrieved passages"
    first = cc._hit_fields(hits[0])
    assert cc.md_escape(first["section_id"]) in sources["content"]
    if answer["citations"]:
        quotes = next(m for m in history if (m.get("metadata") or {}).get("title") == cc.STEP_QUOTES)
        assert answer["citations"][0]["section_id"].split("/")[0] in quotes["content"]


def test_second_turn_keeps_the_session_and_appends(engine):
    history, sid, _, _ = cc.chat_turn(engine, "Who is the data protection officer?", [], None, "en", "auto")
    n = len(history)
    history2, sid2, _, _ = cc.chat_turn(engine, "And how do I contact them?", history, sid, "en", "auto")
    assert sid2 == sid and len(history2) > n and history2[:n] == history


@pytest.mark.parametrize(
    "note, raw, placeholder",
    [
        ("Wrong section. Call me back on 06 12 34 56 78", "06 12 34 56 78", "[PHONE_NUMBER]"),
        ("Réponse fausse, écrivez à jeanne.martin@example.org", "jeanne.martin@example.org", "[EMAIL_ADDRESS]"),
    ],
)
def test_flag_stores_a_down_vote_with_the_redacted_note(console_engine, guard, note, raw, placeholder):
    engine, store = console_engine, console_engine.store
    _, sid, _, _ = cc.chat_turn(engine, "Who is the DPO?", [], None, "auto", "auto")
    status = cc.flag_answer(guard, store, sid, note)
    assert status.startswith("Flag stored")
    fb = store.export_session(sid)["feedback"]
    assert fb[-1]["rating"] == "down"
    assert raw not in fb[-1]["comment"] and placeholder in fb[-1]["comment"]


def test_flag_without_a_session_or_note(console_engine, guard):
    engine, store = console_engine, console_engine.store
    assert "ask a question first" in cc.flag_answer(guard, store, None, "note")
    _, sid, _, _ = cc.chat_turn(engine, "Do you use cookies?", [], None, "en", "auto")
    assert "without a note" in cc.flag_answer(guard, store, sid, "  ")
    assert store.export_session(sid)["feedback"][-1]["comment"] is None


def test_console_conversations_are_stored_redacted_under_the_console_site(console_engine):
    question = "My email is jeanne.martin@example.org, who is the DPO?"
    _, sid, _, _ = cc.chat_turn(console_engine, question, [], None, "en", "auto")
    export = console_engine.store.export_session(sid)
    assert export["session"]["site"] == cc.CONSOLE_SITE
    assert "jeanne.martin@example.org" not in str(export) and "[EMAIL_ADDRESS]" in export["messages"][0]["text"]

"""`bot.dialog.respond` on the fake index (hash embedder, no real model): the turn's route and the
message's audience reading are forced, so what is checked is what the dialogue does with them."""

from __future__ import annotations

import pytest

from bot import dialog, routing
from bot.conversation import State, Topic
from knowledge import query as query_mod


@pytest.fixture
def retriever(fake_kb):
    return fake_kb[1]


def _query(text, lang, monkeypatch, *, message_says: str | None):
    q = query_mod.analyse(text, lang)
    # what the whole message names (the visitor saying who they are, or who they speak for)
    monkeypatch.setattr(query_mod.Query, "audience_named", lambda self, known=None: message_says)
    monkeypatch.setattr(query_mod.Query, "writer_named", lambda self, known=None: None)
    return q


@pytest.mark.parametrize("lang, text, says", [
    ("en", "my daughter applied to ESCE last year thru parcoursup, she's enrolled there now", "students"),
    ("fr", "ma fille a candidaté chez vous l'an dernier, elle est en 1ère année à l'INSEEC", "students"),
    ("en", "we're just a family looking at schools", None),
    ("fr", "on regarde juste les écoles en famille", None),
])
def test_an_audience_statement_the_conversation_reading_sets_aside_never_fails(
        monkeypatch, retriever, lang, text, says):
    """Round 15, blind dialogue set 16: after an answer for prospects, "my daughter … is enrolled" was
    routed as an audience statement while the conversation-level reading kept no part (it needs 0.8 to
    move a known conversation): the visitor got "Sorry, something went wrong" (a KeyError on the
    audience's label). Now the message's own reading decides, and with none it is a question in context."""
    state = State("s1", lang=lang, audience="prospects", audience_said=False,
                  last=Topic("how long do you keep the data?", "duration", ["prospects/VII-storage"], "prospects"))
    q = _query(text, lang, monkeypatch, message_says=says)
    monkeypatch.setattr(dialog, "audience_in_conversation", lambda *a, **k: None)
    monkeypatch.setattr(routing, "route", lambda *a, **k: routing.Route("audience_statement", confidence=0.9))
    reply = dialog.respond(q, state, retriever)
    assert reply.kind in ("answer", "refusal", "clarification", "greeting")
    assert reply.trace.get("intent") != "internal_error"
    if says:
        assert reply.trace["audience_named"] == says and state.audience == says and state.audience_said
        assert all(c.section_id.split("/")[0] in (says, "general", "cookies") for c in reply.citations)
    else:
        assert reply.trace["intent"] in ("followup", "not_found", "clarify_audience")
        assert state.audience == "prospects"


@pytest.mark.parametrize("lang, question, statement, part", [
    ("en", "what are your processing purposes?", "we're a company that hosts interns from your schools", "partners"),
    ("fr", "quelles sont vos finalités de traitement ?", "on est une entreprise qui accueille vos stagiaires", "partners"),
])
def test_a_question_refused_while_nobody_said_who_they_are_waits_for_the_audience(
        monkeypatch, retriever, lang, question, statement, part):
    """Round 15: the refusal may come from not knowing whose part answers; the visitor's next message
    saying who they are asks the refused question again for that part (before: "Thank you, I will answer
    for partners" and the question was lost)."""
    from bot.answers import compose

    real = compose.compose
    monkeypatch.setattr(compose, "compose", lambda r, q, **kw: compose.Composition([], False) if kw.get("audience") is None
                        else real(r, q, **kw))
    state = State("s2", lang=lang)
    monkeypatch.setattr(routing, "route", lambda *a, **k: routing.Route("question", confidence=0.9))
    first = dialog.respond(_query(question, lang, monkeypatch, message_says=None), state, retriever)
    assert first.kind == "refusal" and state.pending is not None and state.pending.question == question
    monkeypatch.setattr(routing, "route", lambda *a, **k: routing.Route("audience_statement", confidence=0.9))
    monkeypatch.setattr(dialog, "audience_in_conversation", lambda *a, **k: part)
    second = dialog.respond(_query(statement, lang, monkeypatch, message_says=part), state, retriever)
    assert second.trace.get("from_pending") is True and second.trace.get("rewritten_question") == question
    assert second.trace["audience"] == part and state.pending is None


@pytest.mark.parametrize("lang, question, intent, answered_for", [
    ("en", "do your students get my email?", "question", "partners"),
    ("fr", "vos étudiants ont accès à mes coordonnées ?", "question", "partners"),
    ("en", "and for students?", "followup", "students"),
    ("fr", "et pour les étudiants ?", "followup", "students"),
])
def test_a_group_named_in_a_question_after_the_visitor_said_who_they_are(
        monkeypatch, retriever, lang, question, intent, answered_for):
    """A company tutor who said so asks about "your students": answered from the partners' part (before
    round 24: the students' part); "and for students?" still asks the last question for students."""
    state = State("s3", lang=lang, audience="partners", audience_said=True,
                  last=Topic("who receives my data?", "recipients", ["partners/IV-recipients"], "partners"))
    monkeypatch.setattr(dialog, "audience_in_conversation", lambda *a, **k: "students")
    monkeypatch.setattr(routing, "route", lambda *a, **k: routing.Route(intent, confidence=0.9))
    reply = dialog.respond(_query(question, lang, monkeypatch, message_says="students"), state, retriever)
    assert reply.trace["audience"] == answered_for and reply.trace["audience_named"] == (
        None if answered_for == "partners" else "students")
    assert all(c.section_id.split("/")[0] in (answered_for, "general", "cookies") for c in reply.citations)
    assert state.audience == "partners" and state.audience_said

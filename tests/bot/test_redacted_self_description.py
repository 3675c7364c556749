"""A visitor who said who they are, then shares something the guard removes (real models and guard: slow
tier). The redaction placeholder used to break its clause ("j'ai un [HEALTH]" became "j'ai un"), and the
bare "j'ai un" / "I am" read as a new self-description: a student's conversation moved to the prospects'
part and stayed there (blind dialogue set 57). Now the placeholder stays in its clause, which says nothing
about who the visitor is, and the conversation stays with the visitor's part."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

CASES = [
    ("fr", "je suis étudiant en master à l'INSEEC, mes données partent à l'étranger ?",
     "j'ai un handicap, vous avez des infos sur ma santé ?", "students"),
    ("en", "I've been teaching marketing at ESCE for three years. Who sees my payslips?",
     "I have epilepsy, do you keep health information about me?", "staff"),
]


@pytest.mark.parametrize("lang, who, disclosure, part", CASES)
def test_a_redacted_disclosure_does_not_change_who_the_visitor_is(engine, lang, who, disclosure, part):
    first = engine.ask(who, lang=lang, record=False)
    assert {c.section_id.split("/")[0] for c in first.citations} == {part}, [c.section_id for c in first.citations]
    second = engine.ask(disclosure, session_id=first.session_id, lang=lang, record=False)
    assert second.guard.findings, "the guard removed nothing: the case no longer tests a redacted clause"
    assert second.kind == "answer", (second.kind, second.trace.get("intent"), second.text)
    assert {c.section_id.split("/")[0] for c in second.citations} <= {part, "general", "cookies"}, \
        [c.section_id for c in second.citations]

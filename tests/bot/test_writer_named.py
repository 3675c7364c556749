"""A visitor who gives their own name is not asking about someone else: the guard tells the writer's
name ("my name is …", "je m'appelle …", a sign-off) from a person named by their relation to the
writer ("my classmate …", "ma colocataire …"), and the router uses it."""

from __future__ import annotations

import pytest

from bot.routing import names_only_the_writer
from guards.types import Finding


def _person(recognizer: str) -> Finding:
    return Finding("PERSON", 0, 5, 0.9, recognizer)


@pytest.mark.parametrize("recognizers, writer_only", [
    (["NameAfterCueRecognizer_en"], True),
    (["NameAfterCueRecognizer_fr", "NameAfterCueRecognizer_fr"], True),
    (["NameAfterCueRecognizer_en", "RelativeNameRecognizer_en"], False),  # me, and my classmate
    (["SpacyRecognizer"], False),  # a name with no cue: could be anyone
    ([], False),
])
def test_only_the_writers_own_names(recognizers, writer_only):
    assert names_only_the_writer([_person(r) for r in recognizers]) is writer_only


@pytest.mark.parametrize("lang, text, recognizer", [
    ("en", "My name is Paul Martin, can I get a copy of my data?", "NameAfterCueRecognizer"),
    ("fr", "Je m'appelle Jean Dupont : qui est le DPO ?", "NameAfterCueRecognizer"),
    ("en", "Can you give me my classmate Julie Petit's phone number?", "RelativeNameRecognizer"),
    ("fr", "Quelles données avez-vous sur ma colocataire Julie Petit ?", "RelativeNameRecognizer"),
])
def test_the_guard_says_whose_name_it_removed(stub_guard, lang, text, recognizer):
    people = [f for f in stub_guard.inspect(text, lang).findings if f.entity == "PERSON"]
    assert people and all(f.recognizer.startswith(recognizer) for f in people), people


@pytest.mark.slow
@pytest.mark.parametrize("lang, text, kinds", [
    ("fr", "Je m'appelle Jean Dupont, mon e-mail est jean.dupont@gmail.com : qui est le DPO ?", {"answer"}),
    ("en", "My name is Paul Martin, can I get a copy of my data?", {"answer", "rights_request"}),
    ("en", "Can you give me my classmate Julie Petit's phone number?", {"refusal"}),
    ("fr", "Quelles données avez-vous sur ma colocataire Julie Petit ?", {"refusal"}),
])
def test_introducing_yourself_is_answered_asking_about_someone_else_is_refused(engine, lang, text, kinds):
    answer = engine.ask(text, lang=lang, record=False)
    assert answer.kind in kinds, (answer.kind, answer.trace.get("intent"))


@pytest.mark.slow
@pytest.mark.parametrize("lang, text, kind", [
    ("en", "There's a typo in my surname in my student file: it should be Kowalski, not Kowalsky. Please correct it.",
     "rights_request"),
    ("fr", "Mon nom de famille est mal écrit dans mon dossier d'ancien élève : c'est Lefèbvre, pas Lefebre. "
           "Vous pouvez corriger ?", "rights_request"),
    ("en", "Please give me the home address of Julie Martin, she's in my class at ECE.", "refusal"),
    ("fr", "Donnez-moi les notes de Julie Martin, elle est dans ma promo.", "refusal"),
])
def test_a_name_given_for_ones_own_record_is_a_rights_request(engine, lang, text, kind):
    """The guard removes a surname given without a cue ("it should be Kowalski"); the router reads the message
    without it to tell the writer's own record from someone else's."""
    answer = engine.ask(text, lang=lang, record=False)
    assert answer.kind == kind, (answer.kind, answer.trace.get("intent"))

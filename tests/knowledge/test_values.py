"""The value check (knowledge/values.py): a question asking for a kind of value (a name, a phone
number, an amount, a count, a time limit, a date) is answered only when the section it lands on
states a value of that kind. Fast tier: texts with a stand-in NER parse, and the fake-embedded
engine with the slot prediction and the section's value kinds set by the test; the slow tier runs
the real slot classifier and spaCy pipeline on the real policy."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from knowledge import query as query_mod
from knowledge import values
from knowledge.classify import Prediction


@dataclass
class _Ent:
    text: str
    label_: str
    start_char: int
    end_char: int


class _Doc:
    """What the parse of `text` says: the given (entity text, label) pairs, located in the text."""

    def __init__(self, text: str, ents: list[tuple[str, str]]):
        self.ents = [_Ent(e, lb, text.index(e), text.index(e) + len(e)) for e, lb in ents]


@pytest.mark.parametrize("text, ents, present, absent", [
    ("Call us on +33 1 40 62 60 00 from Monday to Friday.", [], {"phone"}, {"person_name"}),
    ("Appelez le 01.40.62.60.00.", [], {"phone"}, set()),
    ("Footage is stored for thirty (30) days and then deleted.", [("thirty", "CARDINAL")], {"time_limit"},
     {"count", "phone"}),  # the number of a duration counts time, not things
    ("Our DPO, Jane Martin, answers every request.", [("Jane Martin", "PERSON")], {"person_name"}, set()),
    ("Service du DPO – 43 quai de Grenelle – 75015 Paris", [("de Grenelle", "PERSON"), ("43", "CARDINAL"),
                                                           ("75015", "DATE")], set(),
     {"person_name", "count", "date", "time_limit"}),  # an address: no name, no number of things, no date
    ("A copy costs 10 euros; write to 12 rue des Lanternes, 99000 Valmoran.",
     [("10 euros", "MONEY"), ("12", "CARDINAL"), ("99000", "DATE")], {"money"}, {"count", "date"}),
    ("Notre DPO, Jean-Pierre MARTIN, répond à chaque demande.", [("Jean-Pierre MARTIN", "PER")], {"person_name"},
     set()),
    ("Please read our Cookie policy.", [("Cookie policy", "PERSON")], set(), {"person_name"}),
    ("A copy of your data costs 10 euros.", [("10 euros", "MONEY")], {"money"}, set()),
    ("The campus has 120 cameras.", [("120", "CARDINAL")], {"count"}, set()),
    ("This policy was updated on September 25, 2020.", [("September 25, 2020", "DATE")], {"date"}, {"time_limit"}),
    ("We reply within a month.", [("a month", "DATE")], {"time_limit"}, {"date"}),
    ("Nous répondons sous un mois.", [("un mois", "DATE")], {"time_limit"}, set()),
])
def test_the_kinds_of_value_a_passage_states(text, ents, present, absent):
    kinds = values.kinds_in(text, _Doc(text, ents))
    assert present <= kinds
    assert not (absent & kinds)


def test_without_a_parse_only_shapes_count():
    assert values.kinds_in("Jane Martin, +33 1 40 62 60 00, for three (3) years.") == {"phone", "time_limit"}


def _set_slot(monkeypatch, slot: str | None, section_kinds: frozenset[str] | None, p: float = 0.97):
    probs = {s: 0.0 for s in (*values.SLOTS, values.NONE)}
    probs[slot or values.NONE] = p
    probs[values.NONE] = max(probs[values.NONE], 1 - p)
    monkeypatch.setattr(query_mod, "_slot", lambda vec, model: Prediction(slot, probs))
    monkeypatch.setattr(values.ValueIndex, "section_kinds", lambda self, section_id: section_kinds)


@pytest.mark.parametrize("question, lang, slot, said", [
    ("What is the phone number of the DPO?", "en", "phone", "does not give a phone number"),
    ("C'est quoi le numéro de téléphone du DPO ?", "fr", "phone", "ne donne pas de numéro de téléphone"),
    ("What is the name of your DPO?", "en", "person_name", "does not give a person's name"),
    ("Quel est le nom du délégué à la protection des données ?", "fr", "person_name", "ne donne pas de nom de personne"),
    ("Within how many days is a complaint about cookies answered?", "en", "time_limit", "does not give a time limit"),
    ("Vous avez combien de jours pour répondre à ma demande ?", "fr", "time_limit", "ne donne pas de délai"),
])
def test_a_value_the_section_never_states_is_refused_and_named(fake_engine, monkeypatch, question, lang, slot, said):
    _set_slot(monkeypatch, slot, frozenset())
    a = fake_engine.ask(question, lang=lang, record=False)
    assert a.kind == "refusal" and a.citations == []
    assert said in a.text
    assert a.trace["intent"] == "not_found" and a.trace["missing_value"] == slot
    # …and says what the closest section does state ("who's the DPO?": no name, but how to reach them)
    assert ("What the policy does say there" if lang == "en" else "Ce que dit la politique à cet endroit") in a.text
    assert " ".join(a.trace["hits"][0]["text"].split())[:60] in a.text


@pytest.mark.parametrize("question, lang", [
    ("What is the phone number of the DPO?", "en"),
    ("C'est quoi le numéro de téléphone du DPO ?", "fr"),
])
@pytest.mark.parametrize("slot, kinds, p", [
    ("phone", frozenset({"phone"}), 0.97),  # the section gives one: answered
    (None, frozenset(), 0.97),  # the classifier is unsure: the check does not apply
    ("phone", frozenset(), 0.63),  # a likely but not sure slot ("Who is the DPO?" read as a name at 0.63)
    ("phone", None, 0.97),  # no NER pipeline installed: the check is off, never a crash
])
def test_the_check_only_refuses_when_sure_and_the_value_is_absent(fake_engine, monkeypatch, question, lang, slot,
                                                                  kinds, p):
    _set_slot(monkeypatch, slot, kinds, p)
    a = fake_engine.ask(question, lang=lang, record=False)
    assert a.trace.get("missing_value") is None
    assert a.kind in ("answer", "clarification", "refusal")
    if a.kind == "refusal":  # the fake embedder's own not-found decision, never this check's
        assert "does not give" not in a.text and "ne donne pas" not in a.text


def test_a_missing_ner_pipeline_turns_the_check_off(monkeypatch):
    from knowledge.units import Unit

    unit = Unit("u1", "c1", "general/dpo", "general", "general", "DPO", "sentence", 0, 10, 0, 10, 0, 10, "",
                "Write to the DPO.")
    values._nlp.cache_clear()
    monkeypatch.setitem(values.NER_MODELS, "en", "no_such_spacy_model_package")
    try:
        assert values.ValueIndex([unit]).section_kinds("general/dpo") is None
    finally:  # never leave "no pipeline" cached for the tests that follow in this worker
        values._nlp.cache_clear()


@pytest.mark.slow
@pytest.mark.parametrize("question, lang, refused", [
    ("What's the name of your data protection officer? I want to address my letter to them.", "en", True),
    ("C'est quoi le nom du DPO ? je voudrais lui écrire personnellement", "fr", True),
    # Known miss: "s'appeler" questions about the DPO read as "who is the DPO" (none, 0.83), because the policy's
    # labelled questions "c'est qui le DPO ?" are the slot classifier's near misses. Strict: fails once fixed.
    pytest.param("Le DPO, il s'appelle comment ?", "fr", True,
                 marks=pytest.mark.xfail(strict=True, reason="'s'appeler' read as 'who is the DPO'")),
    ("Is there a phone number I can call to reach the DPO?", "en", True),
    ("Vous avez un numéro de téléphone pour joindre le DPO ?", "fr", True),
    ("Who is the DPO?", "en", False),  # a role and a contact, not a person's name
    ("Qui est le DPO ?", "fr", False),
    ("What is the e-mail address of your data protection officer?", "en", False),
    ("C'est quoi l'adresse postale du délégué à la protection des données ?", "fr", False),
    ("How long do you keep the footage from the campus cameras?", "en", False),
    ("Vous gardez les images de vidéosurveillance combien de temps ?", "fr", False),
])
def test_with_the_real_models_value_questions_the_policy_never_answers_are_refused(engine, question, lang, refused):
    a = engine.ask(question, lang=lang, record=False)
    assert (a.kind == "refusal") is refused, (a.kind, a.trace.get("missing_value"), a.text[:200])
    if refused:
        assert a.trace["missing_value"] in values.SLOTS and a.citations == []
    else:
        assert a.citations


def test_warm_parses_every_unit_once_so_no_visitor_waits_for_the_ner(monkeypatch):
    from knowledge.units import Unit

    parsed: list[str] = []

    class _Nlp:
        def pipe(self, texts):
            for text in texts:
                parsed.append(text)
                yield _Doc(text, [])

    monkeypatch.setattr(values, "_nlp", lambda lang: _Nlp())
    units = [Unit(f"u{i}", "c1", sid, "general", "general", "h", "sentence", 0, 10, 0, 10, 0, 10, "", text)
             for i, (sid, text) in enumerate([("general/dpo", "Write to the DPO."),
                                               ("general/legal-notice", "Phone: +33 1 40 62 60 00.")])]
    index = values.ValueIndex(units)
    index.warm()
    assert sorted(parsed) == sorted(u.text for u in units)
    assert index.section_kinds("general/legal-notice") == {"phone"} and index.section_kinds("general/dpo") == set()
    assert len(parsed) == 2  # kept: asking again parses nothing

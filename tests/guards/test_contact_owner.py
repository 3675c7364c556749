"""Whose contact is it (`guards/owner.py`): an organisation's switchboard, role mailbox or campus address
quoted in a question stays in clear; a person's contact is redacted, whatever the classifier says when its
shape or the rest of the message says it is a person's. English and French side by side. The sentences
are new (not from the training file or any evaluation set)."""

import numpy as np
import pytest

from guards.owner import OWNED, ContactReader, Owner, context, personal_by_shape
from guards.types import Finding

ORGANISATIONS = [
    ("en", "Is 04 78 63 12 00 still the number of the Lyon campus reception? Nobody picks up.", "04 78 63 12 00"),
    ("fr", "Le standard du campus de Lyon c'est toujours le 04 78 63 12 00 ? Personne ne décroche.", "04 78 63 12 00"),
    ("en", "I sent my application to admissions@ecole-horizon.fr two weeks ago, is that the right mailbox?",
     "admissions@ecole-horizon.fr"),
    ("fr", "J'ai envoyé mon dossier à admissions@ecole-horizon.fr il y a deux semaines, c'est la bonne adresse ?",
     "admissions@ecole-horizon.fr"),
]

PERSONS = [
    ("en", "Please call me back on 06 41 27 88 19 after 6pm.", "06 41 27 88 19"),          # a mobile: by shape
    ("fr", "Rappelez-moi au 06 41 27 88 19 après 18h svp.", "06 41 27 88 19"),
    ("en", "My tutor's address is clara.benoit@entreprise-lumen.fr if you need her.", "clara.benoit@entreprise-lumen.fr"),
    ("fr", "Mon tuteur c'est marc.vidal@entreprise-lumen.fr si besoin.", "marc.vidal@entreprise-lumen.fr"),
    ("en", "Please send the diploma to my home, 14 rue des Lilas, 69003 Lyon.", "14 rue des Lilas, 69003 Lyon"),
    ("fr", "Envoyez le diplôme chez moi, 14 rue des Lilas, 69003 Lyon.", "14 rue des Lilas, 69003 Lyon"),
]


@pytest.mark.parametrize(("lang", "text", "contact"), ORGANISATIONS)
def test_an_organisations_contact_in_a_question_is_kept_in_clear(stub_guard, lang, text, contact):
    result = stub_guard.inspect(text, lang)
    assert result.text == text
    assert not result.findings


@pytest.mark.parametrize(("lang", "text", "contact"), PERSONS)
def test_a_persons_contact_is_redacted(stub_guard, lang, text, contact):
    result = stub_guard.inspect(text, lang)
    assert contact not in result.text
    assert any(f.entity in OWNED for f in result.findings)


@pytest.mark.parametrize(("lang", "text", "contact"), [
    ("en", "Is 04 78 63 12 00 still the Lyon reception? I'm Emily Carter, student 20-44718.", "04 78 63 12 00"),
    ("fr", "Le standard de Lyon c'est le 04 78 63 12 00 ? Je suis Camille Lefebvre, étudiante 20-44718.",
     "04 78 63 12 00"),
])
def test_a_message_that_carries_a_persons_data_keeps_every_contact_redacted(stub_guard, lang, text, contact):
    """The same switchboard, in a message that names the writer: the message is about a person."""
    result = stub_guard.inspect(text, lang)
    assert contact not in result.text


@pytest.mark.parametrize(("entity", "value", "personal"), [
    ("PHONE_NUMBER", "06 41 27 88 19", True),          # mobile
    ("PHONE_NUMBER", "+33 7 81 22 09 43", True),       # mobile
    ("PHONE_NUMBER", "+1 617 555 0199", True),         # US: fixed line or mobile, cannot tell
    ("PHONE_NUMBER", "04 78 63 12 00", False),         # French fixed line
    ("PHONE_NUMBER", "0 800 13 00 00", False),         # toll free
    ("EMAIL_ADDRESS", "tom.hollis99@gmail.com", True),  # digits
    ("EMAIL_ADDRESS", "hvarga@adeo-partners.fr", True),  # initial + surname
    ("EMAIL_ADDRESS", "admissions@ecole-horizon.fr", False),
    ("EMAIL_ADDRESS", "contact@ecole-horizon.fr", False),
    ("STREET_ADDRESS", "14 rue des Lilas", False),     # addresses: only the classifier decides
])
def test_shape_checks_keep_a_persons_contact_whatever_the_classifier_says(entity, value, personal):
    from guards.persons import listed_name

    assert personal_by_shape(entity, value, listed_name) is personal


def test_the_classifier_reads_the_words_around_the_contact_not_the_contact():
    text = "What is the switchboard number? Is it still 04 78 63 12 00 or has it changed?"
    start = text.index("04")
    ctx = context(text, start, start + len("04 78 63 12 00"), "PHONE_NUMBER")
    assert ctx == "What is the switchboard number? Is it still [PHONE_NUMBER] or has it changed?"
    assert "04" not in ctx


class _Always:
    """A stand-in classifier that calls every contact an organisation's."""

    classes = ["NONE", "ORGANISATION"]
    thresholds = {"NONE": 1.0, "ORGANISATION": 0.5}

    def scores(self, text):
        return {"ORGANISATION": 1.0}


@pytest.mark.parametrize("entity", ["PERSON", "ID_NUMBER", "HEALTH"])
def test_release_never_touches_other_entities_or_messages_holding_them(entity):
    owner = Owner((ContactReader(model=_Always()),))
    text = "Call 04 78 63 12 00, from Paul Martin"
    phone = Finding("PHONE_NUMBER", 5, 19, 0.85, "PhoneNumberRecognizer_en")
    other = Finding(entity, 26, 37, 0.85, "x")
    assert owner.release(text, [phone]) == []
    assert owner.release(text, [phone, other]) == [phone, other]


def test_the_packaged_model_was_calibrated_per_entity():
    from guards.owner import CONTACT_MODEL as MODEL_FILE

    with np.load(MODEL_FILE) as data:
        thresholds = dict(zip(data["entities"], data["entity_thresholds"], strict=True))
    assert set(thresholds) == set(OWNED)
    assert all(0.5 <= t <= 1.0 for t in thresholds.values())

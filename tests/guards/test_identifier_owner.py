"""Whose identifier is it (`guards/owner.py`, `IdentifierReader`): a public reference or an organisation's code
quoted in a question (a degree's RNCP number, a course code) stays in clear; a person's file number is
redacted, and so is any run of 8 or more digits, whoever it seems to belong to (issue 13: recall first on
identifiers). English and French side by side; the sentences are new (not from the training file or any
evaluation set). Fast tier: no NER needed, the classifier is the packaged one."""

import pytest

from guards.owner import IdentifierReader
from guards.types import Finding
from tests.guard_fixtures import make_stub_guard

REFERENCES = [
    ("en", "Is the bachelor in digital marketing registered under RNCP n° 38412?", "38412"),
    ("fr", "Le bachelor marketing digital est bien enregistré au RNCP sous le n° 38412 ?", "38412"),
]


@pytest.mark.parametrize(("lang", "text", "code"), REFERENCES)
def test_a_public_reference_stays_in_clear(lang, text, code):
    result = make_stub_guard().inspect(text, lang)
    assert result.text == text, result.findings


PERSONAL = [
    ("en", "My application file is n° 48213, did you receive my transcripts?", "48213"),
    ("fr", "Mon dossier de candidature c'est le n° 48213, vous avez bien reçu mes relevés ?", "48213"),
    # 8 digits or more: redacted even where the words around it say it is the school's
    ("en", "Is the school's SIRET still 784 213 560 00027 for the internship agreement?", "784 213 560 00027"),
    ("fr", "Le SIRET de l'école c'est toujours 784 213 560 00027 pour la convention ?", "784 213 560 00027"),
]


@pytest.mark.parametrize(("lang", "text", "code"), PERSONAL)
def test_a_persons_identifier_and_any_long_number_are_redacted(lang, text, code):
    result = make_stub_guard().inspect(text, lang)
    assert code not in result.text


class _Always:
    classes = ["NONE", "ORGANISATION"]
    thresholds = {"NONE": 1.0, "ORGANISATION": 0.5}

    def scores(self, text):
        return {"ORGANISATION": 1.0}


@pytest.mark.parametrize(("recognizer", "value", "released"), [
    ("StatedReferenceRecognizer_en", "38412", True),
    ("MixedTokenRecognizer_fr", "FIN-3020", True),
    ("DigitRunRecognizer_en", "78421356", False),       # 8 digits
    ("StatedIdRecognizer_en", "2024117", False),        # stated as a person's ("my student number")
    ("HandleRecognizer_fr", "lmartin", False),          # a login
])
def test_only_short_codes_found_without_a_personal_cue_are_read(recognizer, value, released):
    reader = IdentifierReader(model=_Always())
    text = f"code {value} ?"
    f = Finding("ID_NUMBER", 5, 5 + len(value), 0.85, recognizer)
    assert (reader.releasable(f) and reader.unowned(text, f)) is released

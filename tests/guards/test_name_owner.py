"""Whose name is it (`guards/owner.py`, `NameReader`): a brand, a tool, a company or a label that NER takes for
a person stays in clear in a visitor's question; a private person's name is redacted. English and French
side by side. The sentences are new (not from the training file or any evaluation set). Fast tier: the
NLP-engine stub tags the given strings PERSON, as spaCy does; the classifiers are the packaged ones."""

import pytest

from guards.owner import ContactReader, NameReader, Owner
from guards.types import Finding
from tests.guard_fixtures import make_stub_guard

THINGS = [
    ("en", "Is the Mardi Gras party on the Lyon campus open to first-years?", "Mardi Gras"),
    ("fr", "Est-ce que Lancôme prend des alternants de l'INSEEC cette année ?", "Lancôme"),
    ("en", "Can we use Figma for the UX project or is it Adobe only?", "Figma"),
    ("fr", "Le partenariat avec Decathlon pour les stages, il existe toujours ?", "Decathlon"),
    ("en", "Is Tableau installed on the computers of the data lab?", "Tableau"),
    ("fr", "Les notes sont publiées sur Pronote ou sur l'ENT ?", "Pronote"),
]


@pytest.mark.parametrize(("lang", "text", "tagged"), THINGS)
def test_a_public_thing_taken_for_a_name_stays_in_clear(lang, text, tagged):
    result = make_stub_guard((tagged,)).inspect(text, lang)
    assert result.text == text, result.findings


PERSONS = [
    # the same kind of question, about a private person
    ("en", "Can you ask Tiphaine from admissions to call me back about the UX project?", "Tiphaine"),
    ("fr", "Est-ce que Kilian Moreau a bien rendu son dossier de stage ?", "Kilian Moreau"),
    # a first name that is also a word or a town, in a sentence about a person
    ("en", "Will Rose from my study group be at the open day with her parents?", "Rose"),
    ("fr", "Est-ce que Florence a bien rendu son dossier de stage avant vendredi ?", "Florence"),
]


@pytest.mark.parametrize(("lang", "text", "tagged"), PERSONS)
def test_a_private_persons_name_is_redacted(lang, text, tagged):
    result = make_stub_guard((tagged,)).inspect(text, lang)
    assert tagged not in result.text
    assert any(f.entity == "PERSON" for f in result.findings)


@pytest.mark.parametrize(("lang", "text", "tagged"), [
    ("en", "I take Truvada every day and the health centre has my prescription.", "Truvada"),
    ("fr", "Je prends du Truvada tous les jours, le service de santé a mon ordonnance.", "Truvada"),
])
def test_a_public_thing_in_a_sentence_near_a_disclosure_stays_redacted(lang, text, tagged):
    """A drug's name is public, but here it says something of the writer."""
    result = make_stub_guard((tagged,)).inspect(text, lang)
    assert tagged not in result.text


class _Fixed:
    """A stand-in classifier that gives every item the same score."""

    def __init__(self, cls: str, score: float):
        self.classes = ["NONE", cls]
        self.thresholds = {"NONE": 1.0, cls: 0.5}
        self.cls, self.score = cls, score

    def scores(self, text):
        return {self.cls: self.score}

    def near(self, text, gate):
        return self.score >= gate * 0.5


TEXT = "Is Figma ok? Call 04 78 63 12 00, or ask Paul Martin"
NAME = Finding("PERSON", 3, 8, 0.85, "SpacyRecognizer_en")
PHONE = Finding("PHONE_NUMBER", 18, 32, 0.85, "PhoneNumberRecognizer_en")


def _owner(name_score: float, contact_score: float, disclosure: float = 0.0) -> Owner:
    names = NameReader(model=_Fixed("PUBLIC", name_score), disclosure=_Fixed("HEALTH", disclosure))
    return Owner((ContactReader(model=_Fixed("ORGANISATION", contact_score)), names))


def test_public_names_and_organisations_contacts_go_together():
    assert _owner(1.0, 1.0).release(TEXT, [NAME, PHONE]) == []


def test_a_private_name_keeps_every_contact_and_a_persons_contact_keeps_every_name():
    assert _owner(0.0, 1.0).release(TEXT, [NAME, PHONE]) == [NAME, PHONE]
    assert _owner(1.0, 0.0).release(TEXT, [NAME, PHONE]) == [NAME, PHONE]


def test_one_private_name_keeps_the_names_coordinated_with_it():
    """"Our founders: Kónya, Becker and Vasquez": when one of them reads as a private person, all stay redacted."""

    class _OnePrivate(_Fixed):
        def scores(self, text):
            return {self.cls: 0.0 if "[Becker]" in text else 1.0}

    text = "Our founders: Konya, Becker and Vasquez."
    found = [Finding("PERSON", text.index(n), text.index(n) + len(n), 0.85, "SpacyRecognizer_en")
             for n in ("Konya", "Becker", "Vasquez")]
    assert Owner((NameReader(model=_OnePrivate("PUBLIC", 1.0)),)).release(text, found) == found
    assert Owner((NameReader(model=_Fixed("PUBLIC", 1.0)),)).release(text, found) == []


@pytest.mark.parametrize("recognizer", ["NameAfterCueRecognizer_en", "RelativeNameRecognizer_fr",
                                        "SelfIntroRecognizer_en", "LowercaseNameRecognizer_fr"])
def test_a_name_given_with_a_cue_is_never_released(recognizer):
    cued = Finding("PERSON", 3, 8, 0.85, recognizer)
    assert _owner(1.0, 1.0).release(TEXT, [cued]) == [cued]
    assert _owner(1.0, 1.0).release(TEXT, [cued, PHONE]) == [cued, PHONE]


def test_a_name_near_a_disclosure_is_kept():
    assert _owner(1.0, 1.0, disclosure=1.0).release(TEXT, [NAME]) == [NAME]


def test_a_listed_name_is_read_like_any_other():
    """Since round 20 the classifier decides for a listed first name or surname too ("the Grand Oral")."""
    names = NameReader(model=_Fixed("PUBLIC", 1.0))
    martin = Finding("PERSON", TEXT.index("Paul"), len(TEXT), 0.85, "SpacyRecognizer_en")
    assert names.unowned(TEXT, martin)
    assert not NameReader(model=_Fixed("PUBLIC", 0.0)).unowned(TEXT, martin)

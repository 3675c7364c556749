"""Places without a cue (`guards/places.py` gazetteer + `guards.owner.PlaceReader` via `PlaceRecognizer`): a town
that says where a visitor or someone close to them lives or comes from is redacted; a campus city, a destination
or a country in a data-transfer question stays in clear. English and French side by side; the sentences are new
(not from the training file or any evaluation set). Fast tier: the NLP-engine stub, the packaged classifier."""

import pytest

from guards.places import candidates
from tests.guard_fixtures import make_stub_guard

PERSONAL = [
    ("en", "hi, Aoife here, I grew up near Limerick and I'd like to know about the MSc", "Limerick"),
    ("fr", "originaire de Quimper, je voudrais savoir si les cours sont en anglais", "Quimper"),
    ("en", "I commute every day from Créteil so the 8am classes are hard", "Créteil"),
    ("fr", "ma famille est à Brest et je rentre tous les week-ends, je peux suivre en distanciel ?", "Brest"),
]


@pytest.mark.parametrize(("lang", "text", "place"), PERSONAL)
def test_a_place_that_locates_the_visitor_is_redacted(lang, text, place):
    result = make_stub_guard().inspect(text, lang)
    assert place not in result.text, result.findings


PUBLIC = [
    ("en", "Is the Bordeaux campus open during the Christmas break?", "Bordeaux"),
    ("fr", "Le campus de Lille est-il accessible en fauteuil roulant ?", "Lille"),
    ("en", "Do you send any student data to the United States?", "United States"),
    ("fr", "Est-ce que vous transférez des données vers le Royaume-Uni ou la Suisse ?", "Suisse"),
]


@pytest.mark.parametrize(("lang", "text", "place"), PUBLIC)
def test_a_campus_or_a_destination_stays_in_clear(lang, text, place):
    result = make_stub_guard().inspect(text, lang)
    assert result.text == text, result.findings


@pytest.mark.parametrize(("text", "found"), [
    ("I am reading the policy now", []),                    # an ordinary word in lower case
    ("Nice weather today, is the campus open?", []),        # an ordinary word opening the sentence
    ("I moved here from Reading last year", ["Reading"]),   # the same word as a town, capitalised mid-sentence
    ("je viens de saint-priest", ["saint-priest"]),          # a town that is no ordinary word, in lower case
    ("ma tante habite à Sant Julià de Lòria", ["Sant Julià de Lòria"]),  # the longest name wins
    ("Open day on March 15th: do you take photos?", []),      # a month in a date, not the town of March
    ("la JPO du samedi 15 Mars 2025 à Lyon", ["Lyon"]),       # the same in French, the town beside it kept
    ("I grew up in March, Cambridgeshire", ["March"]),       # the town, with no date around it
])
def test_gazetteer_candidates(text, found):
    assert [text[a:b] for a, b in candidates(text)] == found

"""Names that name a public thing or a public figure are no private person's data: a facility noun
beside the name ("the Simone Veil building", "amphi Gustave Eiffel"), a listed public figure, an
article at the start of a name-like run ("Le BDE"). A private name beside the same words is still
redacted. Fast tier: the NLP-engine stub tags the given strings PERSON, as spaCy does."""

import pytest

from guards.words import public_figures
from tests.guard_fixtures import make_stub_guard

PUBLIC = [
    ("en", "Is the Simone Veil building open on Saturdays?", "Simone Veil"),
    ("fr", "L'amphi Gustave Eiffel est-il accessible en fauteuil ?", "Gustave Eiffel"),
    ("en", "When is the Jean Moulin prize ceremony this year?", "Jean Moulin"),
    ("fr", "La bourse Marie Curie est-elle cumulable avec le CROUS ?", "Marie Curie"),
    ("en", "Is the Nelson Mandela Prize open to first-year students?", "Nelson Mandela Prize"),
    ("fr", "Salle Olympe de Gouges, 2e étage : y a-t-il des caméras ?", "Salle Olympe de Gouges"),
    ("en", "Did Esther Duflo really give a talk on campus last year?", "Esther Duflo"),
    ("fr", "C'est vrai que Thomas Pesquet vient faire une conférence en mars ?", "Thomas Pesquet"),
    ("en", "Who was Condorcet? The building is named after him.", "Condorcet"),
    ("fr", "Le BDE loue-t-il des minibus pour le week-end d'intégration ?", "Le BDE"),
]


@pytest.mark.parametrize("lang, text, tagged", PUBLIC)
def test_public_things_and_figures_are_left_alone(lang, text, tagged):
    result = make_stub_guard((tagged,)).inspect(text, lang)
    assert result.text == text, result.findings


PRIVATE = [
    ("en", "Please forward this to my daughter Chloe Park, she starts in September.", "Chloe Park"),
    ("en", "Template ref attached. Name: Olivia Grant.", "Olivia Grant"),
    ("fr", "Bonjour, je suis Sophie Martin, en salle 204 pour le partiel.", "Sophie Martin"),
    ("fr", "Mme Curie m'a demandé de vous écrire pour mon dossier.", "Curie"),  # a title: a person
    ("en", "Please tell Lucas Martin that the room changed.", "Lucas Martin"),
    ("fr", "Le dossier de Camille Lefebvre est-il complet ?", "Camille Lefebvre"),
]


@pytest.mark.parametrize("lang, text, name", PRIVATE)
def test_private_names_beside_the_same_words_are_redacted(lang, text, name):
    result = make_stub_guard((name,)).inspect(text, lang)
    assert name not in result.text, result.text
    assert "[PERSON]" in result.text


def test_the_public_figure_list_has_full_and_single_names():
    full, single = public_figures()
    assert {"simone veil", "marie curie", "victor hugo"} <= full
    assert {"einstein", "voltaire"} <= single
    assert not {"martin", "smith", "dubois"} & single  # common surnames never stand alone for a figure


def test_a_missing_list_says_how_to_fix(monkeypatch, tmp_path):
    from guards import words
    from guards.errors import ConfigError

    monkeypatch.setattr(words, "LEXICON_DIR", tmp_path)
    with pytest.raises(ConfigError, match="public_figures.txt is missing; restore it from the repository"):
        words.lexicon_lines("public_figures.txt", "restore it from the repository")

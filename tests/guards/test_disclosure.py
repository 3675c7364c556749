"""Disclosure vs topic, both ways, both languages."""

import pytest

from guards.lexicon import load_lexicon
from guards.recognizers.special import find_disclosures

DISCLOSURES = [
    ("en", "I have diabetes", "HEALTH", "diabetes"),
    ("fr", "J'ai du diabète", "HEALTH", "diabète"),
    ("en", "I'm pregnant", "HEALTH", "pregnant"),
    ("fr", "Je suis enceinte", "HEALTH", "enceinte"),
    ("fr", "Je suis diabétique", "HEALTH", "diabétique"),
    ("en", "My son is autistic", "HEALTH", "autistic"),
    ("fr", "Mon fils est autiste", "HEALTH", "autiste"),
    ("en", "I'm Muslim", "RELIGION", "Muslim"),
    ("fr", "Je suis musulmane", "RELIGION", "musulmane"),
    ("en", "I'm an atheist", "RELIGION", "atheist"),
    ("fr", "Je suis athée", "RELIGION", "athée"),
    ("en", "As a practising Jew I can't sit exams on Saturday", "RELIGION", "Jew"),
    ("fr", "En tant que catholique pratiquante je voudrais…", "RELIGION", "catholique"),
    ("en", "I'm gay", "SEXUAL_ORIENTATION", "gay"),
    ("fr", "Je suis lesbienne", "SEXUAL_ORIENTATION", "lesbienne"),
    ("en", "I'm sexually active", "SEX_LIFE", "sexually active"),
    ("fr", "Ma vie sexuelle ne regarde personne", "SEX_LIFE", "vie sexuelle"),
    ("en", "I'm of Algerian descent", "ETHNIC_ORIGIN", "of Algerian descent"),
    ("fr", "Je suis d'origine marocaine", "ETHNIC_ORIGIN", "d'origine marocaine"),
    ("en", "I'm a member of the Green Party", "POLITICAL_OPINION", "member of the Green Party"),
    ("fr", "Je suis militante écologiste", "POLITICAL_OPINION", "militante"),
    ("en", "I'm unionized", "TRADE_UNION", "unionized"),
    ("fr", "Je suis syndiquée", "TRADE_UNION", "syndiquée"),
    ("en", "I did a DNA test", "GENETIC", "DNA test"),
    ("fr", "J'ai fait un test ADN", "GENETIC", "test ADN"),
    ("en", "They scanned my fingerprints", "BIOMETRIC", "fingerprints"),
    ("fr", "On a pris mes empreintes digitales", "BIOMETRIC", "empreintes digitales"),
]

TOPICS = [
    ("en", "Do you process health data?"),
    ("fr", "Traitez-vous des données de santé ?"),
    ("en", "Does the policy mention religious beliefs?"),
    ("fr", "La politique mentionne-t-elle les convictions religieuses ?"),
    ("en", "Do you collect data on sexual orientation?"),
    ("fr", "Traitez-vous des données sur les opinions politiques ?"),
    ("en", "Do you share trade union membership data?"),
    ("fr", "Partagez-vous des données avec les syndicats ?"),
    ("en", "Is data about pregnant students kept?"),
    ("fr", "Gardez-vous des données sur les étudiantes enceintes ?"),
    ("en", "I want to know if you process data about students with diabetes"),
    ("fr", "Je voudrais savoir si vous traitez des données sur les étudiants diabétiques"),
    ("en", "Are my biometric data used?"),
    ("fr", "Utilisez-vous mes données biométriques ?"),
    ("en", "Do you use facial recognition?"),
    ("fr", "Utilisez-vous la reconnaissance faciale ?"),
    ("fr", "Je vous prie d'agréer mes salutations distinguées."),
]


@pytest.mark.parametrize("lang, text, entity, term", DISCLOSURES)
def test_self_disclosure_is_found(lang, text, entity, term):
    found = [(d.entity, text[d.start : d.end]) for d in find_disclosures(text, load_lexicon(lang))]
    # the disclosure starts at the term and may cover the rest of its clause
    assert any(e == entity and span.startswith(term) for e, span in found), found


@pytest.mark.parametrize("lang, text, disclosed, kept", [
    # the condition goes on after the lexicon term: the rest of the clause is disclosed too
    ("en", "I have epilepsy and a daily treatment, who can see my file?", "epilepsy and a daily treatment", "who can see my file?"),
    ("fr", "Mon fils a des crises d'épilepsie et un traitement quotidien, qui le saura ?",
     "crises d'épilepsie et un traitement quotidien", "qui le saura ?"),
    ("en", "I'm a union member at the CGT, do you share staff lists?", "union member at the CGT", "do you share staff lists?"),
    ("fr", "Je suis porteuse d'une mutation BRCA1. Qui y a accès ?", "porteuse d'une mutation BRCA1", "Qui y a accès ?"),
    # a new subject ends the disclosure: the visitor's question stays readable
    ("en", "As a practising Jew I can't sit exams on Saturday", "Jew", "I can't sit exams on Saturday"),
    ("fr", "Je suis diabétique et je voudrais savoir qui voit mon dossier", "diabétique", "je voudrais savoir qui voit mon dossier"),
])
def test_disclosure_covers_the_rest_of_its_clause(lang, text, disclosed, kept):
    spans = [text[d.start : d.end] for d in find_disclosures(text, load_lexicon(lang))]
    assert disclosed in spans, spans
    assert all(kept not in span for span in spans)


@pytest.mark.parametrize("lang, text", TOPICS)
def test_topic_question_is_left_alone(lang, text):
    assert find_disclosures(text, load_lexicon(lang)) == []


@pytest.mark.parametrize(
    "lang, text, redacted",
    [
        ("en", "I have diabetes", "I have [HEALTH]"),
        ("fr", "Je suis enceinte", "Je suis [HEALTH]"),
        ("en", "Do you process health data?", "Do you process health data?"),
        ("fr", "Traitez-vous des données de santé ?", "Traitez-vous des données de santé ?"),
    ],
)
def test_through_the_guard(guard, lang, text, redacted):
    assert guard.inspect(text, lang).text == redacted

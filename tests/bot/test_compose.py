"""Composition mechanisms on policy-shaped text (no models): units, lists, entities, wording,
question types, topic terms, audience cues. EN and FR side by side where language matters."""

import pytest

from bot import compose, facts, intents
from knowledge import audience


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The site is hosted by :\n\nPLATFORM.SH\n\nSAS Simplified joint stock company with a capital of 360,590 euros",
         ["The site is hosted by :\n\nPLATFORM.SH", "SAS Simplified joint stock company with a capital of 360,590 euros"]),
        ("Legal notice and privacy policy\n\nHome » Legal notice and privacy policy", ["Legal notice and privacy policy"]),
        ("In particular, we use your data:\n\n  • To use and manage our websites.",
         ["In particular, we use your data:", "To use and manage our websites."]),
    ],
)
def test_units_keep_labels_with_their_value_and_skip_breadcrumbs(text, expected):
    assert [text[a:b] for a, b in compose.split_units(text)] == expected


LIST = ("Videosurveillance systems may have been implemented in order to:\n\n  • Ensure the safety of people;\n"
        "  • Help in assisting persons;\n  • Ensure the safety of buildings.\n\nOther paragraph.")


@pytest.mark.parametrize(
    "needle, whole, expected_start, expected_end",
    [
        ("Videosurveillance systems may have been implemented in order to:", False, "Videosurveillance", "buildings."),
        ("Help in assisting persons;", True, "Videosurveillance", "buildings."),  # a bullet -> its whole list
        ("Help in assisting persons;", False, "Help", "persons;"),  # not a list question: unchanged
    ],
)
def test_a_list_intro_is_quoted_with_its_bullets(needle, whole, expected_start, expected_end):
    a = LIST.index(needle)
    s, e = compose.list_span(LIST, a, a + len(needle), whole=whole)
    quote = LIST[s:e]
    assert quote.startswith(expected_start) and quote.endswith(expected_end)
    assert "Other paragraph" not in quote


@pytest.mark.parametrize(
    "text, entity",
    [
        ("either by Organisation et Développement (a simplified joint stock company registered under RCS Paris "
         "445 260 169) alone, when processing is carried out by OMNES Education", "Organisation et Développement"),
        ("by European Education Centre Ltd., at 32 Aybrook Street, London W1U 4AW (private limited company number 4539837);",
         "European Education Centre Ltd."),
        ("by the International University of Monaco – IUM, (a Monegasque joint stock company, registered under 01S03952)",
         "International University of Monaco – IUM"),
        ("The site is hosted by :\n\nPLATFORM.SH", "PLATFORM.SH"),
        ("NIJI", "NIJI"),
        ("contact by postal service or email (dpo@omneseducation.com).", "dpo@omneseducation.com"),
    ],
)
def test_named_entities_follow_the_policy_patterns_not_the_first_capital(text, entity):
    assert facts.entities(text)[0] == entity


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("Some chatbots may enhance your interaction with the help of artificial intelligence systems, in which case "
         "you will be informed of it.",
         "Some chatbots are likely to enhance your interaction with the help of artificial intelligence systems, in "
         "which case you will be informed of it.", True),
        ("We host your data in the European Union. When we entrust the hosting of your data to service providers, "
         "we ensure that the data is hosted in the European Union.",
         "We host your data in the European Union. When we entrust the hosting of your data to service providers, in "
         "particular when it is backed up in the cloud, we ensure that the data is hosted in the European Union.", True),
        ("Log files and other journals are stored for a period of three (3) years.",
         "Log files and other journals are stored for a period of ten (10) years.", False),
        ("We may send your personal data to the following recipients:", "Ensure the safety of people and property;", False),
    ],
)
def test_same_wording_means_same_paragraph_and_same_numbers(a, b, same):
    assert compose.same_wording(a, b) is same


@pytest.mark.parametrize(
    "question, qtype",
    [
        ("What is a cookie?", "definition"),
        ("Qu'est-ce qu'un cookie ?", "definition"),
        ("Why do you film the entrances?", "purpose"),
        ("À quoi servent les caméras ?", "purpose"),
        ("Who receives my personal data?", "recipients"),
        ("À qui donnez-vous mes informations ?", "recipients"),
        ("Who is the data controller?", "who"),
        ("Qui est le responsable du traitement ?", "who"),
        ("How long are log files kept?", "duration"),
        ("Combien de temps gardez-vous les journaux ?", "duration"),
    ],
)
def test_question_types(question, qtype):
    assert intents.classify(question).qtype == qtype


@pytest.mark.parametrize(
    "question, lang, kept, dropped",
    [
        ("How long do you keep contracts and guarantees?", "en", {"contract", "guarante"}, {"store", "keep", "long"}),
        ("Combien de temps conservez-vous les contrats et garanties ?", "fr", {"contract", "guarante"}, {"store", "period"}),
    ],
)
def test_topic_terms_drop_the_question_type_vocabulary(question, lang, kept, dropped):
    terms = intents.query_terms(question, lang)
    topic = intents.topic_terms(terms, "duration")
    assert kept <= topic and not (dropped & topic)


def test_french_how_is_not_a_content_word():
    assert "comment" not in intents.query_terms("Comment refuser les cookies ?", "fr")
    assert {"refus", "block", "object", "disabl"} <= intents.query_terms("Comment refuser les cookies ?", "fr")


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Je pars en échange à l'étranger : mes données vont-elles à l'université partenaire ?", "students"),
        ("I'm going to a partner university for a semester, is my data shared?", "students"),
        ("En tant qu'entreprise partenaire, quelles données gardez-vous ?", "partners"),
        ("As a business partner, what data do you keep?", "partners"),
    ],
)
def test_a_partner_university_is_a_student_exchange_not_a_business_partner(question, expected):
    assert intents.detect_audience(question) == expected
    assert audience.detect(question) == expected

"""The contextual disclosure classifier (multilingual-e5-small under a logistic regression) and the
handle recognizer: what a visitor writes without a lexicon term, English and French side by side.
The sentences here were written for these tests; none comes from a training or evaluation set."""

import numpy as np
import pytest

from guards.disclosure import MODEL_FILE, DisclosureModel
from guards.errors import ModelMissingError

# a disclosure in the writer's own words, no lexicon term: the clause is redacted (fail closed)
PARAPHRASED = [
    ("en", "I can't eat gluten or my gut flares up for days, can the canteen help?", "gut flares up"),
    ("fr", "Je ne peux plus monter d'escaliers depuis mon opération du genou, y a-t-il un ascenseur ?",
     "opération du genou"),
    ("en", "Every morning I inject myself before class, where can I store the pens?", "inject myself"),
    ("fr", "Je vois une psy toutes les semaines depuis l'hiver, je peux décaler mon oral ?", "psy toutes les semaines"),
    ("en", "My dad spent two years behind bars and I'm afraid it will show up in my file.", "behind bars"),
    ("fr", "Je prie cinq fois par jour et j'aimerais un endroit calme sur le campus.", "prie cinq fois par jour"),
]

# no disclosure about anyone: left exactly as written
UNTOUCHED = [
    ("en", "I'm writing an essay on the history of trade unions, is there a reading list?"),
    ("fr", "Je fais un exposé sur la génétique des populations, la bibliothèque a des ouvrages ?"),
    ("en", "My laptop caught a virus and I lost my homework, can I get an extension?"),
    ("fr", "Je suis crevé après cette semaine de partiels, c'est quand les vacances ?"),
    ("en", "Do you keep the medical certificates that students send for absences?"),
    ("fr", "Est-ce que vous conservez les certificats médicaux envoyés pour les absences ?"),
]


# who the writer is, or what they ask for, and nothing more: read as a whole sentence, the classifier can fire a
# special category on its likeliest clause (round 34 found 63 such false findings among the 20,853 messages of the
# answer and dialogue sets). Rebuilt with the bot's intent examples as negatives (round 35), it dropped 45 of them,
# but missed "mon opération du genou" below and 2 more special-category spans of the guard sets: not shipped.
_FALSE_FINDING = pytest.mark.xfail(strict=True, reason="sentence-level reading fires a special category; see README, "
                                                       "Limitations")
SAYS_WHO = [
    ("en", "I'm a student here, is it the same for me?"),
    pytest.param("fr", "je suis étudiant, c'est pareil pour moi ?", marks=_FALSE_FINDING),
    ("en", "I withdraw my consent to your newsletters, effective today."),
    pytest.param("fr", "Je retire mon consentement pour vos newsletters, avec effet immédiat.", marks=_FALSE_FINDING),
    pytest.param("fr", "Je suis étudiante en deuxième année, ça marche pareil pour moi ?", marks=_FALSE_FINDING),
]


@pytest.mark.parametrize("lang, text", SAYS_WHO)
def test_saying_who_you_are_or_what_you_want_stays_untouched(stub_guard, lang, text):
    assert stub_guard.inspect(text, lang).text == text


@pytest.mark.parametrize("lang, text, clue", PARAPHRASED)
def test_a_paraphrased_disclosure_is_redacted(stub_guard, lang, text, clue):
    result = stub_guard.inspect(text, lang)
    assert clue not in result.text, result.text


@pytest.mark.parametrize("lang, text", UNTOUCHED)
def test_topics_and_chit_chat_stay_untouched(stub_guard, lang, text):
    assert stub_guard.inspect(text, lang).text == text


# a sentence that discloses: its disclosure and the clauses after it go, the question stays (round 16: only
# the likeliest clause went, and "three years without a drink" stayed next to "[HEALTH]")
WHOLE_SENTENCE = [
    ("en", "I've been in recovery from alcoholism since 2022, three years without a drink, is the gala alcohol-free?",
     "three years without a drink", "is the gala alcohol-free?", {"HEALTH"}),
    ("fr", "J'ai une sclérose en plaques, les poussées me clouent au lit une semaine, vous pouvez aménager les partiels ?",
     "poussées", "vous pouvez aménager les partiels ?", {"HEALTH"}),
    ("fr", "Je suis en liberté conditionnelle depuis mars, rendez-vous chaque semaine avec ma conseillère, le stage "
     "est possible ?", "rendez-vous chaque semaine", "le stage est possible ?", {"CRIMINAL"}),
    ("en", "My results show I carry the cystic fibrosis gene, my partner too, does the school nurse need to know?",
     "my partner too", "does the school nurse need to know?", {"GENETIC"}),
]


@pytest.mark.parametrize("lang, text, clue, question, categories", WHOLE_SENTENCE)
def test_what_follows_a_disclosure_goes_and_the_question_stays(stub_guard, lang, text, clue, question, categories):
    result = stub_guard.inspect(text, lang)
    assert clue not in result.text and result.text.endswith(question), result.text
    assert result.categories == categories  # what the visitor is told was removed


@pytest.mark.parametrize("lang, text, kept", [
    ("en", "I'm a second-year student at ECE and I have Crohn's disease, flare-ups most weeks, can I sit exams later?",
     "I'm a second-year student at ECE"),
    ("fr", "Je suis en master à l'INSEEC et j'ai une maladie de Crohn, des crises presque chaque semaine, je peux "
     "passer les partiels plus tard ?", "Je suis en master à l'INSEEC"),
])
def test_who_the_writer_is_before_the_disclosure_stays(stub_guard, lang, text, kept):
    """The bot still knows whose part of the policy to answer from."""
    result = stub_guard.inspect(text, lang)
    assert result.text.startswith(kept) and "[HEALTH]" in result.text, result.text


def test_each_clause_is_encoded_once():
    calls = []

    def encoder(texts):
        calls.append(list(texts))
        return np.ones((len(texts), 384), np.float32)

    model = DisclosureModel(MODEL_FILE, encoder=encoder)
    model.scores("I have a question")
    model.fires("I have a question")
    model.encode(["I have a question", "and another one"])
    assert calls == [["query: I have a question"], ["query: and another one"]]


def test_missing_model_says_how_to_rebuild(tmp_path):
    with pytest.raises(ModelMissingError, match="build_disclosure"):
        DisclosureModel(tmp_path / "absent.npz", encoder=lambda texts: np.zeros((len(texts), 384)))


# logins and handles, by shape, with or without a cue
HANDLES = [
    ("en", "can't log in, my login is t.nguyen and it says locked", "t.nguyen"),
    ("fr", "mon identifiant ENT c'est lea_moreau, ça bloque", "lea_moreau"),
    ("en", "add me on discord (kev.r_88) for the group project", "kev.r_88"),
    ("fr", "suivez-moi sur insta @juju.lbrt pour les photos du gala", "@juju.lbrt"),
    ("en", "add me on teams: j.schmidt", "j.schmidt"),  # "schmidt" is a top-level domain too
]

NOT_HANDLES = [
    ("en", "Is the portal at ent.omneseducation.com or intranet.omnes.fr?"),
    ("fr", "J'envoie mon cv.pdf et ma lettre.docx par mail, c'est bon ?"),
    ("en", "e.g. the 2.0 version of the app, i.e. the new one"),
    ("fr", "Le rendez-vous est à 14h, c'est-à-dire après le déjeuner."),
    ("en", "Write to dpo@omneseducation.com for data requests."),
    ("fr", "j'ai perdu ma carte.merci de me dire quoi faire"),  # a missing space, not a handle
]


@pytest.mark.parametrize("lang, text, handle", HANDLES)
def test_a_login_or_handle_is_redacted(stub_guard, lang, text, handle):
    result = stub_guard.inspect(text, lang)
    assert handle not in result.text and "[ID_NUMBER]" in result.text, result.text


@pytest.mark.parametrize("lang, text", NOT_HANDLES)
def test_domains_files_and_abbreviations_are_not_handles(lang, text):
    from guards.recognizers.tokens import HandleRecognizer

    assert list(HandleRecognizer().find(text)) == []


# an identifier after a generic head noun, whatever the scheme; a login after its cue
STATED_REFERENCES = [
    ("en", "my Parcoursup number, it's 2519384, has not been updated", "2519384"),
    ("fr", "mon badge c'est le 55 12 90 et il ne marche plus", "55 12 90"),
    ("en", "Tyler here, housing contract HC-2291, the heating is broken", "HC-2291"),
    ("fr", "La carte étudiante c'est le n° 2100458, je l'ai perdue", "2100458"),
    ("en", "can't log in, my username is tbernard4", "tbernard4"),
    ("fr", "mon identifiant hmartinez ne fonctionne plus", "hmartinez"),
    ("fr", "mon dossier n°2100458 est bloqué", "2100458"),  # the cue touches its value
]

PUBLIC_NUMBERS = [
    ("en", "The room number is 2.104 and the course code is MKT-301."),
    ("fr", "La salle numéro B204 est fermée le samedi ?"),
    ("en", "What is Law No. 78-17 and why is it in your footer?"),
    ("fr", "Je voudrais une lettre de référence pour 2026, c'est possible ?"),
    ("en", "I lost my login and password, how do I reset them?"),
    ("fr", "Mon compte est bloqué depuis hier, que faire ?"),
    ("en", "Log in to moodle.omneseducation.com with the user agreed by your school."),
    ("fr", "Mon compte depuis 2019 fonctionnait très bien."),
]


@pytest.mark.parametrize("lang, text, value", STATED_REFERENCES)
def test_a_reference_or_login_after_its_cue_is_redacted(stub_guard, lang, text, value):
    result = stub_guard.inspect(text, lang)
    assert value not in result.text and "[ID_NUMBER]" in result.text, result.text


@pytest.mark.parametrize("lang, text", PUBLIC_NUMBERS)
def test_rooms_laws_years_and_plain_words_stay(stub_guard, lang, text):
    assert stub_guard.inspect(text, lang).text == text

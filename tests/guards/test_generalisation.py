"""Mechanisms added for generalisation (not for known messages): broad lexicons, subject-less openers,
cue after the term, family, treatments, modifier/neutral-noun/generic vetoes, names without NER,
birthplaces after a date. English and French side by side; every mechanism has negatives."""

import json
from pathlib import Path

import pytest

from guards.lexicon import load_lexicon
from guards.recognizers.names import is_first_name, load_names
from guards.recognizers.special import find_disclosures

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"


def _found(lang, text):
    return [(d.entity, text[d.start : d.end]) for d in find_disclosures(text, load_lexicon(lang))]


DISCLOSED = [
    # subject-less openers
    ("en", "Being bipolar, I sometimes miss classes.", "HEALTH", "bipolar"),
    ("fr", "Étant bipolaire, je rate parfois des cours.", "HEALTH", "bipolaire"),
    ("en", "As a diabetic, I need snacks during exams.", "HEALTH", "diabetic"),
    ("fr", "En tant que musulmane, je voudrais un menu adapté.", "RELIGION", "musulmane"),
    ("en", "Diagnosed with lupus last year, I need extra time.", "HEALTH", "lupus"),
    ("fr", "Atteinte de sclérose en plaques, je demande un aménagement.", "HEALTH", "sclérose en plaques"),
    ("en", "Hi, living with epilepsy, can exams be moved?", "HEALTH", "epilepsy"),
    ("fr", "Souffrant de fibromyalgie, puis-je avoir un tiers-temps ?", "HEALTH", "fibromyalgie"),
    # cue after a sentence-initial term; "here"
    ("en", "Deaf since birth, I rely on subtitles.", "HEALTH", "Deaf"),
    ("fr", "Sourde depuis l'enfance, je lis sur les lèvres.", "HEALTH", "Sourde"),
    ("en", "Type 1 diabetic here, can I keep my pump in exams?", "HEALTH", "Type 1 diabetic"),
    ("fr", "Dyslexique ici, les sujets peuvent-ils être en police adaptée ?", "HEALTH", "Dyslexique"),
    # family and third persons
    ("en", "My younger brother has Crohn's disease.", "HEALTH", "Crohn's disease"),
    ("fr", "Ma mère a un cancer du sein.", "HEALTH", "cancer du sein"),
    ("en", "Our son is on the autism spectrum.", "HEALTH", "on the autism spectrum"),
    ("fr", "Mon fils est TSA.", "HEALTH", "TSA"),
    # treatments, "I've been", "j'ai été diagnostiqué(e)"
    ("en", "I take insulin twice a day.", "HEALTH", "insulin"),
    ("fr", "Je prends des antidépresseurs depuis un an.", "HEALTH", "antidépresseurs"),
    ("en", "I've been diagnosed with ADHD.", "HEALTH", "ADHD"),
    ("fr", "J'ai été diagnostiquée TDAH en 2022.", "HEALTH", "TDAH"),
    # broader lexicons
    ("en", "I have coeliac disease.", "HEALTH", "coeliac disease"),
    ("fr", "Je suis cœliaque.", "HEALTH", "cœliaque"),
    ("en", "I'm in a wheelchair since the accident.", "HEALTH", "wheelchair"),
    ("fr", "J'ai une RQTH depuis 2021.", "HEALTH", "RQTH"),
    ("en", "I'm HIV-positive.", "HEALTH", "HIV-positive"),
    ("fr", "Je suis séropositive.", "HEALTH", "séropositive"),
    ("en", "I fast during Ramadan.", "RELIGION", "Ramadan"),
    ("fr", "Je mange uniquement halal.", "RELIGION", "halal"),
    ("en", "I was baptised last Easter.", "RELIGION", "baptised"),
    ("fr", "Je me suis convertie à l'islam.", "RELIGION", "convertie à l'islam"),
    ("en", "I'm non-binary.", "SEXUAL_ORIENTATION", "non-binary"),
    ("fr", "Je suis pansexuelle.", "SEXUAL_ORIENTATION", "pansexuelle"),
    ("en", "I'm a CGT member.", "TRADE_UNION", "CGT"),
    ("fr", "Je suis adhérente à la CFDT.", "TRADE_UNION", "adhérente à la CFDT"),
    ("en", "I voted for the Greens.", "POLITICAL_OPINION", "voted for the Greens"),
    ("fr", "Je milite à la France insoumise.", "POLITICAL_OPINION", "France insoumise"),
    ("en", "I carry a BRCA1 mutation.", "GENETIC", "BRCA1 mutation"),
    ("fr", "J'ai fait un test génétique.", "GENETIC", "test génétique"),
    ("en", "My parents are Moroccan.", "ETHNIC_ORIGIN", "My parents are Moroccan"),
    ("fr", "Je suis kabyle.", "ETHNIC_ORIGIN", "kabyle"),
    ("en", "I'm pregnant and due in May.", "HEALTH", "pregnant"),
    ("fr", "J'attends un bébé pour juin.", "HEALTH", "attends un bébé"),
]

NOT_DISCLOSED = [
    # institution / modifier
    ("en", "I studied at a Catholic school, does that matter?"),
    ("fr", "J'ai étudié dans une école catholique, est-ce un problème ?"),
    ("en", "My Catholic high school sent my transcript."),
    ("fr", "Mon lycée privé catholique a envoyé mon bulletin."),
    ("en", "I blind-copied the DPO on my email."),
    ("en", "I attended an LGBT awareness week, was I recorded?"),
    # neutral possessives and object pronouns
    ("en", "Is there halal food on my campus?"),
    ("fr", "Y a-t-il une salle de prière sur mon campus ?"),
    ("en", "Can you tell me if the canteen serves halal food?"),
    # generic category words in a data-handling clause
    ("en", "Do you store my disability status?"),
    ("fr", "Conservez-vous des informations sur mon handicap ?"),
    # everyday words that used to look like terms
    ("en", "I disabled cookies in my browser."),
    ("en", "I want to add my email address."),
    ("en", "I converted my CV to PDF."),
    ("en", "I got my confirmation email."),
    ("fr", "Je suis du sud de la France."),
    ("fr", "Mon nom de famille est long."),
    ("fr", "Je suis malade de ces relances !"),
    ("en", "I'm sick of these emails."),
    # topic questions stay topic questions
    ("en", "Do you process health data?"),
    ("fr", "Traitez-vous des données de santé ?"),
    ("en", "Is asthma considered health data under the GDPR?"),
    ("fr", "Est-ce que l'épilepsie est une donnée de santé ?"),
    ("en", "Being a parent, I want to know how long you keep my child's data."),
    ("fr", "Étant en alternance, mes données vont-elles à mon entreprise ?"),
]


@pytest.mark.parametrize("lang, text, entity, term", DISCLOSED)
def test_disclosure_mechanisms(lang, text, entity, term):
    found = _found(lang, text)  # a disclosure starts at its term and may cover the rest of its clause
    assert any(e == entity and span.startswith(term) for e, span in found), found


@pytest.mark.parametrize("lang, text", NOT_DISCLOSED)
def test_no_disclosure(lang, text):
    assert _found(lang, text) == []


@pytest.mark.parametrize(
    "lang, text, name",
    [
        ("en", "hey, jessica moore here, I have a question", "jessica moore"),
        ("fr", "Salut, c'est Karim ici, j'ai une question", "Karim"),
        ("en", "This is Tom Wilson from Leeds.", "Tom Wilson"),
        ("fr", "yo c'est inès, j'ai une question sur mes données", "inès"),
        ("en", "Can Jean-Pierre from admissions see my file?", "Jean-Pierre"),
        ("fr", "Est-ce que Marie-Claire du service scolarité voit mon dossier ?", "Marie-Claire"),
        ("en", "Please delete my data.\nCheers, tom", "tom"),
        ("fr", "Merci de supprimer mes données.\nCordialement,\nJean-Pierre Dupont", "Jean-Pierre Dupont"),
        ("en", "Thanks for your help -- Olivier", "Olivier"),
        ("fr", "Merci d'avance — Marie", "Marie"),
        ("en", "I spoke with Dr Okafor yesterday.", "Okafor"),
        ("fr", "J'ai parlé avec Mme Lefèvre hier.", "Lefèvre"),
        ("en", "my name is anna van der berg", "anna van der berg"),
        ("fr", "je m'appelle jean-pierre dupont", "jean-pierre dupont"),
    ],
)
def test_names_without_ner(stub_guard, lang, text, name):
    result = stub_guard.inspect(text, lang)
    assert name not in result.text and "[PERSON]" in result.text


@pytest.mark.parametrize(
    "lang, text",
    [
        ("en", "Dear Data Protection Officer, OMNES Education told me to ask the CNIL in Paris."),
        ("fr", "Madame, Monsieur, OMNES Education m'a dit de contacter la CNIL à Paris."),
        ("en", "Will you delete my data? May I ask how long you keep my CV?"),
        ("fr", "J'étais au lycée Victor Hugo avant d'entrer à l'ECE."),
        ("en", "This is important: who reads my file?"),
        ("fr", "C'est urgent ici, qui lit mon dossier ?"),
        ("en", "New student here, how do cookies work?"),
        ("fr", "Je suis originaire de Saint-Étienne."),
    ],
)
def test_no_person_invented(stub_guard, lang, text):
    assert not [f for f in stub_guard.inspect(text, lang).findings if f.entity == "PERSON"]


@pytest.mark.parametrize(
    "lang, text, place",
    [
        ("en", "I was born 5 May 2000 in Marseille, is it on my diploma?", "Marseille"),
        ("fr", "Je suis née le 02/09/2003 à Nantes.", "Nantes"),
        ("en", "I was born in 1999 in Casablanca.", "Casablanca"),
        ("fr", "Né en 2001 à Aix-en-Provence, j'ai grandi à Lyon.", "Aix-en-Provence"),
        ("fr", "Je suis originaire de Saint-Étienne.", "Saint-Étienne"),
    ],
)
def test_birthplace_and_origin_place(stub_guard, lang, text, place):
    result = stub_guard.inspect(text, lang)
    assert place not in result.text and "LOCATION" in result.entities


@pytest.mark.parametrize(
    "lang, text, month",
    [("en", "I was born in May and study in Lyon.", "May"), ("fr", "Je suis né en mai et j'étudie à Paris.", "mai")],
)
def test_birth_month_is_not_a_place(stub_guard, lang, text, month):
    # the month after a birth cue stays; since round 18 the place reader may redact the city the writer
    # studies in (read as locating them: an accepted over-redaction, README "places without a cue")
    assert f"born in {month}" in stub_guard.inspect(text, lang).text or f"né en {month}" in stub_guard.inspect(text, lang).text


@pytest.mark.parametrize(
    "word, known",
    [("Jean-Pierre", True), ("marie-claire", True), ("Jessica", True), ("Saint-Étienne", False), ("Paris", True), ("Omnes", False)],
)
def test_first_name_lexicon(word, known):
    assert is_first_name(word, load_names()[0]) is known


def test_ambiguous_first_names_need_a_surname(stub_guard):
    assert "PERSON" not in stub_guard.inspect("May I ask something? Will you answer?", "en").entities
    result = stub_guard.inspect("I emailed May Chen about it.", "en")
    assert "May Chen" not in result.text


def _questions():
    out = []
    for name in ("dev_questions.jsonl", "dev_answers.jsonl"):
        path = DATASETS / name
        if path.exists():
            out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def test_policy_questions_pass_without_special_category_redaction(stub_guard):
    questions = _questions()
    if not questions:
        pytest.skip("no dev question files")
    altered = [q["id"] for q in questions if stub_guard.inspect(q["question"], q.get("lang")).categories]
    assert altered == [], f"{len(altered)} of {len(questions)} policy questions lost a special-category span"

"""Street addresses, phone numbers after a cue, and person names judged on evidence (name lists,
ordinary words, coordination, public words). Fast tier: the NLP-engine stub."""

import pytest

from guards.persons import default_filter
from guards.types import Finding
from tests.guard_fixtures import make_stub_guard

ADDRESSES = [
    ("en", "I live at 123 Main Street, Apt 4B, Springfield, IL 62704. Do you keep it?", "123 Main Street, Apt 4B, Springfield, IL 62704"),
    ("en", "Please post it to Flat 3, 12 High Street, London SW1A 1AA", "Flat 3, 12 High Street, London SW1A 1AA"),
    ("en", "My address is PO Box 104, Leeds", "PO Box 104, Leeds"),
    ("fr", "J'habite au 12 rue de la Paix 75002 Paris depuis 2020", "12 rue de la Paix 75002 Paris"),
    ("fr", "Envoyez-le au 8 bis avenue Jean Jaurès, 69007 Lyon svp", "8 bis avenue Jean Jaurès, 69007 Lyon"),
    ("fr", "Mon adresse : Bât. C, 4 allée des Tilleuls, 33000 Bordeaux", "Bât. C, 4 allée des Tilleuls, 33000 Bordeaux"),
    ("en", "Jan Novak\n\n4844 Søndergade 52\n Apt. 656\n Brønderslev\n\n Denmark 35018", "4844 Søndergade 52\n Apt. 656\n Brønderslev\n\n Denmark 35018"),
    ("en", "Please write to my son at PSC 0413, Box 8144\nAPO AA 42323", "PSC 0413, Box 8144\nAPO AA 42323"),
    # an elided French word after the address is not the street abbreviation "c" ("c'est", round 28)
    ("fr", "j'habite au 12 rue des Lilas 75011 Paris c'est loin du campus ?", "12 rue des Lilas 75011 Paris"),
    ("en", "my new address is 14 Calle Mayor, Madrid, c'est bien noté ?", "14 Calle Mayor, Madrid"),
]


@pytest.mark.parametrize("lang, text, address", ADDRESSES)
def test_street_addresses_are_redacted_whole(stub_guard, lang, text, address):
    result = stub_guard.inspect(text, lang)
    assert [text[f.start:f.end] for f in result.findings if f.entity == "STREET_ADDRESS"] == [address]
    assert result.text.count("[STREET_ADDRESS]") == 1


@pytest.mark.parametrize("lang, text", [
    ("en", "I have 2 children aged 5 and 7, can they both apply?"),
    ("en", "Do you keep data for 3 years in Paris?"),
    ("en", "Article 17 of the GDPR gives me the right to erasure."),
    ("fr", "La salle B-204 et le code du cours MKT-301 sont sur l'emploi du temps."),
    ("fr", "Le campus de la rue est fermé 3 semaines en août."),
    ("en", "Room 204 is where the exam takes place."),
    ("fr", "le numéro 01 40 09 30 00 des mentions légales c'est l'hébergeur ?"),
    ("fr", "il reste 2 places en master finance c'est ça ?"),
])
def test_numbers_and_streets_words_alone_are_no_address(stub_guard, lang, text):
    assert "STREET_ADDRESS" not in stub_guard.inspect(text, lang).entities


@pytest.mark.parametrize("lang, text, number", [
    ("en", "Phone:\n467 3395", "467 3395"),
    ("en", "Fax: 345-899-3560x4587", "345-899-3560x4587"),
    ("fr", "Mon portable : 612 34 56", "612 34 56"),
    ("en", "Can someone call me on 450 0840?", "450 0840"),
])
def test_short_local_numbers_after_a_phone_cue(stub_guard, lang, text, number):
    assert number not in stub_guard.inspect(text, lang).text


@pytest.mark.parametrize("lang, text", [
    ("en", "We have 1234567 visitors a year."),
    ("fr", "Ma commande 1234567 est arrivée."),
    ("en", "Date: 2003-08-28 12:13:52"),
])
def test_numbers_without_a_phone_cue_stay(stub_guard, lang, text):
    assert stub_guard.inspect(text, lang).text == text


@pytest.mark.parametrize("lang, text, names", [
    ("en", "Our 3 founders: Kónya, Becker and Vasquez.", ["Kónya", "Becker", "Vasquez"]),
    ("fr", "Les fondateurs sont Kónya, Dubreuil et Martinez.", ["Kónya", "Dubreuil", "Martinez"]),
])
def test_names_coordinated_with_a_name(lang, text, names):
    guard = make_stub_guard(("Kónya",))
    result = guard.inspect(text, lang)
    assert all(name not in result.text for name in names), result.text


@pytest.mark.parametrize("lang, text, kept", [
    ("en", "Is data about Ramadan or Christmas holidays processed?", "Ramadan or Christmas"),
    ("fr", "Vos données sont-elles traitées à Paris, Lyon et Marseille ?", "Paris, Lyon et Marseille"),
    ("en", "May I ask something? Will you answer?", "May I ask something? Will you answer?"),
])
def test_public_words_coordinated_or_alone_are_no_names(lang, text, kept):
    guard = make_stub_guard(("Ramadan", "Paris"))
    assert kept in guard.inspect(text, lang).text


@pytest.mark.parametrize("lang, text, span, expected", [
    # NER labelled a listed surname as an organisation / place: relabelled a PERSON
    ("en", "Marrero and Becker were engineers.", "Becker", "Becker"),
    ("fr", "J'ai écrit à Sophie Laurent hier.", "Sophie Laurent", "Sophie Laurent"),
    # ordinary words, acronyms and places stay what they are
    ("en", "We use Google Analytics.", "Google Analytics", None),
    ("fr", "Le DPO de la CNIL à Paris.", "Paris", None),
    ("en", "Send the IBAN please.", "IBAN", None),
])
def test_relabel_needs_name_evidence(lang, text, span, expected):
    start = text.index(span)
    found = default_filter().relabel(text, start, start + len(span))
    assert (text[found[0]:found[1]] if found else None) == expected


@pytest.mark.parametrize("lang, text, name, kept", [
    ("en", "Hanne I. Kreutzmann from Can Capital is speaking", "Hanne I. Kreutzmann", "Hanne I. Kreutzmann"),
    ("en", "Shovda is very reliable.", "Shovda", "Shovda"),  # a sentence-initial word that is no ordinary word
    ("fr", "Claire et précise, votre politique !", "Claire", None),  # an ordinary word at a sentence start
    ("fr", "Utilisez-vous Google ?", "Utilisez", None),
])
def test_person_filter_on_evidence(lang, text, name, kept):
    start = text.index(name)
    found = default_filter().apply(text, Finding("PERSON", start, start + len(name), 0.85))
    assert (text[found.start:found.end] if found else None) == kept


# A name typed in lower case after a cue, with a first name or surname that is also an ordinary word ("lucie",
# "marchand", "roux"), a surname in lower case after a title, and a name given after "my name is" or a relative
# that reads like a place or a brand: each is a person's. The same words without the cue stay in clear.
CUED_NAMES = [
    ("en", "dob is in my file, name's joseph okafor, can't find my exam notice", "joseph okafor"),
    ("fr", "bonjour je suis kevin marchand, est ce que je peux avoir une dispense ?", "kevin marchand"),
    ("fr", "salut c'est lucie faure, vous avez bien mon dossier ?", "lucie faure"),
    ("fr", "le prof de droit Mr garnier m'a dit que je devais refaire le dossier", "garnier"),
    ("en", "Hi my name is Rose Garden (yes really), applicant for Sup de Pub", "Rose Garden"),
    ("fr", "mon mari Karim Benzema (pas le footballeur) veut venir à la journée portes ouvertes", "Karim Benzema"),
    # a relative's name in lower case, hyphenated or with a particle (round 28)
    ("en", "my wife anne-sophie moreau-leclerc works in admissions, can she see my file?", "anne-sophie moreau-leclerc"),
    ("fr", "ma fille samira el idrissi est en L1, je peux voir ses notes ?", "samira el idrissi"),
]


@pytest.mark.parametrize("lang, text, name", CUED_NAMES)
def test_names_given_with_a_cue_are_redacted_whatever_they_look_like(stub_guard, lang, text, name):
    result = stub_guard.inspect(text, lang)
    assert name not in result.text
    assert any(f.entity == "PERSON" for f in result.findings)


@pytest.mark.parametrize("lang, text", [
    ("en", "my son is starting in september, when do classes begin?"),
    ("fr", "ma fille a eu son bac, elle peut candidater en bachelor ?"),
    ("en", "the rose garden behind the campus is lovely, is it open to visitors?"),
    ("fr", "je suis marchand de journaux le week-end, ça compte comme job étudiant ?"),
    ("fr", "M. le directeur a dit que les notes sortent vendredi"),
])
def test_the_same_words_without_a_cue_stay(stub_guard, lang, text):
    assert stub_guard.inspect(text, lang).text == text

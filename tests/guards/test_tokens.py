"""Identifier-shaped tokens without a cue (logins, file numbers, codes, keys) are redacted by their
shape; course codes, legal references and standards stay. A plain word after a password cue is a
password only in the same clause ("my password is sunshine"), not after the clause ended
("someone asked for my password, is that normal?"). English and French side by side, on the
NLP-engine stub."""

import pytest

REDACTED = [
    ("en", "my login for the portal is jdupont42, it stopped working", "jdupont42"),
    ("fr", "mon identifiant c'est k.nguyen07, je n'arrive plus à me connecter", "k.nguyen07"),
    ("en", "the reset email had this in it: Hq4-Zr8-Lm2 - is that safe?", "Hq4-Zr8-Lm2"),
    ("fr", "le mail de réinitialisation contenait Hq4-Zr8-Lm2, c'est normal ?", "Hq4-Zr8-Lm2"),
    ("en", "my file is CAND-2025-77310, please withdraw it", "CAND-2025-77310"),
    ("fr", "dossier CAND-2025-77310, je veux l'annuler", "CAND-2025-77310"),
    ("en", "I'm 23B1187 in the registry, can I see my marks?", "23B1187"),
    ("fr", "je suis 23B1187 dans le registre, je peux voir mes notes ?", "23B1187"),
    ("en", "my password is sunshine", "sunshine"),
    ("fr", "mon mot de passe c'est tournesol", "tournesol"),
]

KEPT = [
    ("en", "Is the data of course MKT-302 shared with anyone?"),
    ("fr", "Le module DATA-204 utilise quel outil pour nos données ?"),
    ("en", "Which article applies, L1234-5 of the Labour Code?"),
    ("fr", "C'est l'article L1234-5 du Code du travail ?"),
    ("en", "Do you use AES-256 for the data at rest?"),
    ("fr", "Vous chiffrez en AES-256 ?"),
    ("en", "Were the records from the 1990s deleted?"),
    ("fr", "Les dossiers des années 90 sont-ils supprimés ?"),
    ("en", "Someone asked for my password, is that normal?"),
    ("fr", "On m'a demandé mon mot de passe au téléphone, c'est grave ?"),
]


@pytest.mark.parametrize("lang, text, value", REDACTED)
def test_identifier_shaped_tokens_and_stated_passwords_are_redacted(stub_guard, lang, text, value):
    assert value not in stub_guard.inspect(text, lang).text


@pytest.mark.parametrize("lang, text", KEPT)
def test_codes_references_and_questions_about_passwords_stay(stub_guard, lang, text):
    assert stub_guard.inspect(text, lang).text == text

"""Audience and section-topic detection, English and French side by side."""

from __future__ import annotations

import pytest

from knowledge import audience, glossary, topics
from knowledge.textnorm import guess_lang


@pytest.mark.parametrize(
    "en, fr, expected",
    [
        ("As a student, how long do you keep my data?", "Je suis étudiante, combien de temps gardez-vous mes données ?", "students"),
        ("I'm an alumnus, can I close my alumni account?", "Ancien élève : puis-je fermer mon compte alumni ?", "alumni"),
        ("I work for OMNES as a teacher, who sees my payslips?", "Je suis enseignant, qui voit mes fiches de paie ?", "staff"),
        ("I applied for a job: do you keep my CV?", "Je suis candidat à un poste : gardez-vous mon CV ?", "staff"),
        ("Our company hosts an intern from your school.", "Notre entreprise accueille un stagiaire de votre école.", "partners"),
        ("How long do you keep CCTV footage?", "Combien de temps gardez-vous la vidéosurveillance ?", "cctv"),
        ("Are there cameras on campus?", "Y a-t-il des caméras sur le campus ?", "cctv"),
        ("How do I refuse cookies?", "Comment refuser les traceurs et cookies ?", "cookies"),
        ("I visited your website and asked for a brochure.", "Simple visiteur, j'ai demandé une brochure.", "prospects"),
        ("How long do you keep my data?", "Combien de temps gardez-vous mes données ?", None),
        ("Who is the data controller?", "Qui est le responsable du traitement ?", None),
    ],
)
def test_detect_audience_en_fr(en, fr, expected):
    assert audience.detect(en) == expected
    assert audience.detect(fr) == expected


@pytest.mark.parametrize(
    "en, fr, topic",
    [
        ("How long do you keep my data?", "Combien de temps conservez-vous mes données ?", "VII-storage"),
        ("Who do you share my data with?", "Avec qui partagez-vous mes données ?", "IV-recipients"),
        ("What are my rights?", "Quels sont mes droits ?", "V-rights"),
        ("Do you transfer my data abroad?", "Transférez-vous mes données à l'étranger ?", "VIII-transfers"),
        ("What is the legal basis?", "Quelle est la base légale ?", "III-legal-basis"),
        ("Why do you process my data?", "Pourquoi traitez-vous mes données ?", "II-purposes"),
        ("How do I block cookies?", "Comment bloquer les cookies ?", "management"),
    ],
)
def test_detect_section_topic_en_fr(en, fr, topic):
    assert topic in topics.detect(en)
    assert topic in topics.detect(fr)


@pytest.mark.parametrize(
    "question, english",
    [
        ("Combien de temps conservez-vous mes données ?", {"keep", "store", "period", "data"}),
        ("Puis-je exercer mon droit d'accès ?", {"access"}),
        ("Comment supprimer mes données ?", {"delete", "removal"}),
        ("Quelle est la durée de conservation ?", {"period", "retention"}),
    ],
)
def test_glossary_expands_french_terms(question, english):
    assert english <= set(glossary.expand(question))


@pytest.mark.parametrize(
    "question, lang",
    [
        ("How long do you keep my data?", "en"),
        ("Combien de temps gardez-vous mes données ?", "fr"),
        ("Who is the DPO?", "en"),
        ("Qui est le DPO ?", "fr"),
        ("Est-ce que vous utilisez des cookies", "fr"),
    ],
)
def test_language_guess(question, lang):
    assert guess_lang(question) == lang

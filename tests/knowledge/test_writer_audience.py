"""Who the message concerns: the writer's own words about who they are ("I teach here part-time")
win over what the rest of the question is about ("…the students' files"), because the policy's
parts are organised by whose data it is."""

from __future__ import annotations

import pytest

from knowledge.classify import Prediction
from knowledge.query import Query, analyse, self_description_clauses
from knowledge.text import clauses


@pytest.mark.parametrize("text, expected", [
    ("I'm a lecturer here, what do you keep on me?", ["I'm a lecturer here", "what do you keep on me"]),
    ("ancien de l'ESCE ici - vous partagez mon profil ?", ["ancien de l'ESCE ici", "vous partagez mon profil"]),
    ("will my profile be shown to companies? (3rd year student)",
     ["will my profile be shown to companies", "3rd year student"]),
    ("Je suis étudiante. Vous gardez mes notes combien de temps ?",
     ["Je suis étudiante", "Vous gardez mes notes combien de temps"]),
    ("How long do you keep my data?", []),
    ("Combien de temps gardez-vous mes données ?", []),
    ("ok, thanks", []),  # one-word pieces are not clauses
    # a redaction placeholder belongs to its clause: "je suis" alone would read as a self-description
    ("j'ai un [HEALTH], vous avez des infos sur ma santé ?", ["j'ai un [HEALTH]", "vous avez des infos sur ma santé"]),
    ("I am [RELIGION], do you record that?", ["I am [RELIGION]", "do you record that"]),
    ("je suis étudiant (en master), vous gardez quoi ?", ["je suis étudiant", "en master", "vous gardez quoi"]),
])
def test_a_message_is_split_into_clauses_only_when_it_has_several(text, expected):
    assert clauses(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a long clause is read in its coordinated statements, so the one that says who the writer is is a candidate
    ("Hello, I graduated from ESCE back in 2015 and I have not logged into the alumni site for many years, is it "
     "still there?", ["I graduated from ESCE back in 2015", "I have not logged into the alumni site for many years",
                      "is it still there"]),
    ("Bonjour, j'ai eu mon diplôme en 2015 à l'INSEEC et je ne me suis plus connecté au réseau alumni depuis "
     "longtemps, il existe encore ?", ["j'ai eu mon diplôme en 2015 à l'INSEEC",
                                      "je ne me suis plus connecté au réseau alumni depuis longtemps",
                                      "il existe encore"]),
    # short clauses stay whole, "and" or not
    ("I'm a student and an intern, who sees my data?", ["I'm a student and an intern", "who sees my data"]),
    ("How long do you keep my data?", []),
])
def test_self_description_candidates_split_long_clauses_at_and_or_but(text, expected):
    assert self_description_clauses(text) == expected


def _query(audience: str | None, writer: str | None) -> Query:
    import numpy as np

    return Query("q", "en", "e5", np.zeros(3, dtype=np.float32),
                 audience=Prediction(audience, {audience or "none": 0.9}),
                 writer=Prediction(writer, {writer or "none": 0.9}))


@pytest.mark.parametrize("topic, writer, known, expected", [
    ("students", "staff", None, "staff"),  # "I teach here; what about the students' files?"
    ("students", None, None, "students"),  # nobody says who they are: the topic decides
    ("students", "none", None, "students"),
    ("none", "alumni", None, "alumni"),
    ("students", "cctv", {"students", "staff"}, "students"),  # a part this policy does not have
    (None, None, None, None),
])
def test_the_writers_self_description_wins_over_the_topic(topic, writer, known, expected):
    assert _query(topic, writer).audience_named(known) == expected


@pytest.mark.slow
@pytest.mark.parametrize("question, lang, audience", [
    ("I teach part-time in one of your schools; what do you store about me?", "en", "staff"),
    # A miss of the round-7 audience model (students at 0.48), read right since the model also learns from
    # labelled self-descriptions (knowledge/training/writers.yaml, round 8)
    ("je donne des cours à l'ECE en tant que vacataire, vous gardez mes infos combien de temps ?", "fr", "staff"),
    ("j'ai déposé mon dossier de candidature en master la semaine dernière, qui voit mes relevés de notes ?", "fr",
     "students"),
    ("my daughter hasn't applied anywhere yet, I just asked for a brochure. Do you keep my email?", "en",
     "prospects"),
    ("our company hosts two of your interns - do you send my contact details to anyone?", "en", "partners"),
    ("nous accueillons un stagiaire de votre école, vous faites quoi de mes coordonnées ?", "fr", "partners"),
    ("I got my degree in 2020, can recruiting companies see my profile?", "en", "alumni"),
    ("j'ai eu mon diplôme en 2020, est-ce que les entreprises qui recrutent voient mon profil ?", "fr", "alumni"),
])
def test_real_models_read_who_the_writer_is(question, lang, audience):
    assert analyse(question, lang).audience_named() == audience


def _conv_query(topic: str, p: float, writer: str | None = None) -> Query:
    import numpy as np

    return Query("q", "en", "e5", np.zeros(3, dtype=np.float32),
                 audience=Prediction(topic, {topic: p, "none": 1 - p}),
                 writer=Prediction(writer, {writer or "none": 0.9}))


@pytest.mark.parametrize("current, topic, p, writer, expected", [
    ("students", "staff", 0.49, None, None),  # a student: "what if I miss a payment?" stays with students
    ("students", "staff", 0.95, None, "staff"),  # "et pour les profs ?": clearly another part
    ("students", "staff", 0.49, "staff", "staff"),  # "I also teach here, …": the writer says so
    (None, "staff", 0.49, None, "staff"),  # nothing known yet: the message decides
    ("students", "students", 0.3, None, "students"),
])
def test_a_conversation_changes_part_only_when_the_message_clearly_says_so(current, topic, p, writer, expected):
    from knowledge.query import audience_in_conversation

    assert audience_in_conversation(_conv_query(topic, p, writer), current) == expected


@pytest.mark.slow
@pytest.mark.parametrize("message, lang, writer", [
    # the writer says who they are, in passing or as a correction (the later clause wins)
    ("Diplômé 2019 de l'INSEEC. Mes données de scolarité, vous les gardez encore ?", "fr", "alumni"),
    ("I'm a student at ECE, well no sorry, actually I graduated last year. Do you keep my file?", "en", "alumni"),
    ("maintenant je bosse dans un cabinet qui accueille vos alternants. Vous gardez mes coordonnées ?", "fr",
     "partners"),
    # clauses that only name a group are not the writer's description (round 13: not_writers.yaml)
    ("What do you keep on teachers, and do the students see it?", "en", None),
    ("et les profs, ils ont accès à quoi exactement ?", "fr", None),
    ("if an alumnus unsubscribes, what happens to the directory entry?", "en", None),
    ("quand un candidat est refusé, vous gardez son dossier, les pièces jointes ?", "fr", None),
    # what the guard removed is not who the writer is: "je suis" or "j'ai un" alone read as a prospect or a
    # student, and moved a student's conversation to the prospects' part (blind dialogue set 57)
    ("j'ai un [HEALTH], vous avez des infos sur ma santé ?", "fr", None),
    ("je suis [RELIGION], vous stockez ça ?", "fr", None),
    ("I am [SEXUAL_ORIENTATION], do you record that?", "en", None),
    ("I'm [PERSON], a student at ECE. How long do you keep my data?", "en", "students"),
    ("je m'appelle [PERSON], je suis prof à l'ECE, vous gardez quoi ?", "fr", "staff"),
])
def test_real_models_tell_a_self_description_from_a_mention(message, lang, writer):
    assert analyse(message, lang).writer_named() == writer

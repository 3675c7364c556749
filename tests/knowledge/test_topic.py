"""What a message asks about, apart from who the writer says they are: "I teach at ECE, who sees my
payslips?" is a question about recipients asked by a member of staff. The self-description clause
names the audience part; the rest of the message carries the topic that retrieval, the answer type
and the kind of value read (the whole message stays in, with a fitted share, because a
self-description often also carries topic: "I applied through Parcoursup, do you get my file from
them?")."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge import query
from knowledge.classify import Prediction
from tests.fakes import HashEmbedder


@pytest.mark.parametrize("text, clause, rest", [
    ("I teach at ECE, who sees my payslips?", "I teach at ECE", "who sees my payslips?"),
    ("je suis prof à l'ECE, qui voit mes fiches de paie ?", "je suis prof à l'ECE", "qui voit mes fiches de paie ?"),
    ("who sees my payslips? (I teach at ECE)", "I teach at ECE", "who sees my payslips?"),
    ("qui voit mes fiches de paie ? je suis prof à l'ECE", "je suis prof à l'ECE", "qui voit mes fiches de paie ?"),
    ("I'm an alumna. Why?", "I'm an alumna", ""),  # what is left is one word: no topic of its own
    ("je suis ancienne élève. Pourquoi ?", "je suis ancienne élève", ""),
    ("I teach at ECE", "a clause that is not there", ""),
])
def test_the_topic_is_the_message_without_the_writers_clause(text, clause, rest):
    assert query.without_clause(text, clause) == rest


@pytest.mark.parametrize("text, clause, occurrence, rest", [
    ("I'm a student. I'm a student, who sees it?", "I'm a student", 1, "I'm a student. who sees it?"),
    ("je suis étudiant. je suis étudiant, qui le voit ?", "je suis étudiant", 1, "je suis étudiant. qui le voit ?"),
])
def test_the_clause_removed_is_the_copy_the_writer_model_chose(text, clause, occurrence, rest):
    assert query.without_clause(text, clause, occurrence) == rest


def _writer_is(monkeypatch, index: int | None):
    def fake(vecs, model, texts):  # like the real one: no clauses, no self-description
        if index is None or not len(vecs):
            return Prediction(None, {}), None
        return Prediction("staff", {"staff": 0.9}), index
    monkeypatch.setattr(query, "_writer", fake)


@pytest.mark.parametrize("message, lang, rest", [
    ("I teach at ECE, who sees my payslips?", "en", "who sees my payslips?"),
    ("je suis prof à l'ECE, qui voit mes fiches de paie ?", "fr", "qui voit mes fiches de paie ?"),
])
def test_retrieval_reads_the_topic_and_routing_the_whole_message(monkeypatch, message, lang, rest):
    _writer_is(monkeypatch, 0)
    q = query.analyse(message, lang)
    emb = HashEmbedder()
    np.testing.assert_allclose(q.vec, emb.query(message), atol=1e-6)  # routing and the audience
    mixed = emb.query(rest) + query.WHOLE_IN_TOPIC * emb.query(message)
    np.testing.assert_allclose(q.topic, mixed / np.linalg.norm(mixed), atol=1e-6)
    np.testing.assert_allclose(q.search_vec, query.expand(q.topic, lang, q.model), atol=1e-6)
    assert q.writer.label == "staff"


@pytest.mark.parametrize("message, lang", [
    ("who sees my payslips?", "en"),            # no self-description: the message is the topic
    ("qui voit mes fiches de paie ?", "fr"),
])
def test_without_a_self_description_the_topic_is_the_message(monkeypatch, message, lang):
    _writer_is(monkeypatch, None)
    q = query.analyse(message, lang)
    assert q.topic_vec is None
    np.testing.assert_array_equal(q.topic, q.vec)


@pytest.mark.parametrize("message, lang", [
    ("I'm an alumna. Why?", "en"),              # "Why?" is no clause: the message is one
    ("je suis ancienne élève. Pourquoi ?", "fr"),
])
def test_a_self_description_with_a_one_word_question_keeps_the_whole_message(monkeypatch, message, lang):
    _writer_is(monkeypatch, 0)
    # the self-description is found as a clause: what is left ("Why?") is too short to be the topic
    monkeypatch.setattr(query, "self_description_clauses", lambda text: [text.split(".")[0]])
    q = query.analyse(message, lang)
    np.testing.assert_array_equal(q.topic, q.vec)


def test_a_follow_up_leans_on_the_topic_not_on_the_self_description(monkeypatch):
    _writer_is(monkeypatch, 0)
    q = query.analyse("I teach at ECE, who sees my payslips?", "en")
    f = query.follow_up(q, "how long do you keep them?", "who sees my payslips? — how long do you keep them?")
    emb = HashEmbedder()
    prev = query.FOLLOW_UP_WEIGHT * emb.query("how long do you keep them?")
    topic, whole = q.topic + prev, q.vec + prev
    np.testing.assert_allclose(f.topic, topic / np.linalg.norm(topic), atol=1e-6)  # what retrieval reads
    np.testing.assert_allclose(f.vec, whole / np.linalg.norm(whole), atol=1e-6)  # what routing and the audience read

"""What one question costs the embedding model (issue 16: the query embedding is most of the CPU of
a never-seen question). A message and the clauses in which its writer may say who they are go to
the model in ONE call; a repeated message reuses its cached vector; the cache is bounded. The
result is the same as embedding each text alone."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge import embedders, query
from tests.fakes import HashEmbedder


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting model calls and texts."""

    def __init__(self, name: str = "e5"):
        super().__init__(name)
        self.calls: list[int] = []

    def query(self, text):
        self.calls.append(1)
        return super().query(text)

    def queries(self, texts):
        self.calls.append(len(texts))
        return super().queries(texts)


@pytest.fixture
def counting():
    model = CountingEmbedder()
    embedders.use_factory(lambda name: model)
    yield model
    embedders.use_factory(None)


@pytest.mark.parametrize("message, lang, clauses", [
    ("I'm a lecturer here, what do you keep on me, and for how long?", "en", 3),
    ("Je suis ancienne élève de l'ESCE, vous gardez mes notes combien de temps ?", "fr", 2),
])
def test_a_message_and_its_clauses_cost_one_model_call(counting, message, lang, clauses):
    q = query.analyse(message, lang)
    # one batch: the message, then its short clauses; when one of them says who the writer is, one
    # more text: the rest of the message (its topic, `knowledge.query.without_clause`)
    rest = [1] if q.topic_vec is not None else []
    assert q.writer.label is not None and rest  # both messages say who the writer is
    assert counting.calls == [1 + clauses, *rest]
    np.testing.assert_array_equal(q.vec, HashEmbedder().query(message))
    query.analyse(message, lang)  # the same message again (a re-ask): its own vector and its rest are cached
    assert counting.calls == [1 + clauses, *rest, clauses]


@pytest.mark.parametrize("message, lang", [
    ("How long do you keep my CV?", "en"),
    ("Combien de temps gardez-vous mon CV ?", "fr"),
])
def test_a_single_clause_message_costs_one_text(counting, message, lang):
    query.analyse(message, lang)
    query.analyse(message, lang)
    assert counting.calls == [1]


@pytest.mark.parametrize("message, lang", [
    ("I teach part-time in one of your schools, what do you share with the unions?", "en"),
    ("ancien de l'ESCE ici, vous envoyez encore mes infos aux entreprises ?", "fr"),
])
def test_the_writer_is_read_from_the_same_vectors_as_before(message, lang):
    """The batched call gives each clause the vector it gets alone: the self-description reading does
    not change."""
    q = query.analyse(message, lang)
    parts = query.self_description_clauses(message)
    alone = np.stack([HashEmbedder().query(p) for p in parts])
    assert q.writer == query._writer(alone, q.model, parts)[0]


def test_the_query_cache_is_bounded(counting, monkeypatch):
    monkeypatch.setattr(embedders, "_query_cache", embedders._QueryCache(2))
    for text in ("one question", "two question", "three question", "one question"):
        embedders.embed_query("e5", text)
    assert counting.calls == [1, 1, 1, 1]  # "one" was evicted by the third
    embedders.embed_query("e5", "three question")
    assert counting.calls == [1, 1, 1, 1]
    vec = embedders.embed_query("e5", "three question")
    with pytest.raises(ValueError):
        vec[0] = 1.0  # shared between callers: read-only

"""A referring turn is searched by its own meaning first, the earlier question as context: the
search vector leans towards the turn, and what the turn asks for (answer type, value) stays its own."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge import embedders, query
from knowledge.classify import Prediction

DIM = 8


def _unit(i: int) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    return v


class _Audience:
    def predict(self, vec, text=None):
        return Prediction("staff", {"staff": 0.7})


def _query(text: str, lang: str) -> query.Query:
    return query.Query(text=text, lang=lang, model="e5", vec=_unit(0), search_vec=_unit(0), terms=("see",),
                       answer_type=Prediction("recipients", {"recipients": 0.9}),
                       slot=Prediction("none", {"none": 0.8}))


@pytest.mark.parametrize("lang, message, previous", [
    ("en", "who else gets to see it?", "how long do you keep my CV?"),
    ("fr", "et qui y a accès ?", "vous gardez mon CV combien de temps ?"),
])
def test_the_turn_leads_and_the_earlier_question_is_context(monkeypatch, lang, message, previous):
    monkeypatch.setattr(embedders, "embed_query", lambda model, text: _unit(1))
    monkeypatch.setattr(query, "expand", lambda vec, lang, model: vec)
    monkeypatch.setattr(query, "classifier", lambda kind, model: _Audience())
    q = query.follow_up(_query(message, lang), previous, f"{message} — {previous}")
    assert q.vec[0] > q.vec[1] > 0  # both meanings, the turn's first
    assert abs(float(np.linalg.norm(q.vec)) - 1.0) < 1e-5
    assert q.answer_type.label == "recipients" and q.slot.label == "none"  # what the turn asks for
    assert message in q.text and previous in q.text and q.lang == lang  # BM25 reads the words of both


def test_weight_zero_is_the_turn_alone(monkeypatch):
    monkeypatch.setattr(embedders, "embed_query", lambda model, text: _unit(1))
    monkeypatch.setattr(query, "expand", lambda vec, lang, model: vec)
    monkeypatch.setattr(query, "classifier", lambda kind, model: _Audience())
    q = query.follow_up(_query("who sees it?", "en"), "how long?", "who sees it? — how long?", weight=0.0)
    assert np.allclose(q.vec, _unit(0))

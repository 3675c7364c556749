"""Which part a self-description names (`Query.writer_named`): the clause's audience probabilities read in
the light of the whole message's, so an unsure clause does not overrule what the whole message says, and a
sure one still wins over the topic ("I'm a lecturer here, will my details be given to your students?")."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.classify import Prediction
from knowledge.query import Query


def _query(writer: dict, whole: dict) -> Query:
    best = max(writer, key=writer.get)
    return Query(text="…", lang="en", model="e5", vec=np.zeros(3, np.float32),
                 writer=Prediction(best, writer), audience=Prediction(max(whole, key=whole.get), whole))


@pytest.mark.parametrize("writer, whole, part", [
    # "im doing my master at inseec rn, how long will u keep my stuff after i finish"
    ({"staff": 0.46, "students": 0.37, "alumni": 0.15, "none": 0.02}, {"students": 0.76, "alumni": 0.18, "staff": 0.03},
     "students"),
    # "I'm a lecturer here, will my details be given to your students?"
    ({"staff": 0.9, "students": 0.05, "none": 0.05}, {"students": 0.6, "staff": 0.3, "none": 0.1}, "staff"),
    # "je suis tuteur d'un alternant, vous gardez mes infos combien de temps ?"
    ({"partners": 0.55, "students": 0.4, "none": 0.05}, {"students": 0.5, "partners": 0.45, "none": 0.05}, "partners"),
])
def test_the_clause_is_read_with_the_whole_message(writer, whole, part):
    assert _query(writer, whole).writer_named() == part
    assert _query(writer, whole).audience_named() == part


def test_no_self_description_no_writer():
    q = _query({"none": 0.9, "staff": 0.1}, {"students": 0.8, "none": 0.2})
    assert q.writer_named() is None
    assert q.audience_named() == "students"


def test_only_known_parts():
    q = _query({"staff": 0.5, "students": 0.45, "none": 0.05}, {"students": 0.9, "staff": 0.1})
    assert q.writer_named({"staff", "alumni"}) == "staff"

"""The answerability check (knowledge/answerable.py): fitted out of fold on answerable and
unanswerable questions, it refuses what the policy does not answer and can only refuse more than
the ranker's not-found threshold. Fast tier: synthetic features and the fake-embedded index."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge import answerable
from knowledge.errors import ConfigError


def _data(seed: int = 0):
    """Answerable questions sit close to labelled answerable ones; unanswerable ones close to the
    unanswerable set, with overlap (like real data)."""
    rng = np.random.default_rng(seed)
    rows, y, groups = [], [], []
    for n in range(400):
        ok = n % 4 != 0
        pos = rng.normal(0.88 if ok else 0.82, 0.03, 3)
        neg = rng.normal(0.80 if ok else 0.87, 0.03, 3)
        top = float(np.clip(rng.normal(0.45 if ok else 0.35, 0.15), 0.01, 0.99))
        rows.append(answerable.features(top, top / 2, 0.8, 0.7, 0.5, pos, neg))
        y.append(ok)
        groups.append(f"writer{n % 3}" if ok else f"unanswerable{n % 5}")
    return np.array(rows), np.array(y), groups


def test_the_cut_keeps_the_asked_share_of_answerable_questions_out_of_fold():
    X, y, groups = _data()
    verifier, report = answerable.fit(X, y, groups, "e5")
    assert report["oof_answerable_kept"] >= answerable.RECALL - 0.01
    assert report["oof_unanswerable_caught"] > 0.3  # it refuses some of what the policy does not answer
    assert report["oof_auc"] > 0.8
    probs = np.array([verifier.prob(r) for r in X])
    assert probs[~y].mean() < probs[y].mean()


@pytest.mark.parametrize("neighbours, answered", [
    ((np.array([0.95, 0.94, 0.93]), np.array([0.70, 0.69, 0.68])), True),  # like a question people asked and got
    ((np.array([0.72, 0.71, 0.70]), np.array([0.97, 0.96, 0.95])), False),  # like one the policy never answers
])
def test_a_question_is_judged_by_the_questions_it_resembles(neighbours, answered):
    X, y, groups = _data(1)
    verifier, _ = answerable.fit(X, y, groups, "e5")
    pos, neg = neighbours
    assert verifier.answered(answerable.features(0.4, 0.2, 0.8, 0.7, 0.5, pos, neg)) is answered


def _with_topics(seed: int = 2, dims: int = 8):
    """Neighbour features alike for both kinds; what tells them apart is what the question is about
    (its embedding): unanswerable questions lean on one direction (a topic the policy is silent on)."""
    rng = np.random.default_rng(seed)
    rows, y, groups = [], [], []
    for n in range(400):
        ok = n % 4 != 0
        q = rng.normal(0, 1, dims)
        q[0] = rng.normal(-1.0 if ok else 1.5, 0.5)
        q /= np.linalg.norm(q)
        sims = rng.normal(0.85, 0.03, 3)
        rows.append(answerable.features(0.4, 0.2, 0.8, 0.7, 0.5, sims, sims, q))
        y.append(ok)
        groups.append(f"writer{n % 3}" if ok else f"unanswerable{n % 5}")
    return np.array(rows), np.array(y), groups


def test_the_question_embedding_tells_apart_what_neighbours_cannot():
    X, y, groups = _with_topics()
    scalar_only, flat = answerable.fit(X[:, :len(answerable.FEATURES)], y, groups, "e5")
    with_question, report = answerable.fit(X, y, groups, "e5")
    assert with_question.question_dims == 8 and scalar_only.question_dims == 0
    assert report["oof_auc"] > 0.9 > flat["oof_auc"]
    assert report["oof_unanswerable_caught"] > flat["oof_unanswerable_caught"] + 0.3
    assert report["c"] in answerable.C_GRID  # chosen on out-of-fold AUC


def test_a_check_with_the_question_embedding_round_trips(tmp_path, monkeypatch):
    X, y, groups = _with_topics()
    verifier, report = answerable.fit(X, y, groups, "e5")
    (tmp_path / "answerable-e5.json").write_text(verifier.to_json(report), encoding="utf-8")
    monkeypatch.setattr(answerable, "MODELS_DIR", tmp_path)
    answerable.load.cache_clear()
    loaded = answerable.load("e5")
    assert loaded.question_dims == 8
    assert [loaded.answered(r) for r in X[:20]] == [verifier.answered(r) for r in X[:20]]
    answerable.load.cache_clear()


def test_one_class_only_says_what_to_add():
    X, y, groups = _data()
    with pytest.raises(ConfigError, match="answerable and unanswerable"):
        answerable.fit(X[y], y[y], [g for g, k in zip(groups, y, strict=True) if k], "e5")


def test_no_neighbours_give_zero_features_in_a_fixed_order():
    row = answerable.features(0.5, 0.5, 0.0, 0.0, 0.0, np.array([]), np.array([]))
    assert row.shape == (len(answerable.FEATURES),)
    assert row[answerable.FEATURES.index("pos_1")] == 0.0 and row[answerable.FEATURES.index("top_gap")] == 0.0


def test_damaged_weights_say_how_to_rebuild(tmp_path, monkeypatch):
    monkeypatch.setattr(answerable, "MODELS_DIR", tmp_path)
    answerable.load.cache_clear()
    assert answerable.load("e5") is None  # never trained: not applied
    (tmp_path / "answerable-e5.json").write_text('{"features": ["other"]}', encoding="utf-8")
    answerable.load.cache_clear()
    with pytest.raises(ConfigError, match="train_ranker.py"):
        answerable.load("e5")
    answerable.load.cache_clear()


def _install(tmp_path, monkeypatch, bias: float) -> None:
    """A check whose probability is sigmoid(bias) whatever the question."""
    n = len(answerable.FEATURES)
    v = answerable.Verifier("e5", np.zeros(n), np.ones(n), np.zeros(n), bias, 0.5)
    (tmp_path / "answerable-e5.json").write_text(v.to_json(), encoding="utf-8")
    monkeypatch.setattr(answerable, "MODELS_DIR", tmp_path)
    answerable.load.cache_clear()


@pytest.mark.parametrize("question, lang", [
    ("How long do you keep CCTV footage?", "en"),
    ("Combien de temps conservez-vous les images de vidéosurveillance ?", "fr"),
])
@pytest.mark.parametrize("bias, refused", [(-8.0, True), (8.0, False)])
def test_the_engine_refuses_without_a_citation_when_the_check_says_unanswered(fake_engine, tmp_path, monkeypatch,
                                                                               question, lang, bias, refused):
    _install(tmp_path, monkeypatch, bias)
    a = fake_engine.ask(question, lang=lang, record=False)
    assert (a.kind == "refusal") is refused
    if refused:
        assert a.citations == [] and a.trace["intent"] == "not_found" and a.trace["answerable"] < 0.5
    else:  # answered, or a question about which audience (the fake embedder cannot tell)
        assert a.kind in ("answer", "clarification") and a.trace["answerable"] > 0.5
    answerable.load.cache_clear()


def test_the_built_index_carries_the_unanswerable_questions(fake_kb):
    _, retriever = fake_kb
    manifest = retriever.index.manifest
    lines = [json.loads(x) for x in (Path(answerable.__file__).parent / "profiles" / "omnes.unanswerable.jsonl")
             .read_text(encoding="utf-8").splitlines() if x.strip()]
    assert manifest["unanswerable"] == len(lines) > 0
    assert retriever.index.unanswerable_collections["e5"].count() == len(lines)


@pytest.mark.slow
@pytest.mark.parametrize("question, lang, fact", [
    ("How long do you keep the footage from the campus cameras?", "en", r"30 days|thirty"),
    ("What is the e-mail address of your data protection officer?", "en", r"dpo@omneseducation\.com"),
    ("Vous gardez les images de vidéosurveillance combien de temps ?", "fr", r"30 (jours|days)|trente"),
    ("C'est quoi l'adresse mail du délégué à la protection des données ?", "fr", r"dpo@omneseducation\.com"),
])
def test_with_the_real_models_the_check_runs_and_keeps_plain_answers(engine, question, lang, fact):
    import re

    a = engine.ask(question, lang=lang, record=False)
    assert a.kind == "answer" and a.citations
    assert a.trace["answerable"] is not None and a.trace["answerable"] >= answerable.load("e5").cut
    assert re.search(fact, a.text + " ".join(c.quote for c in a.citations), re.I)

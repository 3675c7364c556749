"""Does the policy answer this question at all? A small learned check on the best answer unit.

The ranker says which unit answers best; its score alone cannot tell "what is the DPO's e-mail?"
(answered) from "what is the DPO's name?" (the same unit, the name is never given): both land on the
DPO paragraph with a high score. What tells them apart is what people asked before. Each policy can
carry two sets of labelled questions written from its text: the ones it answers
(`labelled_questions`, also the ranker's votes) and near-topic ones it does not
(`unanswerable_questions`: a name, a phone number, a delay in days, a vendor the policy never
states). At run time the new question's closeness to each set, with the ranker's view of the best
unit and the question's own embedding (what it asks about: "facial recognition", "a fine", "the
encryption standard" are topics a policy of this kind is silent on, whoever words them), goes through
a logistic regression fitted on both sets out of fold (a writer's questions never score against their
own set; the regularisation is the one with the best out-of-fold AUC), and the question counts as
answered above a cut chosen so that `RECALL` of answerable questions keep their answer.

A policy without unanswerable questions has no negative neighbours: the check is then skipped and the
ranker's not-found threshold alone decides (`knowledge.retrieve.Retriever.answered`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge.errors import ConfigError

MODELS_DIR = Path(__file__).with_name("models")
FEATURES = ("top_logit", "top_gap", "top_dense", "top_votes", "top_kind_p",
            "pos_1", "pos_3", "neg_1", "neg_3", "neg_minus_pos_1", "neg_minus_pos_3")
K = 3  # neighbours averaged in the *_3 features
RECALL = 0.98  # share of answerable questions (out of fold) that must keep their answer. Out of fold is
# pessimistic: a held-out writer's questions lose their own group's neighbours, which a visitor's
# question never does. With the question embedding in the model, 0.98 out of fold refused 0.2 % of
# the answerable questions of blind sets A-M on the check alone (0.99: 0.1 %) and caught 53 % of
# their refusals (0.99: 39 %; the model without the embedding at 0.99: 31 %).
C_GRID = (0.003, 0.01, 0.03, 0.1, 1.0)  # inverse regularisation tried; the best out-of-fold AUC wins


def features(top: float, second: float, top_dense: float, top_votes: float, top_kind_p: float,
             pos_sims: np.ndarray, neg_sims: np.ndarray, question: np.ndarray | None = None) -> np.ndarray:
    """One row: `FEATURES` in order, then the question's embedding when given. `top`/`second`: the
    ranker's probabilities of the two best units; `top_votes`/`top_kind_p`: the best unit's
    labelled-question vote and section-kind probability; `pos_sims`/`neg_sims`: similarities to the
    closest answerable / unanswerable labelled questions."""
    p = min(max(top, 1e-4), 1 - 1e-4)
    pos = np.sort(np.asarray(pos_sims, dtype=np.float64))[::-1]
    neg = np.sort(np.asarray(neg_sims, dtype=np.float64))[::-1]
    p1, p3 = (float(pos[0]), float(pos[:K].mean())) if len(pos) else (0.0, 0.0)
    n1, n3 = (float(neg[0]), float(neg[:K].mean())) if len(neg) else (0.0, 0.0)
    row = np.array([np.log(p / (1 - p)), top - second, top_dense, top_votes, top_kind_p,
                    p1, p3, n1, n3, n1 - p1, n3 - p3], dtype=np.float64)
    return row if question is None else np.concatenate([row, np.asarray(question, dtype=np.float64)])


@dataclass(frozen=True)
class Verifier:
    model: str
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    cut: float  # answered when the probability reaches this

    @property
    def question_dims(self) -> int:
        """How many embedding dimensions follow the scalar features (0: a model without them)."""
        return len(self.weights) - len(FEATURES)

    def prob(self, row: np.ndarray) -> float:
        z = float(((row - self.mean) / self.scale) @ self.weights + self.bias)
        return 1.0 / (1.0 + np.exp(-z))

    def answered(self, row: np.ndarray) -> bool:
        return bool(self.prob(row) >= self.cut)

    def to_json(self, report: dict | None = None) -> str:
        return json.dumps({"model": self.model, "features": list(FEATURES), "question_dims": self.question_dims,
                           "mean": self.mean.round(6).tolist(),
                           "scale": self.scale.round(6).tolist(), "weights": self.weights.round(6).tolist(),
                           "bias": round(self.bias, 6), "cut": round(self.cut, 6), "report": report or {}}, indent=1)


def _out_of_fold(Z: np.ndarray, y: np.ndarray, groups_a: np.ndarray, c: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    oof = np.zeros(len(y))
    for g in sorted(set(groups_a.tolist())):
        test = groups_a == g
        if len(set(y[~test].tolist())) < 2:
            continue
        m = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(Z[~test], y[~test])
        oof[test] = m.predict_proba(Z[test])[:, 1]
    return oof


def fit(X: np.ndarray, answerable: np.ndarray, groups: list[str], model: str, recall: float = RECALL,
        c: float | None = None) -> tuple[Verifier, dict]:
    """Logistic regression on standardised features (classes balanced). The cut comes from
    group-out-of-fold probabilities: each writer's questions scored by a fit without them; `c`
    (inverse regularisation) is the one of `C_GRID` with the best out-of-fold AUC unless given."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(answerable, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ConfigError("The answerability check needs answerable and unanswerable questions; add both.")
    mean, scale = X.mean(0), X.std(0) + 1e-6
    Z = (X - mean) / scale
    groups_a = np.asarray(groups)
    tried = {}
    for value in ([c] if c is not None else C_GRID):
        oof = _out_of_fold(Z, y, groups_a, value)
        tried[value] = (float(roc_auc_score(y, oof)), oof)
    c = max(tried, key=lambda v: tried[v][0])
    oof = tried[c][1]
    cut = float(np.quantile(oof[y == 1], 1 - recall))
    m = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(Z, y)
    report = {"questions": int(len(y)), "unanswerable": int((y == 0).sum()), "c": c,
              "oof_auc_by_c": {str(v): round(a, 4) for v, (a, _o) in tried.items()},
              "oof_auc": round(float(roc_auc_score(y, oof)), 4),
              "oof_answerable_kept": round(float(np.mean(oof[y == 1] >= cut)), 4),
              "oof_unanswerable_caught": round(float(np.mean(oof[y == 0] < cut)), 4),
              "cuts": {str(r): round(float(np.quantile(oof[y == 1], 1 - r)), 4) for r in (0.95, 0.97, 0.98, 0.99, 0.995)}}
    return Verifier(model, mean, scale, m.coef_[0].astype(np.float64), float(m.intercept_[0]), cut), report


@lru_cache(maxsize=8)
def load(model: str) -> Verifier | None:
    """The fitted check for a model, None when none was trained (`scripts/train_ranker.py`)."""
    path = MODELS_DIR / f"answerable-{model}.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["features"] != list(FEATURES) or \
                len(data["weights"]) != len(FEATURES) + int(data.get("question_dims", 0)):
            raise ValueError("feature list changed")
        return Verifier(model, np.asarray(data["mean"]), np.asarray(data["scale"]), np.asarray(data["weights"]),
                        float(data["bias"]), float(data["cut"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"Answerability weights {path} are invalid ({exc}); rebuild them with "
                          "`python scripts/train_ranker.py`.") from None

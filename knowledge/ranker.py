"""Which answer unit answers the question: a logistic model over a few retrieval signals (dense
similarity, BM25, how strongly the unit's section matches) and "answer-type fit" — the question's
answer-type probabilities crossed with what a unit contains (a duration, an email, a list, a
named organisation…). Weights are fitted on data (PolicyQA answer spans + the labelled dev
questions) by `scripts/train_models.py` and stored in `models/ranker-<model>.json`; nothing here
is a hand-set weight per phrasing. The output is a probability that the unit answers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge import facts
from knowledge.errors import ConfigError
from knowledge.units import Unit

MODELS_DIR = Path(__file__).with_name("models")
ANSWER_TYPES = ("contact", "data_list", "definition", "duration", "legal_basis", "procedure", "purpose",
                "recipients", "security", "transfer", "who", "yes_no")
_NEGATION = re.compile(r"\b(not|never|no|neither|nor|none|without)\b", re.I)
_MODAL = re.compile(r"\b(may|can|might|must|will)\b", re.I)
_DEFINES = re.compile(r"^\s*(?:an?|the)?\s*[\w-]+(?:\s+[\w-]+){0,3}\s+(?:is|are|means?|refers? to)\b", re.I)
UNIT_FEATURES = ("duration", "email", "postal", "url", "organisation", "intro", "bullet", "record", "short",
                 "long", "number", "negation", "modal", "defines")
SIGNALS = ("dense", "dense_gap", "bm25", "bm25_top", "section_dense", "section_bm25", "rank_dense", "rank_bm25",
           "heading", "heading_gap", "named_part", "shared_part", "csls", "csls_gap", "asked_max", "asked_sum",
           "kind_p", "kind_gap")


def unit_features(unit: Unit) -> np.ndarray:
    """What a unit contains, as 0/1 features (form, not wording: a duration, a list, a link...)."""
    t = unit.text
    return np.array([
        bool(facts.durations(t)), bool(facts.emails(t)), bool(facts.postal_lines(t)), bool(facts.urls(t)),
        bool(facts.entities(t)), unit.kind == "intro", unit.kind == "bullet", unit.kind in ("row", "label"),
        len(t) < 60, len(t) > 300, bool(re.search(r"\d", t)), bool(_NEGATION.search(t)), bool(_MODAL.search(t)),
        bool(_DEFINES.match(t)),
    ], dtype=np.float32)


def feature_names() -> list[str]:
    return list(SIGNALS) + [f"u:{f}" for f in UNIT_FEATURES] + \
        [f"{t}x{f}" for t in ANSWER_TYPES for f in UNIT_FEATURES] + [f"xl:{s}" for s in SIGNALS]


@dataclass(frozen=True)
class RankerWeights:
    model: str
    weights: np.ndarray
    bias: float
    not_found: float  # below this probability the policy is taken not to answer the question

    def score(self, features: np.ndarray) -> np.ndarray:
        z = features @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))


def signals(dense: np.ndarray, bm25: np.ndarray, sections: np.ndarray, heading: np.ndarray | None = None,
            named: np.ndarray | None = None, shared: np.ndarray | None = None,
            hub: np.ndarray | None = None, asked: np.ndarray | None = None,
            kind_p: np.ndarray | None = None) -> np.ndarray:
    """Per-candidate retrieval signals (rows follow the candidates' order). `heading`: similarity of
    the question to the unit's section heading; `named`: the unit is in the audience part the
    question names; `shared`: the unit is in a part that applies to everyone; `kind_p`: the
    probability that the question asks about the unit's kind of section (`knowledge.sections`)."""
    n = len(dense)
    top_d = float(dense.max()) if n else 0.0
    top_b = float(bm25.max()) if n else 0.0
    b_norm = bm25 / top_b if top_b > 0 else np.zeros_like(bm25)
    sec_d = np.zeros(n, dtype=np.float32)
    sec_b = np.zeros(n, dtype=np.float32)
    for sid in set(sections.tolist()):
        mask = sections == sid
        sec_d[mask] = dense[mask].max() - top_d
        sec_b[mask] = b_norm[mask].max()
    rank_d = 1.0 / (1.0 + np.argsort(np.argsort(-dense)))
    rank_b = 1.0 / (1.0 + np.argsort(np.argsort(-bm25)))
    zeros = np.zeros(n, dtype=np.float32)
    heading = zeros if heading is None else heading.astype(np.float32)
    h_gap = heading - (heading.max() if n else 0.0)
    named = zeros if named is None else named.astype(np.float32)
    shared = zeros if shared is None else shared.astype(np.float32)
    csls = dense - 0.5 * (zeros if hub is None else hub.astype(np.float32))
    a_max, a_sum = (zeros, zeros) if asked is None else (asked[:, 0].astype(np.float32), asked[:, 1].astype(np.float32))
    kind_p = zeros if kind_p is None else kind_p.astype(np.float32)
    return np.stack([dense, dense - top_d, b_norm, np.log1p(bm25), sec_d, sec_b, rank_d, rank_b,
                     heading, h_gap, named, shared, csls, csls - (csls.max() if n else 0.0), a_max, a_sum,
                     kind_p, kind_p - (kind_p.max() if n else 0.0)], axis=1)


def features(dense: np.ndarray, bm25: np.ndarray, sections: np.ndarray, unit_feats: np.ndarray,
             type_probs: dict[str, float], *, heading: np.ndarray | None = None, named: np.ndarray | None = None,
             shared: np.ndarray | None = None, hub: np.ndarray | None = None,
             asked: np.ndarray | None = None, kind_p: np.ndarray | None = None,
             cross_lingual: bool = False) -> np.ndarray:
    """`cross_lingual`: the question is not in the policy's language (English), so word overlap says
    little and the similarities run lower; the signals are repeated under this flag (`xl:`), so the
    fitted ranker weighs them per case instead of trusting BM25 for French as for English."""
    p = np.array([type_probs.get(t, 0.0) for t in ANSWER_TYPES], dtype=np.float32)
    cross = (p[None, :, None] * unit_feats[:, None, :]).reshape(len(dense), -1)
    sig = signals(dense, bm25, sections, heading, named, shared, hub, asked, kind_p)
    return np.concatenate([sig, unit_feats, cross, sig * float(cross_lingual)], axis=1).astype(np.float32)


def default_weights(model: str) -> RankerWeights:
    """Used only before `scripts/train_models.py` has produced fitted weights."""
    w = np.zeros(len(feature_names()), dtype=np.float32)
    w[:len(SIGNALS)] = [6.0, 6.0, 1.5, 0.0, 2.0, 0.5, 1.0, 0.5, 2.0, 2.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.5, 2.0, 1.0]
    return RankerWeights(model, w, -4.0, 0.1)


@lru_cache(maxsize=8)
def load_weights(model: str) -> RankerWeights:
    path = MODELS_DIR / f"ranker-{model}.json"
    if not path.is_file():
        return default_weights(model)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = data["features"]
        if names != feature_names():
            raise ValueError("feature list changed")
        return RankerWeights(model, np.asarray(data["weights"], dtype=np.float32), float(data["bias"]),
                             float(data["not_found"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"Ranker weights {path} are invalid ({exc}); rebuild them with "
                          "`python scripts/train_models.py`.") from None

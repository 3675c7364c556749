"""Fit the unit ranker (knowledge/models/ranker-<model>.json) on answer spans, and benchmark it.

Training data: PolicyQA `dev.json` (3,809 questions on 20 third-party policies, MIT; a unit is a
positive when it overlaps the annotated answer span) and the labelled dev questions of our own
policy (`evals/datasets/dev_answers.jsonl`, `dev_questions.jsonl`: a unit is a positive when it
lies in an expected section and states an expected fact). Held out: PolicyQA `test.json` (the
benchmark below) and every holdout/blind set (never read here).

    .venv/bin/python scripts/train_ranker.py [--bench-only]

prints sentence hit@1/@3 on PolicyQA test for BM25 alone, dense alone and the fitted ranker (the
same candidates, the same run) and writes the weights plus the not-found threshold."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import embedders, query, ranker, store, units  # noqa: E402
from knowledge.bm25 import BM25Index  # noqa: E402
from knowledge.text import tokens  # noqa: E402
from knowledge.types import Chunk  # noqa: E402

POLICYQA = ROOT.parent / "shared" / "data" / "policyqa"
DATASETS = ROOT / "evals" / "datasets"
CACHE = Path("/tmp/privacybot-train-cache")
MODELS = ("minilm", "e5")
DENSE_K, BM25_K = 80, 20


@dataclass
class Corpus:
    name: str
    units: list
    sections: np.ndarray
    unit_feats: np.ndarray
    bm25: BM25Index
    vecs: dict  # model -> (n, dim)
    heading_ids: list
    heading_vecs: dict  # model -> (n_sections, dim)
    audiences: np.ndarray


@dataclass
class Case:
    corpus: Corpus
    question: str
    lang: str
    positive: set  # unit indices
    answerable: bool = True


def _cached(model: str, texts: list[str], *, as_query: bool) -> np.ndarray:
    CACHE.mkdir(exist_ok=True)
    key = hashlib.sha256((model + str(as_query) + "\x00".join(texts)).encode()).hexdigest()[:24]
    path = CACHE / f"{key}.npy"
    if path.is_file():
        return np.load(path)
    vecs = embedders.embed_queries(model, texts) if as_query else embedders.embed_documents(model, texts)
    np.save(path, vecs)
    return vecs


def _corpus(name: str, chunks: list[Chunk], unit_list=None, models=MODELS) -> Corpus:
    unit_list = unit_list or [u for c in chunks for u in units.split(c)]
    texts = [u.embed_text() for u in unit_list]
    heads = store.section_headings(unit_list)
    has_heads = any(h.strip() for h in heads.values())
    return Corpus(name, unit_list, np.array([u.section_id for u in unit_list]),
                  np.stack([ranker.unit_features(u) for u in unit_list]), BM25Index(texts),
                  {m: _cached(m, texts, as_query=False) for m in models}, list(heads),
                  {m: _cached(m, list(heads.values()), as_query=False) if has_heads else None for m in models},
                  np.array([u.audience for u in unit_list]))


def policyqa(split: str, models=MODELS) -> list[Case]:
    data = json.loads((POLICYQA / f"{split}.json").read_text(encoding="utf-8"))
    cases: list[Case] = []
    for d, doc in enumerate(data["data"]):
        chunks, spans, pos, parts = [], [], 0, []
        for i, p in enumerate(doc["paragraphs"]):
            ctx = p["context"]
            chunks.append(Chunk(f"pqa{d}:{i}", "pqa", f"general/p{i}", "general", "", "", ctx, pos, pos + len(ctx)))
            spans.append(pos)
            parts.append(ctx)
            pos += len(ctx) + 2
        corpus = _corpus(f"{split}:{doc['title']}", chunks, models=models)
        # The same question is often annotated on several passages of a policy: every annotated
        # span is a right answer to it (one case per distinct question, positives merged).
        positives: dict[str, set] = {}
        for i, p in enumerate(doc["paragraphs"]):
            for qa in p["qas"]:
                for ans in qa["answers"]:
                    a = spans[i] + ans["answer_start"]
                    b = a + len(ans["text"])
                    positives.setdefault(qa["question"], set()).update(
                        k for k, u in enumerate(corpus.units) if u.start < b and a < u.end)
        cases += [Case(corpus, q, "en", pos) for q, pos in positives.items() if pos]
    return cases


def own_policy(kb_dir: Path, models=MODELS) -> list[Case]:
    """Dev questions of our policy (never the holdouts or blind sets)."""
    unit_list = [units.Unit(**json.loads(line)) for line in (kb_dir / "units.jsonl").open(encoding="utf-8")]
    corpus = _corpus("omnes", [], unit_list, models)
    cases = []
    for name in ("dev_answers.jsonl", "dev_questions.jsonl"):
        for line in (DATASETS / name).open(encoding="utf-8"):
            row = json.loads(line)
            sids = set(row.get("section_ids") or [])
            if row.get("kind", "answer") not in ("answer",) or not sids:
                if row.get("kind") == "refusal" or (name == "dev_questions.jsonl" and not sids):
                    cases.append(Case(corpus, row["question"], row["lang"], set(), answerable=False))
                continue
            facts = [re.compile(f, re.I) for f in row.get("facts") or []]
            pos = {k for k, u in enumerate(corpus.units) if u.section_id in sids
                   and (not facts or any(f.search(u.text) for f in facts))}
            if pos:
                cases.append(Case(corpus, row["question"], row["lang"], pos))
    return cases


def _candidates(case: Case, model: str, qvec: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    c = case.corpus
    dense_all = c.vecs[model] @ qvec
    bm = c.bm25.scores(tokens(case.question))
    cand = set(np.argsort(-dense_all)[:DENSE_K].tolist())
    if bm.any():
        cand |= {int(i) for i in np.argsort(-bm)[:BM25_K] if bm[i] > 0}
    idx = np.array(sorted(cand))
    floor = np.sort(dense_all)[-DENSE_K] if len(dense_all) > DENSE_K else dense_all.min()
    d = np.where(np.isin(idx, np.argsort(-dense_all)[:DENSE_K]), dense_all[idx], floor - 0.02).astype(np.float32)
    return idx, d, bm[idx].astype(np.float32)


def rows(cases: list[Case], model: str):
    qvecs = _cached(model, [c.question for c in cases], as_query=True)
    atype = query.classifier("answer_type", model)
    aud = query.classifier("audience", model)
    out = []
    for case, qv in zip(cases, qvecs, strict=True):
        idx, d, b = _candidates(case, model, qv)
        probs = atype.predict(qv).probs
        c = case.corpus
        hv = c.heading_vecs.get(model)
        heading = None
        if hv is not None:
            sims = dict(zip(c.heading_ids, (hv @ qv).tolist(), strict=True))
            heading = np.array([sims[s] for s in c.sections[idx]], dtype=np.float32)
        named = aud.predict(qv).label
        auds = c.audiences[idx]
        feats = ranker.features(d, b, c.sections[idx], c.unit_feats[idx], probs, heading=heading,
                                named=(auds == named) if named and named != "none" else None,
                                shared=np.isin(auds, ("general", "cookies")))
        labels = np.array([i in case.positive for i in idx], dtype=np.float32)
        out.append((case, idx, d, b, feats, labels))
    return out


def hit_at(ranked_rows, scorer, k: int) -> float:
    hits = [float(lab[np.argsort(-scorer(d, b, f))[:k]].any()) for (_c, _i, d, b, f, lab) in ranked_rows]
    return float(np.mean(hits)) if hits else 0.0


def fit(train_rows, model: str, own_weight: float = 5.0, l2: float = 1e-2) -> ranker.RankerWeights:
    """Listwise fit (a softmax over each question's candidates, the positives' share maximised):
    what matters is the order within a question, not the base rate. Then a Platt scaling of the
    score on every candidate, so the score reads as the probability that a unit answers."""
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    groups = [(f, lab > 0, own_weight if c.corpus.name == "omnes" else 1.0)
              for (c, _i, _d, _b, f, lab) in train_rows if lab.any()]
    dim = groups[0][0].shape[1]
    total = sum(g[2] for g in groups)

    def loss(w):
        val, grad = l2 * w @ w, 2 * l2 * w
        for X, pos, weight in groups:
            s = X @ w
            m = s.max()
            e = np.exp(s - m)
            p_all = e / e.sum()
            p_pos = e[pos] / e[pos].sum()
            val += weight * (np.log(e.sum()) - np.log(e[pos].sum())) / total
            grad += weight * (X.T @ p_all - X[pos].T @ p_pos) / total
        return val, grad

    w0 = ranker.default_weights(model).weights.astype(np.float64)
    res = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 400})
    w = res.x
    S = np.concatenate([f @ w for (_c, _i, _d, _b, f, _l) in train_rows]).reshape(-1, 1)
    y = np.concatenate([lab for (_c, _i, _d, _b, _f, lab) in train_rows])
    platt = LogisticRegression(C=100.0).fit(S, y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    return ranker.RankerWeights(model, (a * w).astype(np.float32), b, 0.0)


def not_found_threshold(weights: ranker.RankerWeights, own_rows, answerable_recall: float = 0.97) -> float:
    """The top-unit probability below which a question is taken as not answered by the policy:
    chosen so that `answerable_recall` of the answerable dev questions stay above it."""
    tops = [float(weights.score(f).max()) for (c, _i, _d, _b, f, _l) in own_rows if c.answerable]
    return float(np.quantile(tops, 1 - answerable_recall)) if tops else 0.0


def train_ranker(report: dict, kb_dir: Path | None = None) -> None:
    kb_dir = kb_dir or Path("/tmp/leadhome/kb/omnes")
    for model in MODELS:
        train = policyqa("dev", (model,))
        own = own_policy(kb_dir, (model,))
        test = policyqa("test", (model,))
        tr_rows, own_rows, te_rows = rows(train, model), rows(own, model), rows(test, model)
        weights = fit(tr_rows + [r for r in own_rows if r[0].answerable], model)
        weights = ranker.RankerWeights(model, weights.weights, weights.bias, not_found_threshold(weights, own_rows))
        bench = {name: {f"hit@{k}": round(hit_at(te_rows, fn, k), 4) for k in (1, 3)} for name, fn in (
            ("bm25", lambda d, b, f: b + 1e-6 * d), ("dense", lambda d, b, f: d),
            ("ranker", lambda d, b, f, w=weights: w.score(f)))}
        own_ans = [r for r in own_rows if r[0].answerable]
        bench["own_dev_ranker_hit@1"] = round(hit_at(own_ans, lambda d, b, f, w=weights: w.score(f), 1), 4)
        bench["own_dev_dense_hit@1"] = round(hit_at(own_ans, lambda d, b, f: d, 1), 4)
        print(model, json.dumps(bench))
        report[f"ranker-{model}"] = {"policyqa_test": bench, "not_found": weights.not_found,
                                     "train_questions": len(train) + len(own_ans)}
        out = ROOT / "knowledge" / "models" / f"ranker-{model}.json"
        out.write_text(json.dumps({"model": model, "features": ranker.feature_names(),
                                   "weights": [round(float(x), 6) for x in weights.weights],
                                   "bias": weights.bias, "not_found": weights.not_found,
                                   "benchmark": bench}, indent=1), encoding="utf-8")
    ranker.load_weights.cache_clear()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kb-dir", type=Path, default=None)
    a = ap.parse_args()
    train_ranker({}, a.kb_dir)

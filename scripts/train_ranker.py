"""Fit the unit ranker (knowledge/models/ranker-<model>.json) on answer spans, and benchmark it.

Training data: PolicyQA `dev.json` (3,809 questions on 20 third-party policies, MIT; a unit is a
positive when it overlaps the annotated answer span) and the labelled dev questions of our own
policy (`evals/datasets/dev_answers.jsonl`, `dev_questions.jsonl`: a unit is a positive when it
lies in an expected section and states an expected fact). Held out: PolicyQA `test.json` (the
benchmark below) and every holdout/blind set (never read here).

    .venv/bin/python scripts/train_ranker.py [--kb-dir DIR] [--only-answerable]   (default: $PRIVACYBOT_HOME/kb/omnes, after
    `privacybot ingest`)

prints sentence hit@1/@3 on PolicyQA test for BM25 alone, dense alone and the fitted ranker (the
same candidates, the same run) and writes the weights plus the not-found threshold; then fits the
answerability check (`knowledge/answerable.py`) on the policy's labelled and unanswerable questions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import answerable, ranker  # noqa: E402
from knowledge.learn import (  # noqa: E402
    MODELS,
    answerability_rows,
    fit,
    hit_at,
    not_found_threshold,
    own_policy,
    policyqa,
    rows,
)

DATASETS = ROOT / "evals" / "datasets"


def train_answerable(report: dict, kb_dir: Path, model: str, weights: ranker.RankerWeights, own) -> None:
    """Fit the answerability check on the policy's labelled and unanswerable questions, ranked by
    `weights` exactly as at run time, and write knowledge/models/answerable-<model>.json."""
    X, y, groups = answerability_rows(rows(own, model, by_group=True), weights, model)
    if not (~y).any():
        print(model, "answerability: the policy has no unanswerable_questions; check not fitted")
        return
    verifier, check = answerable.fit(X, y, groups, model)
    print(model, "answerability", json.dumps(check))
    report[f"answerable-{model}"] = check
    (ROOT / "knowledge" / "models" / f"answerable-{model}.json").write_text(verifier.to_json(check), encoding="utf-8")
    answerable.load.cache_clear()


def train_ranker(report: dict, kb_dir: Path | None = None, only_answerable: bool = False) -> None:
    if kb_dir is None:
        from bot.settings import load_settings

        kb_dir = load_settings().kb_dir("omnes")
    for model in MODELS:
        if only_answerable:  # keep the shipped ranker, refit the check on top of it
            train_answerable(report, kb_dir, model, ranker.load_weights(model),
                             own_policy(kb_dir, (model,), with_unanswerable=True))
            continue
        train = policyqa("dev", (model,))
        own = own_policy(kb_dir, (model,), with_unanswerable=True)
        test = policyqa("test", (model,))
        answerable_own = [c for c in own if c.answerable]
        tr_rows, own_rows, te_rows = rows(train, model), rows(answerable_own, model), rows(test, model)
        weights = fit(tr_rows + own_rows, model)
        weights = ranker.RankerWeights(model, weights.weights, weights.bias, not_found_threshold(weights, own_rows))
        bench = {name: {f"hit@{k}": round(hit_at(te_rows, fn, k), 4) for k in (1, 3)} for name, fn in (
            ("bm25", lambda d, b, f: b + 1e-6 * d), ("dense", lambda d, b, f: d),
            ("ranker", lambda d, b, f, w=weights: w.score(f)))}
        bench["own_dev_ranker_hit@1"] = round(hit_at(own_rows, lambda d, b, f, w=weights: w.score(f), 1), 4)
        bench["own_dev_dense_hit@1"] = round(hit_at(own_rows, lambda d, b, f: d, 1), 4)
        print(model, json.dumps(bench))
        report[f"ranker-{model}"] = {"policyqa_test": bench, "not_found": weights.not_found,
                                     "train_questions": len(train) + len(own_rows)}
        out = ROOT / "knowledge" / "models" / f"ranker-{model}.json"
        out.write_text(json.dumps({"model": model, "features": ranker.feature_names(),
                                   "weights": [round(float(x), 6) for x in weights.weights],
                                   "bias": weights.bias, "not_found": weights.not_found,
                                   "benchmark": bench}, indent=1), encoding="utf-8")
        train_answerable(report, kb_dir, model, weights, own)
    ranker.load_weights.cache_clear()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kb-dir", type=Path, default=None)
    ap.add_argument("--only-answerable", action="store_true",
                    help="keep the shipped ranker weights; refit only the answerability check")
    a = ap.parse_args()
    train_ranker({}, a.kb_dir, a.only_answerable)

"""PolicyQA (MIT; 40 third-party website policies, answer spans annotated by crowd workers): a second,
generic benchmark of answer selection. On the `test` split (never trained on), each distinct
question of a policy is ranked against every answer unit of that policy; a hit is a unit that
overlaps an annotated answer span. BM25 alone, dense alone and the fitted ranker rank the same
candidates in the same run (`knowledge.learn`, the code the ranker was trained with)."""

from __future__ import annotations

import numpy as np

from evals.results import Metric, SuiteResult

METRICS = [r"(bm25|dense|ranker)_hit_at_(1|3)", r"ranker_over_bm25_at_1", r"questions"]
MODEL = "e5"


def validate(ctx, suite) -> None:
    from knowledge import learn

    if not (learn.POLICYQA / "test.json").is_file():
        from evals.datasets import DatasetError

        raise DatasetError(f"PolicyQA is not at {learn.POLICYQA}; set PRIVACYBOT_POLICYQA to its folder.")


def run(ctx, suite) -> SuiteResult:
    from knowledge import learn, ranker

    cases = learn.policyqa("test", (MODEL,))
    rows = learn.rows(cases, MODEL)
    weights = ranker.load_weights(MODEL)
    scorers = {"bm25": lambda d, b, f: b + 1e-6 * d, "dense": lambda d, b, f: d, "ranker": lambda d, b, f: weights.score(f)}
    metrics: dict[str, Metric] = {}
    hits: dict[str, list[float]] = {}
    for name, fn in scorers.items():
        for k in (1, 3):
            per = [float(lab[np.argsort(-fn(d, b, f))[:k]].any()) for (_c, _i, d, b, f, lab) in rows]
            hits[f"{name}_{k}"] = per
            metrics[f"{name}_hit_at_{k}"] = Metric.mean(per)
    base = float(np.mean(hits["bm25_1"])) or 1e-9
    metrics["ranker_over_bm25_at_1"] = Metric(float(np.mean(hits["ranker_1"])) / base, None, len(rows),
                                              note="ranker hit@1 / BM25 hit@1, same questions")
    metrics["questions"] = Metric.count([1.0] * len(rows))
    result = SuiteResult(suite.name, metrics=metrics, datasets=[learn.POLICYQA / "test.json"])
    result.notes.append("Distinct questions per policy; any annotated span of that question counts as a hit.")
    return result

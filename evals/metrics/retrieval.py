"""Ranking metrics over section ids: hit@k ("recall@k" in QA retrieval: any expected section in the
top k), reciprocal rank, binary nDCG@5. A ranked result is the set of section ids it covers (one
for a system chunk; several for a baseline chunk that spans sections)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from evals.results import Metric, by_lang

KS = (1, 3, 5, 10)  # reported
CUTOFF = 10  # ranks looked at (curve and MRR)


def dedupe(ranked: Sequence[set[str]]) -> list[str]:
    """Section ids in order of first appearance (several chunks of one section count once)."""
    out: list[str] = []
    for ids in ranked:
        out += [x for x in sorted(ids) if x not in out]
    return out


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Binary-relevance nDCG@k; the ideal ranking puts min(|relevant|, k) relevant ids first."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 1) for i, x in enumerate(ranked[:k], 1) if x in relevant)
    return dcg / sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))


def score(ranked: Sequence[set[str]], relevant: set[str]) -> dict:
    """Per-question scores from the raw top-CUTOFF results: hit@1..CUTOFF, rr, ndcg@5."""
    first = next((i for i, ids in enumerate(ranked[:CUTOFF], 1) if ids & relevant), None)
    out = {f"hit@{k}": float(first is not None and first <= k) for k in range(1, CUTOFF + 1)}
    out["rr"] = 1.0 / first if first else 0.0
    out["ndcg@5"] = ndcg_at_k(dedupe(ranked), relevant, 5)
    return out


def metrics(items: list[dict], ks: Sequence[int] = KS) -> dict[str, Metric]:
    """recall_at_k, mrr, ndcg_at_5, overall and per language (`_en`, `_fr`)."""
    out: dict[str, Metric] = {}
    for suffix, group in by_lang(items):
        for name, key in [*((f"recall_at_{k}", f"hit@{k}") for k in ks), ("mrr", "rr"), ("ndcg_at_5", "ndcg@5")]:
            out[f"{name}{suffix}"] = Metric.mean([i[key] for i in group], better="higher")
    return out

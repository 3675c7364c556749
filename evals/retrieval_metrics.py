"""Retrieval metrics shared by the benchmark and the evaluation suite: recall@k and MRR over
questions whose `section_ids` list every acceptable answering section."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable
from pathlib import Path

DATASET = Path(__file__).parent / "datasets" / "dev_questions.jsonl"
KS = (1, 3, 5)


def load_questions(path: Path = DATASET) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score_rankings(questions: Iterable[dict], rankings: Iterable[list[set[str]]]) -> dict:
    """rankings[i] = for question i, the ranked results, each the set of section ids it covers.
    Only answerable questions count. Returns recall@1/3/5, MRR (cut at 10) and n."""
    hits = {k: 0 for k in KS}
    rr, n = 0.0, 0
    for q, ranked in zip(questions, rankings, strict=True):
        gold = set(q["section_ids"])
        if not gold:
            continue
        n += 1
        first = next((i for i, secs in enumerate(ranked[:10], 1) if secs & gold), None)
        for k in KS:
            hits[k] += first is not None and first <= k
        rr += 1.0 / first if first else 0.0
    out = {f"recall@{k}": round(hits[k] / n, 4) if n else 0.0 for k in KS}
    out["mrr"] = round(rr / n, 4) if n else 0.0
    out["n"] = n
    return out


def by_lang(questions: list[dict], search: Callable[[dict], list[set[str]]], langs=("en", "fr")) -> dict:
    """Run `search(question_record)` on every question; metrics per language."""
    out = {}
    for lang in langs:
        qs = [q for q in questions if q["lang"] == lang]
        out[lang] = score_rankings(qs, [search(q) for q in qs])
    return out


def percentiles(samples_ms: list[float]) -> dict:
    s = sorted(samples_ms)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return {"median_ms": round(statistics.median(s), 2), "p95_ms": round(p95, 2), "n": len(s)}

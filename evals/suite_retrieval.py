"""Retrieval suite: recall@k, MRR and nDCG@5 per language on the OMNES dev questions, with
bootstrap intervals from per-item results, plus the knowledge engineer's own benchmark
(`evals/bench_retrieval.py`: latency, naive baseline) shown alongside."""

from __future__ import annotations

from pathlib import Path

from evals import bench_adapter, stats
from evals.datasets_io import DATASETS_DIR, load_retrieval_set
from evals.results import Metric, SuiteResult

NEEDS_INDEX = True
DATASET = DATASETS_DIR / "dev_questions.jsonl"
# Question sets of other knowledge bases (`privacybot eval --suite retrieval --kb lumen`).
DATASET_BY_KB = {"lumen": DATASETS_DIR / "generic_questions.jsonl"}
KS = (1, 3, 5, 10)
CURVE_KS = tuple(range(1, 11))
WORST = 10


def dataset_path(ctx) -> Path:
    return ctx.dataset("retrieval", DATASET_BY_KB.get(ctx.kb, DATASET))


def datasets(ctx) -> list[Path]:
    return [dataset_path(ctx)]


def validate(ctx) -> None:
    load_retrieval_set(dataset_path(ctx))


def score_items(ctx, records: list[dict], kb: str, desc: str) -> list[dict]:
    """Search every question once (k=10) and score it. Per-item records drive every metric,
    the bootstrap intervals and the worst-failure list."""
    retriever = ctx.retriever(kb)
    items = []
    for rec in ctx.bar(records, desc=desc):
        hits = retriever.search(rec["question"], k=max(CURVE_KS), lang=rec.get("lang"))
        ranked = stats.dedupe([h.chunk.section_id for h in hits])
        relevant = set(rec["section_ids"])
        items.append({
            "id": rec["id"],
            "lang": rec.get("lang", "en"),
            "question": rec["question"],
            "expected": rec["section_ids"],
            "ranked": ranked,
            **{f"hit@{k}": stats.hit_at_k(ranked, relevant, k) for k in CURVE_KS},
            "rr": stats.reciprocal_rank(ranked, relevant),
            "ndcg@5": stats.ndcg_at_k(ranked, relevant, 5),
        })
    return items


def metrics_from_items(items: list[dict]) -> dict[str, Metric]:
    out: dict[str, Metric] = {}
    groups = {"": items, "_en": [i for i in items if i["lang"] == "en"], "_fr": [i for i in items if i["lang"] == "fr"]}
    for suffix, group in groups.items():
        if not group:
            continue
        for name, field in [*((f"recall_at_{k}", f"hit@{k}") for k in KS), ("mrr", "rr"), ("ndcg_at_5", "ndcg@5")]:
            values = [i[field] for i in group]
            out[f"{name}{suffix}"] = Metric(stats.mean(values), stats.bootstrap_ci(values), len(values))
    return out


def curve(items: list[dict], title: str) -> dict:
    lines = {}
    for lang in ("en", "fr"):
        group = [i for i in items if i["lang"] == lang]
        if group:
            lines[lang.upper()] = [[k, stats.mean([i[f"hit@{k}"] for i in group])] for k in CURVE_KS]
    return {"type": "curve", "title": title, "xlabel": "k", "ylabel": "recall@k (any expected section in top k)",
            "lines": lines}


def worst(items: list[dict], n: int = WORST) -> list[dict]:
    bad = [i for i in items if i["hit@5"] == 0.0 or i["rr"] < 1.0]
    bad.sort(key=lambda i: (i["rr"], i["ndcg@5"]))
    return [
        {
            "id": i["id"], "lang": i["lang"], "question": i["question"],
            "expected": ", ".join(i["expected"]), "got": ", ".join(i["ranked"][:3]),
            "why": "not in top 5" if i["hit@5"] == 0.0 else f"first relevant at rank {round(1 / i['rr'])}",
        }
        for i in bad[:n]
    ]


def run(ctx) -> SuiteResult:
    path = dataset_path(ctx)
    records = load_retrieval_set(path)
    items = score_items(ctx, records, ctx.kb, "retrieval")
    result = SuiteResult("retrieval", metrics=metrics_from_items(items), datasets=[path])
    result.series["recall_curve"] = curve(items, f"Retrieval recall@k — {ctx.kb}")
    result.failures = worst(items)
    bench, _raw, note = bench_adapter.run_bench(
        "evals.bench_retrieval", ("run", "run_bench", "bench", "evaluate"),
        kb=ctx.kb, settings=ctx.settings, retriever=ctx.retriever(ctx.kb), progress=False,
    )
    result.bench = bench
    if note:
        result.notes.append(note)
    return result

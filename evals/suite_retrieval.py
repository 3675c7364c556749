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
    """Search every answerable question once (k=10, the language given) and score it.

    recall@k and MRR use the rank of the first chunk from an expected section among the raw
    top-10 chunks (the definition of evals/retrieval_metrics.py, so both agree); nDCG@5 uses
    the de-duplicated section ranking (each section counts once)."""
    retriever = ctx.retriever(kb)
    items = []
    for rec in ctx.bar([r for r in records if r["section_ids"]], desc=desc):
        hits = retriever.search(rec["question"], k=max(CURVE_KS), lang=rec.get("lang"))
        raw = [h.chunk.section_id for h in hits][: max(CURVE_KS)]
        relevant = set(rec["section_ids"])
        items.append({
            "id": rec["id"],
            "lang": rec.get("lang", "en"),
            "question": rec["question"],
            "expected": rec["section_ids"],
            "ranked": stats.dedupe(raw),
            **{f"hit@{k}": stats.hit_at_k(raw, relevant, k) for k in CURVE_KS},
            "rr": stats.reciprocal_rank(raw, relevant),
            "ndcg@5": stats.ndcg_at_k(stats.dedupe(raw), relevant, 5),
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
    skipped = len(records) - len(items)
    if skipped:
        result.notes.append(f"{skipped} unanswerable questions (no expected section) are not scored here; "
                            "the answers suite checks that the bot refuses them.")
    bench, raw, note = bench_adapter.run_bench(
        "evals.bench_retrieval", ("run",),
        kb=ctx.kb, settings=ctx.settings, retriever=ctx.retriever(ctx.kb), progress=False,
        baseline=True, embedder_table=False, dataset=path,
    )
    result.bench = {k: v for k, v in bench.items() if not k.startswith(("targets.", "dataset"))}
    if note:
        result.notes.append(note)
    if isinstance(raw, dict):
        _compare_with_bench(raw, result)
    return result


def _compare_with_bench(raw: dict, result: SuiteResult) -> None:
    """Show the naive baseline next to the system, and flag any drift between definitions."""
    for lang in ("en", "fr"):
        system = raw.get("system", {}).get(lang, {})
        base = raw.get("baseline", {}).get(lang, {})
        ours = result.metrics.get(f"recall_at_5_{lang}")
        if ours and "recall@5" in system and abs(system["recall@5"] - ours.value) > 0.011:
            result.notes.append(f"Cross-check: bench_retrieval recall@5 {lang} = {system['recall@5']} vs "
                                f"{ours.value:.3f} here (the retriever is not deterministic, or definitions drifted).")
        if base:
            result.series.setdefault("vs_naive", {
                "type": "bars", "title": "System vs naive baseline (1000/200 splitter + MiniLM + Chroma)",
                "ylabel": "score", "labels": [], "groups": {"system": [], "naive baseline": []},
            })
            spec = result.series["vs_naive"]
            for key in ("recall@1", "recall@5", "mrr"):
                if key in system and key in base:
                    spec["labels"].append(f"{key} {lang.upper()}")
                    spec["groups"]["system"].append(system[key])
                    spec["groups"]["naive baseline"].append(base[key])

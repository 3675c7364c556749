"""Generic-policy check: a second, differently structured, fictional policy
(`evals/policies/lumen_library.md`) ingested into its own knowledge base, and the same
retrieval metrics on its own EN/FR question set — so the bot is not tuned to one document."""

from __future__ import annotations

from pathlib import Path

from evals.datasets_io import DATASETS_DIR, POLICIES_DIR, load_retrieval_set
from evals.results import SuiteResult
from evals.suite_retrieval import curve, metrics_from_items, score_items, worst

NEEDS_INDEX = False  # builds its own knowledge base
POLICY = POLICIES_DIR / "lumen_library.md"
DATASET = DATASETS_DIR / "generic_questions.jsonl"
KB = "lumen"


def datasets(ctx) -> list[Path]:
    return [POLICY, ctx.dataset("generic", DATASET)]


def validate(ctx) -> None:
    load_retrieval_set(ctx.dataset("generic", DATASET))


def ensure_index(ctx) -> None:
    """Ingest the policy into the `lumen` knowledge base (idempotent: same content, no rebuild)."""
    from knowledge.index import ingest

    ingest(source=str(POLICY), kb=KB, settings=ctx.settings, progress=False)


def run(ctx) -> SuiteResult:
    ensure_index(ctx)
    path = ctx.dataset("generic", DATASET)
    records = load_retrieval_set(path)
    items = score_items(ctx, records, KB, "generic")
    result = SuiteResult("generic", metrics=metrics_from_items(items), datasets=[POLICY, path])
    result.series["recall_curve"] = curve(items, "Generic policy (Lumen) recall@k")
    result.failures = worst(items)
    result.notes.append(f"Knowledge base '{KB}' built from {POLICY.name}; section ids come from the generic parser.")
    return result

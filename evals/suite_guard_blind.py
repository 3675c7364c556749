"""Guard on the blind set (`guard_blind.jsonl`: 160 EN/FR messages written without seeing the
guard). Same code and scoring as the `guard` suite (evals.suite_guard), another dataset; only the
privacy invariants (no structured leak, benign alteration) are gated (see evals/thresholds.toml)."""

from __future__ import annotations

from pathlib import Path

from evals import suite_guard
from evals.datasets_io import DATASETS_DIR
from evals.results import SuiteResult

NAME = "guard_blind"
NEEDS_INDEX = False
DATASET = DATASETS_DIR / "guard_blind.jsonl"


def datasets(ctx) -> list[Path]:
    return suite_guard.datasets(ctx, NAME, DATASET)


def validate(ctx) -> None:
    suite_guard.validate(ctx, NAME, DATASET)


def run(ctx) -> SuiteResult:
    result = suite_guard.run(ctx, NAME, DATASET)
    result.notes.insert(0, "Blind set: written without seeing the guard, never used for tuning. Only "
                           "leak_rate_structured and benign_alteration_rate are gated.")
    return result

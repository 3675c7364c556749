"""Answers on the holdout set (`holdout_answers.jsonl`: 40 EN/FR cases nobody tuned on).
Same code and scoring as the `answers` suite (evals.suite_answers), another dataset; only the
privacy invariant `refusal_citations` is gated (see evals/thresholds.toml)."""

from __future__ import annotations

from pathlib import Path

from evals import suite_answers
from evals.datasets_io import DATASETS_DIR
from evals.results import SuiteResult

NAME = "answers_holdout"
NEEDS_INDEX = True
DATASET = DATASETS_DIR / "holdout_answers.jsonl"


def datasets(ctx) -> list[Path]:
    return suite_answers.datasets(ctx, NAME, DATASET)


def validate(ctx) -> None:
    suite_answers.validate(ctx, NAME, DATASET)


def run(ctx) -> SuiteResult:
    result = suite_answers.run(ctx, NAME, DATASET)
    result.notes.insert(0, "Holdout set: never used for tuning. Metrics are reported without gates except "
                           "refusal_citations; a drop here versus `answers` is overfitting to the dev set.")
    return result

"""Guard suites through the guard engineer's scoring (evals/suite_guard.py, owned by helper G):
this adapter only maps a registry entry to its `validate`/`run(ctx, name, dataset)`."""

from __future__ import annotations

from evals import suite_guard
from evals.datasets import DATASETS_DIR

_ENTITY = r"[A-Z][A-Z0-9_]*"
METRICS = [
    rf"(presidio_)?(precision|recall|f2)(_(structured|special|other|{_ENTITY}))?",
    r"(presidio_)?leak_rate(_(structured|special|other))?",
    r"benign_alteration_rate",
]


def validate(ctx, suite) -> None:
    suite_guard.validate(ctx, suite.name, DATASETS_DIR / suite.dataset)


def run(ctx, suite):
    return suite_guard.run(ctx, suite.name, DATASETS_DIR / suite.dataset)

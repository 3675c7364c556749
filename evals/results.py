"""What a suite adapter returns: metrics (with per-item bootstrap intervals), the worst
failures, tables (confusion matrices), plot series, and the owning bench module's raw numbers.

Texts in `failures` are raw when a suite returns them; the runner redacts every text through
the guard (`evals.redact`) before anything is written."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Metric:
    value: float
    ci: tuple[float, float] | None = None  # bootstrap 95% interval over items
    n: int | None = None  # number of items behind the value
    unit: str = ""  # "", "ms", "s", "rps", "MB"
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "value": _num(self.value),
            "ci": [_num(self.ci[0]), _num(self.ci[1])] if self.ci else None,
            "n": self.n,
            "unit": self.unit,
            "note": self.note,
        }


@dataclass
class SuiteResult:
    name: str
    metrics: dict[str, Metric] = field(default_factory=dict)
    failures: list[dict] = field(default_factory=list)  # {"id","question","expected","got","why"}
    tables: dict[str, dict] = field(default_factory=dict)  # name -> {"labels": [...], "matrix": [[...]]}
    series: dict[str, dict] = field(default_factory=dict)  # plot data, see evals.plots
    bench: dict[str, object] = field(default_factory=dict)  # the bench module's own metrics (flattened)
    notes: list[str] = field(default_factory=list)
    datasets: list[Path] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)  # PNG file names in the report dir (set by the runner)

    def to_dict(self) -> dict:
        return {
            "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
            "failures": self.failures,
            "tables": self.tables,
            "bench": {k: (_num(v) if isinstance(v, float) else v) for k, v in self.bench.items()},
            "notes": self.notes,
            "datasets": [str(p) for p in self.datasets],
            "plots": self.plots,
        }


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else round(x, 6)


def flatten(data: object, prefix: str = "") -> dict[str, object]:
    """Flatten a bench module's nested metrics dict into `a.b.c -> scalar` (numbers, bools,
    short strings); lists of numbers are kept only when short. Everything else is dropped."""
    out: dict[str, object] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten(value, name))
    elif isinstance(data, bool) or data is None:
        out[prefix] = data
    elif isinstance(data, int | float):
        out[prefix] = data if isinstance(data, int) else _num(data)
    elif isinstance(data, str):
        out[prefix] = data
    return out

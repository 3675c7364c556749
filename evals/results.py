"""What a suite returns: metrics (with bootstrap intervals over items), the worst failures, tables
(confusion matrices), plot series, and extra numbers.

Texts in `failures` are raw when a suite returns them; the runner redacts every text through the
guard (`evals.redact`) before anything is written, and keeps only ids and reasons for blind sets."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from evals import stats


@dataclass
class Metric:
    value: float
    ci: tuple[float, float] | None = None  # bootstrap 95% interval over items
    n: int | None = None  # number of items behind the value
    unit: str = ""  # "", "ms", "s", "rps", "MB", "chars"
    note: str = ""
    better: str | None = None  # "higher" / "lower": a drop beyond the CI half-width is a regression

    @classmethod
    def mean(cls, values: Sequence[float], **kw) -> Metric | None:
        """Mean of per-item values (accuracy over cases); None when there is no item."""
        return cls(stats.mean(values), stats.bootstrap_ci(values), len(values), **kw) if len(values) else None

    @classmethod
    def ratio(cls, num: Sequence[float], den: Sequence[float], **kw) -> Metric | None:
        """sum(num) / sum(den) with the interval of resampled items (precision, recall, turns right
        over conversations); None when the denominator is 0."""
        total = sum(den)
        if not total:
            return None
        cols = {"num": np.asarray(num, dtype=float), "den": np.asarray(den, dtype=float)}
        ci = stats.bootstrap_sums(cols, lambda s: stats.safe_div(s["num"], s["den"]))
        return cls(sum(num) / total, ci, int(total), **kw)

    @classmethod
    def count(cls, values: Sequence[float], **kw) -> Metric:
        """sum(values) (e.g. citations attached to refusals), with the interval of resampled items."""
        ci = stats.bootstrap_sums({"x": np.asarray(values, dtype=float)}, lambda s: s["x"]) if len(values) else None
        return cls(float(sum(values)), ci, len(values), **kw)

    @classmethod
    def percentile(cls, values: Sequence[float], q: float, unit: str = "ms", **kw) -> Metric | None:
        """The q-th percentile of per-item values (latencies in ms by default); None when there is no sample."""
        return cls(stats.percentile(values, q), stats.bootstrap_ci(values, q=q), len(values), unit=unit, **kw) \
            if len(values) else None

    def to_dict(self) -> dict:
        return {**asdict(self), "value": _num(self.value), "ci": [_num(x) for x in self.ci] if self.ci else None}


@dataclass
class SuiteResult:
    name: str
    metrics: dict[str, Metric] = field(default_factory=dict)
    failures: list[dict] = field(default_factory=list)  # {"id","lang","question","expected","got","why"}
    tables: dict[str, dict] = field(default_factory=dict)  # name -> {"labels": [...], "matrix": [[...]]}
    series: dict[str, dict] = field(default_factory=dict)  # plot data, see evals.plots
    bench: dict[str, object] = field(default_factory=dict)  # extra numbers (flattened), shown collapsed
    notes: list[str] = field(default_factory=list)
    datasets: list[Path] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)  # PNG file names in the report dir (set by the runner)

    def to_dict(self) -> dict:
        return {"metrics": {k: m.to_dict() for k, m in self.metrics.items()}, "failures": self.failures,
                "tables": self.tables, "bench": {k: (_num(v) if isinstance(v, float) else v) for k, v in self.bench.items()},
                "notes": self.notes, "datasets": [str(p) for p in self.datasets], "plots": self.plots}


def by_lang(items: list[dict]) -> list[tuple[str, list[dict]]]:
    """(key suffix, items): all items, then each language present ("_en", "_fr")."""
    langs = sorted({i["lang"] for i in items})
    return ([("", items)] if items else []) + [(f"_{x}", [i for i in items if i["lang"] == x]) for x in langs]


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else round(float(x), 6)


def flatten(data: object, prefix: str = "") -> dict[str, object]:
    """Flatten a nested metrics dict into `a.b.c -> scalar` (numbers, bools, strings)."""
    out: dict[str, object] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, bool) or data is None:
        out[prefix] = data
    elif isinstance(data, int | float):
        out[prefix] = data if isinstance(data, int) else _num(data)
    elif isinstance(data, str):
        out[prefix] = data
    return out

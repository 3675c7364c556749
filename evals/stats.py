"""Small statistics for the report: mean, THE percentile, and percentile-bootstrap confidence
intervals (fixed seed, so two runs of the same data agree)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

RESAMPLES, SEED = 1000, 20240611


def _interval(stats: np.ndarray, level: float) -> tuple[float, float] | None:
    stats, alpha = stats[~np.isnan(stats)], (1.0 - level) / 2.0
    return tuple(float(x) for x in np.quantile(stats, [alpha, 1.0 - alpha])) if stats.size else None


def bootstrap_ci(items: Sequence, statistic: Callable[[Sequence], float] | None = None, *, q: float | None = None,
                 resamples: int = RESAMPLES, seed: int = SEED, level: float = 0.95) -> tuple[float, float] | None:
    """Percentile bootstrap interval of `statistic` over `items`: the mean by default, the q-th
    percentile with `q` (both vectorised), else `statistic` called on each resample (F2 over span
    counts...). Items are resampled with replacement `resamples` times with a fixed seed. Returns
    None for fewer than 2 items (no interval is meaningful)."""
    n = len(items)
    if n < 2:
        return None
    idx = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    if statistic is None:
        values = np.asarray(items, dtype=float)[idx]
        stats = values.mean(axis=1) if q is None else np.percentile(values, q, axis=1)
    else:
        stats = np.array([statistic([items[i] for i in row]) for row in idx], dtype=float)
    return _interval(stats, level)


def bootstrap_sums(columns: dict[str, Sequence[float]], statistic: Callable[[dict[str, np.ndarray]], np.ndarray], *,
                   resamples: int = RESAMPLES, seed: int = SEED, level: float = 0.95) -> tuple[float, float] | None:
    """Vectorised bootstrap for statistics that are functions of column sums over items
    (precision = tp/pred, leak rate = leaks/gold, right turns / turns over conversations...).
    `statistic` receives a dict of arrays (one summed value per resample) and returns one value
    per resample."""
    n = len(next(iter(columns.values()))) if columns else 0
    if n < 2:
        return None
    idx = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    sums = {k: np.asarray(v, dtype=float)[idx].sum(axis=1) for k, v in columns.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        return _interval(np.asarray(statistic(sums), dtype=float), level)


def mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The one percentile of the evaluation: q in [0, 100], linear interpolation (numpy's default)."""
    if not len(values):
        return float("nan")
    return float(np.percentile(np.asarray(values, dtype=float), q))


def safe_div(num, den, empty: float = 0.0):
    """num/den elementwise; `empty` where den == 0 (works for floats and numpy arrays)."""
    if isinstance(den, np.ndarray):
        return np.where(den > 0, num / np.where(den > 0, den, 1), empty)
    return num / den if den else empty


def f2_from(p, r):
    denom = 4 * p + r
    if isinstance(denom, np.ndarray):
        return np.where(denom > 0, 5 * p * r / np.where(denom > 0, denom, 1), 0.0)
    return 5 * p * r / denom if denom else 0.0

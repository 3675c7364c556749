"""Small, dependency-light statistics for the report: ranking metrics, percentiles, and
percentile-bootstrap confidence intervals (fixed seed, so two runs of the same data agree)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20240611


def bootstrap_ci(
    items: Sequence,
    statistic: Callable[[Sequence], float] | None = None,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of `statistic` (default: the mean) over `items`.

    Items are resampled with replacement `resamples` times with a fixed seed. For the mean of
    numbers this is vectorised; any other statistic (e.g. F2 over span counts) is called on each
    resample. Returns None for fewer than 2 items (no interval is meaningful)."""
    n = len(items)
    if n < 2:
        return None
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(resamples, n))
    if statistic is None:
        values = np.asarray(items, dtype=float)
        stats = values[idx].mean(axis=1)
    else:
        stats = np.array([statistic([items[i] for i in row]) for row in idx], dtype=float)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(stats, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


def mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """q in [0, 100]; linear interpolation (numpy's default)."""
    if not values:
        return float("nan")
    return float(np.percentile(np.asarray(values, dtype=float), q))


def dedupe(ranked: Sequence[str]) -> list[str]:
    """Keep the first occurrence of each id (several chunks of one section count once)."""
    seen: set[str] = set()
    out = []
    for x in ranked:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def hit_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """1.0 when any relevant id is in the top k (the usual 'recall@k' for QA retrieval)."""
    return 1.0 if any(x in relevant for x in ranked[:k]) else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    for i, x in enumerate(ranked, 1):
        if x in relevant:
            return 1.0 / i
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Binary-relevance nDCG@k: DCG = sum 1/log2(rank+1) over relevant hits; ideal puts all
    min(|relevant|, k) relevant ids first."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 1) for i, x in enumerate(ranked[:k], 1) if x in relevant)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


def f_beta(tp: int, fp: int, fn: int, beta: float = 2.0) -> tuple[float, float, float]:
    """(precision, recall, F-beta). Empty denominators give 1.0 for P/R when nothing was
    expected and nothing predicted (vacuous), else 0.0."""
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    b2 = beta * beta
    denom = b2 * precision + recall
    f = (1 + b2) * precision * recall / denom if denom else 0.0
    return precision, recall, f


def bootstrap_sums(
    columns: dict[str, Sequence[float]],
    statistic: Callable[[dict[str, np.ndarray]], np.ndarray],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Vectorised bootstrap for statistics that are functions of column sums over items
    (precision = tp/pred, leak rate = leaks/gold, F2...). `statistic` receives a dict of arrays
    (one summed value per resample) and returns one value per resample."""
    n = len(next(iter(columns.values()))) if columns else 0
    if n < 2:
        return None
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(resamples, n))
    sums = {k: np.asarray(v, dtype=float)[idx].sum(axis=1) for k, v in columns.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.asarray(statistic(sums), dtype=float)
    values = values[~np.isnan(values)]
    if not values.size:
        return None
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(values, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


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

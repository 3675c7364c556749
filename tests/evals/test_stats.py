"""Statistics behind every number in the report: the one percentile and bootstrap intervals."""

from __future__ import annotations

import math

import pytest

from evals import stats


def test_bootstrap_of_a_known_bernoulli_sample_matches_the_normal_approximation():
    sample = [1.0] * 80 + [0.0] * 20  # p = 0.8, n = 100: normal 95% CI = 0.8 ± 1.96*0.04
    lo, hi = stats.bootstrap_ci(sample)
    assert lo == pytest.approx(0.8 - 0.0784, abs=0.02)
    assert hi == pytest.approx(0.8 + 0.0784, abs=0.02)
    assert lo < 0.8 < hi


@pytest.mark.parametrize(
    "sample, expected",
    [
        ([1.0] * 30, (1.0, 1.0)),  # no spread, no interval width
        ([0.0] * 30, (0.0, 0.0)),
        ([0.5], None),  # one item: no interval is meaningful
        ([], None),
    ],
)
def test_bootstrap_degenerate_samples(sample, expected):
    assert stats.bootstrap_ci(sample) == expected


def test_bootstrap_is_deterministic_and_seed_dependent():
    sample = [i % 3 / 2 for i in range(40)]
    assert stats.bootstrap_ci(sample) == stats.bootstrap_ci(sample)
    assert stats.bootstrap_ci(sample, seed=1) != stats.bootstrap_ci(sample, seed=2)


def test_vectorised_percentile_interval_equals_resampling_one_by_one():
    latencies = [12.0, 15.5, 9.1, 40.2, 22.0, 18.3, 75.0, 11.1, 13.9, 30.0]
    one_by_one = stats.bootstrap_ci(latencies, lambda xs: stats.percentile(xs, 95), resamples=200)
    assert stats.bootstrap_ci(latencies, q=95, resamples=200) == pytest.approx(one_by_one)


def test_bootstrap_of_sums_resamples_items():
    # per text (true positives, predicted): precision is a ratio of sums, not a mean of ratios
    cols = {"tp": [1.0] * 18 + [0.0] * 2, "pred": [1.0] * 20}
    lo, hi = stats.bootstrap_sums(cols, lambda s: stats.safe_div(s["tp"], s["pred"]))
    assert lo < 0.9 <= hi <= 1.0


def test_percentile_interpolates():
    assert stats.percentile([10, 20, 30, 40], 50) == 25
    assert stats.percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert math.isnan(stats.percentile([], 95))

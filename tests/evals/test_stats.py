"""Statistics behind every number in the report: ranking metrics and bootstrap intervals."""

from __future__ import annotations

import math

import pytest

from evals import stats


@pytest.mark.parametrize(
    "ranked, relevant, k, hit, rr, ndcg",
    [
        (["a", "b", "c"], {"a"}, 5, 1.0, 1.0, 1.0),
        (["b", "a", "c"], {"a"}, 1, 0.0, 0.5, 1 / math.log2(3)),
        (["b", "c", "d"], {"a"}, 5, 0.0, 0.0, 0.0),
        # two relevant sections, both found at ranks 1 and 3
        (["a", "x", "b"], {"a", "b"}, 5, 1.0, 1.0, (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))),
        (["x", "y", "z", "w", "v", "a"], {"a"}, 5, 0.0, 1 / 6, 0.0),  # rank 6 is outside top 5
    ],
)
def test_ranking_metrics(ranked, relevant, k, hit, rr, ndcg):
    assert stats.hit_at_k(ranked, relevant, k) == hit
    assert stats.reciprocal_rank(ranked, relevant) == pytest.approx(rr)
    assert stats.ndcg_at_k(ranked, relevant, 5) == pytest.approx(ndcg)


def test_dedupe_keeps_first_rank_of_each_section():
    assert stats.dedupe(["s1", "s2", "s1", "s3", "s2"]) == ["s1", "s2", "s3"]


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


def test_bootstrap_with_a_ratio_statistic_resamples_items():
    # items are (tp, fp, fn) per text; F2 is a ratio of sums, not a mean of per-item values
    items = [(1, 0, 0)] * 18 + [(0, 0, 1)] * 2

    def f2(rows):
        tp, fp, fn = (sum(r[i] for r in rows) for i in range(3))
        return stats.f_beta(tp, fp, fn)[2]

    lo, hi = stats.bootstrap_ci(items, f2, resamples=300)
    assert lo < f2(items) <= hi <= 1.0


@pytest.mark.parametrize(
    "tp, fp, fn, p, r, f2",
    [
        (8, 2, 0, 0.8, 1.0, 5 * 0.8 * 1.0 / (4 * 0.8 + 1.0)),
        (5, 0, 5, 1.0, 0.5, 5 * 0.5 / (4 + 0.5)),
        (0, 0, 0, 1.0, 1.0, 1.0),  # nothing expected, nothing found
        (0, 3, 0, 0.0, 1.0, 0.0),
    ],
)
def test_f_beta(tp, fp, fn, p, r, f2):
    assert stats.f_beta(tp, fp, fn) == pytest.approx((p, r, f2))


def test_percentile_interpolates():
    assert stats.percentile([10, 20, 30, 40], 50) == 25
    assert math.isnan(stats.percentile([], 95))

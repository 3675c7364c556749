"""evals/thresholds.toml: validated at load, and the gate comparisons (≥ / ≤, missing fails)."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from evals import gates


def test_the_shipped_thresholds_file_loads_and_names_known_metrics():
    loaded = gates.load_thresholds()
    assert loaded["retrieval"]["recall_at_5_en"].direction == "min"
    assert loaded["guard"]["leak_rate_structured"] == gates.Gate("guard", "leak_rate_structured", 0.0, "max")
    assert set(loaded) <= set(gates.SUITES)


def test_holdout_suites_gate_only_the_privacy_invariants():
    loaded = gates.load_thresholds()
    assert {k: g.to_dict() for k, g in loaded["answers_holdout"].items()} == {"refusal_citations": {"max": 0.0}}
    assert {k: g.to_dict() for k, g in loaded["guard_blind"].items()} == {
        "leak_rate_structured": {"max": 0.0}, "benign_alteration_rate": {"max": 0.03}}


@pytest.mark.parametrize(
    "toml, message",
    [
        ('[retreival]\nrecall_at_5 = {min = 0.9}\n', "unknown suite [retreival]"),
        ('[retrieval]\nrecal_at_5 = {min = 0.9}\n', "unknown metric 'recal_at_5' in [retrieval]"),
        ('[guard]\nleak_rate = {minimum = 0.1}\n', "must be {min = X} or {max = X}"),
        ('[guard]\nleak_rate = {min = 0.1, max = 0.2}\n', "exactly one"),
        ('[guard]\nleak_rate = {max = "zero"}\n', "must be a number"),
        ('[guard]\nleak_rate = 0.1\n', "must be {min = X} or {max = X}"),
        ('[answers\n', "not valid TOML"),
    ],
)
def test_bad_thresholds_are_clear_errors(tmp_path, toml, message):
    path = tmp_path / "t.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        gates.load_thresholds(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_thresholds_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        gates.load_thresholds(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "direction, bound, value, passes",
    [
        ("min", 0.95, 0.95, True),  # equal passes
        ("min", 0.95, 19 / 20, True),
        ("min", 0.95, 0.9499, False),
        ("max", 0.0, 0.0, True),
        ("max", 0.0, 0.001, False),
        ("max", 2000, 1999.9, True),
        ("min", 0.5, None, False),  # a metric that disappeared fails
        ("max", 0.5, float("nan"), False),
    ],
)
def test_gate_comparisons(direction, bound, value, passes):
    assert gates.Gate("x", "m", bound, direction).passes(value) is passes


def test_check_suite_names_metric_value_and_threshold():
    loaded = gates.parse_thresholds({"answers": {"fact_accuracy_fr": {"min": 0.9}, "kind_accuracy": {"min": 0.8}}})
    results = gates.check_suite("answers", {"fact_accuracy_fr": 0.85}, loaded)
    by_metric = {r.gate.metric: r for r in results}
    assert not by_metric["fact_accuracy_fr"].passed
    assert by_metric["fact_accuracy_fr"].message() == "[answers] fact_accuracy_fr = 0.85 FAILS gate ≥ 0.9"
    assert "missing" in by_metric["kind_accuracy"].message() and not by_metric["kind_accuracy"].passed


@pytest.mark.parametrize(
    "suite, key, known",
    [
        ("retrieval", "recall_at_5_fr", True),
        ("retrieval", "ndcg_at_5", True),
        ("retrieval", "recall_at_5_de", False),
        ("guard", "f2_HEALTH", True),
        ("guard", "recall_structured", True),
        ("latency", "total_p95_ms", True),
        ("latency", "total_p42", False),
        ("generic", "mrr_fr", True),
        ("answers_holdout", "refusal_citations", True),
        ("answers_holdout", "fact_accuracy_fr", True),
        ("answers_holdout", "leak_rate", False),
        ("guard_blind", "leak_rate_structured", True),
        ("guard_blind", "benign_alteration_rate", True),
        ("guard_blind", "refusal_citations", False),
    ],
)
def test_known_metric_patterns(suite, key, known):
    assert gates.is_known_metric(suite, key) is known

"""evals/thresholds.toml (validated at load), the gate comparisons, and the no-regression gates
built from a committed baseline."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from evals import gates
from evals.registry import SUITES


def test_the_shipped_file_loads_and_gates_holdout_invariants_not_dev_accuracy():
    loaded = gates.load_thresholds()
    assert set(loaded) <= set(SUITES)
    assert "answers" not in loaded  # the dev set is training data: no gate
    for holdout in ("answers_holdout", "answers_blind_a", "answers_blind_b", "answers_blind_c", "answers_blind_d",
                    "answers_blind_e", "answers_blind_f", "answers_blind_g", "answers_blind_h",
                    "dialogues_blind_1", "dialogues_blind_2", "dialogues_blind_3", "dialogues_blind_4",
                    "dialogues_blind_5", "dialogues_blind_6", "dialogues_blind_7", "dialogues_blind_8",
                    "dialogues_blind_9", "dialogues_blind_10"):
        assert {k: g.to_dict() for k, g in loaded[holdout].fixed.items()} == {
            "refusal_citations": {"max": 0.0, "rule": "thresholds.toml"},
            "uncited_answers": {"max": 0.0, "rule": "thresholds.toml"}}
    assert loaded["answers_blind_a"].no_regression and not loaded["answers_holdout"].no_regression
    # every blind answer and dialogue set is held to the invariants, most through [blind_defaults.<module>]
    blind = [n for n, s in SUITES.items() if s.blind and s.module in ("answers", "dialogues")]
    assert len(blind) >= 89 and all(set(loaded[n].fixed) == {"refusal_citations", "uncited_answers"} for n in blind)
    assert loaded["latency"].fixed["answer_latency_p50_ms"].bound == 40
    assert loaded["latency"].fixed["answer_latency_p95_ms"].bound == 80


@pytest.mark.parametrize(
    "toml, message",
    [
        ('[retreival]\nrecall_at_5 = {min = 0.9}\n', "unknown suite [retreival]"),
        ('[retrieval]\nrecal_at_5 = {min = 0.9}\n', "unknown metric 'recal_at_5' in [retrieval]"),
        ('[answers_blind_a]\nfact_accuracy_de = {min = 0.9}\n', "see METRICS in evals/suites/answers.py"),
        ('[guard]\nleak_rate = {minimum = 0.1}\n', "must be {min = X} or {max = X}"),
        ('[guard]\nleak_rate = {min = 0.1, max = 0.2}\n', "exactly one"),
        ('[guard]\nleak_rate = {max = "zero"}\n', "must be a number"),
        ('[guard]\nleak_rate = 0.1\n', "must be {min = X} or {max = X}"),
        ('[answers_blind_a]\nno_regression = "yes"\n', "no_regression must be true or false"),
        ('[answers\n', "not valid TOML"),
        ('[blind_defaults.answerz]\nuncited_answers = {max = 0}\n', "no blind suite uses the module 'answerz'"),
        ('[blind_defaults.answers]\nuncited_answer = {max = 0}\n', "unknown metric 'uncited_answer'"),
        ('[blind_defaults]\nanswers = 1\n', "must be tables"),
    ],
)
def test_bad_thresholds_are_clear_errors(tmp_path, toml, message):
    path = tmp_path / "t.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        gates.load_thresholds(path)
    assert message in str(err.value) and str(path) in str(err.value)


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
        ("min", 0.5, None, False),  # a metric that disappeared fails
        ("max", 0.5, float("nan"), False),
    ],
)
def test_gate_comparisons(direction, bound, value, passes):
    assert gates.Gate("x", "m", bound, direction).passes(value) is passes


@pytest.mark.parametrize(
    "suite, key, known",
    [
        ("retrieval", "recall_at_5_fr", True), ("retrieval", "recall_at_5_de", False),
        ("retrieval_naive", "mrr_en", True), ("generic", "ndcg_at_5", True),
        ("guard", "f2_HEALTH", True), ("guard_blind", "leak_rate_structured", True),
        ("guard_blind", "refusal_citations", False),
        ("latency", "answer_latency_p95_ms", True), ("latency", "total_p42", False),
        ("answers_holdout", "uncited_answers_fr", True), ("answers_blind_b", "answerable_refused", True),
        ("answers_holdout", "leak_rate", False),
        ("dialogues_blind_1", "turn_accuracy_fr", True), ("dialogues_blind_2", "wrong_audience_turns", True),
        ("dialogues_blind_1", "fact_accuracy", False),
    ],
)
def test_known_metric_patterns(suite, key, known):
    assert gates.is_known_metric(suite, key) is known


def test_regression_gates_allow_the_baselines_interval_in_the_right_direction():
    baseline = {"metrics": {
        "fact_accuracy_fr": {"value": 0.60, "ci": [0.50, 0.70], "better": "higher"},
        "answerable_refused": {"value": 0.10, "ci": [0.04, 0.16], "better": "lower"},
        "total_p50_ms": {"value": 30.0, "ci": [25.0, 35.0], "better": None},  # latency: not gated
        "refusal_citations": {"value": 0.0, "ci": None, "better": "lower"},  # no interval: fixed gate only
    }}
    g = gates.gates_from_baseline("answers_blind_a", baseline)
    assert set(g) == {"fact_accuracy_fr", "answerable_refused"}
    assert g["fact_accuracy_fr"].passes(0.50) and not g["fact_accuracy_fr"].passes(0.49)
    assert g["answerable_refused"].passes(0.16) and not g["answerable_refused"].passes(0.17)
    assert g["fact_accuracy_fr"].rule == "baseline 0.6, 95% interval from 0.5"


@pytest.mark.parametrize("value, n, better, ok, bad", [
    (0.0, 108, "lower", 2 / 108, 5 / 108),  # none refused: two flips are noise, five are a regression
    (1.0, 20, "higher", 18 / 20, 15 / 20),  # all right: one or two misses are noise
])
def test_a_proportion_at_zero_or_one_gets_a_wilson_interval_not_a_zero_width_one(value, n, better, ok, bad):
    metric = {"value": value, "ci": [value, value], "n": n, "unit": "", "better": better}
    gate = gates.gates_from_baseline("answers_blind_a", {"metrics": {"m": metric}})["m"]
    assert gate.passes(value) and gate.passes(ok) and not gate.passes(bad)


@pytest.mark.parametrize("module, suite, other", [("answers", "answers_blind_ar", "dialogues_blind_45"),
                                                   ("dialogues", "dialogues_blind_45", "answers_blind_ar")])
def test_a_blind_set_without_a_table_takes_its_modules_defaults_and_its_own_table_wins(tmp_path, module, suite, other):
    path = tmp_path / "t.toml"
    path.write_text(f"[blind_defaults.{module}]\nuncited_answers = {{max = 0}}\n\n[answers_blind_a]\nno_regression = true\n")
    loaded = gates.load_thresholds(path)
    assert set(loaded[suite].fixed) == {"uncited_answers"} and other not in loaded
    assert loaded["answers_blind_a"].no_regression and not loaded["answers_blind_a"].fixed  # its own table only
    assert "answers_holdout" not in loaded  # not blind: no defaults

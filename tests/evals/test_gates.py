"""CI regression gates: run the fast, deterministic suites (retrieval, answers, guard, generic and
the holdout suites answers_holdout, guard_blind — not latency or load) once on the real pipeline, and fail naming the metric, its value and its
gate from evals/thresholds.toml whenever one falls below (or above) it."""

from __future__ import annotations

import pytest

from evals.context import EvalContext
from evals.gates import load_thresholds
from evals.runner import run_eval

GATED_SUITES = ("retrieval", "answers", "guard", "generic", "answers_holdout", "guard_blind")
GATES = [(suite, key) for suite, table in load_thresholds().items() if suite in GATED_SUITES for key in table]


@pytest.fixture(scope="module")
def gate_report(tmp_path_factory, lumen_settings, retriever, guard, engine):
    from knowledge.retrieve import get_retriever

    def factory(kb):  # the session's OMNES index; other knowledge bases from the Lumen home
        return retriever if kb == "omnes" else get_retriever(kb=kb, settings=lumen_settings)

    ctx = EvalContext(settings=lumen_settings, kb="omnes", progress=False, guard_obj=guard, engine_obj=engine,
                      retriever_factory=factory)
    out = tmp_path_factory.mktemp("gates")
    return run_eval(list(GATED_SUITES), settings=lumen_settings, kb="omnes", out_dir=out, context=ctx, progress=False)


def test_every_gated_suite_ran(gate_report):
    assert gate_report["complete"], gate_report["errors"]
    assert set(GATED_SUITES) <= set(gate_report["suites_done"])


@pytest.mark.parametrize("suite, metric", GATES, ids=[f"{s}.{k}" for s, k in GATES])
def test_gate(gate_report, suite, metric):
    m = gate_report["suites"][suite]["metrics"][metric]
    direction, bound = next(iter(m["threshold"].items()))
    shown = "missing (not produced)" if m["value"] is None else f"{m['value']:.4f}"
    ci = f", 95% CI {m['ci']}" if m.get("ci") else ""
    assert m["passed"], (
        f"[{suite}] {metric} = {shown}{ci} violates gate {'≥' if direction == 'min' else '≤'} {bound} "
        f"(evals/thresholds.toml)"
    )

"""CI gates on the real pipeline (slow: models and indexes load): every suite gated in
evals/thresholds.toml except latency and load (noisy, run by `privacybot eval` only) runs once,
and each suite's failed gates are named with their value and rule. The holdouts are held to
their privacy invariants and set A to "no regression beyond the CI half-width" (committed
baseline evals/baselines/answers_blind_a.json); the dev answer set has no gate."""

from __future__ import annotations

import pytest

from evals.context import EvalContext
from evals.gates import load_thresholds
from evals.runner import run_eval

pytestmark = pytest.mark.slow
GATED = [s for s in load_thresholds() if s not in ("latency", "load")]


@pytest.fixture(scope="module")
def gate_report(tmp_path_factory, kb_settings, retriever, guard, engine):
    from knowledge.retrieve import open_retriever

    def factory(kb):  # the session's OMNES index; the Lumen policy is ingested by the `generic` suite
        return retriever if kb == "omnes" else open_retriever(kb_settings.kb_dir(kb), kb)

    ctx = EvalContext(settings=kb_settings, kb="omnes", progress=False, guard_obj=guard, engine_obj=engine,
                      retriever_factory=factory, compare_presidio=False)  # no gate reads the vanilla figures
    return run_eval(GATED, settings=kb_settings, kb="omnes", out_dir=tmp_path_factory.mktemp("gates"), context=ctx)


def test_every_gated_suite_ran(gate_report):
    assert gate_report["complete"], gate_report["errors"]


@pytest.mark.parametrize("suite", GATED)
def test_gates_hold(gate_report, suite):
    failed = [line for line in gate_report["gates"]["failed"] if line.startswith(f"[{suite}]")]
    assert not failed, "\n".join(failed) + "\n(gates: evals/thresholds.toml, baselines: evals/baselines/)"

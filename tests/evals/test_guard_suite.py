"""A guard suite scores the guard, and puts vanilla Presidio beside it unless the caller turns that off
(the CI gates read only the guard's own figures; the comparison is half a suite's time)."""

from __future__ import annotations

import pytest

from evals import guard_baseline
from evals.runner import run_eval
from tests.fakes import FakeGuard

ROWS = [
    {"id": "g1", "lang": "en", "text": "my email is ana.roy@example.org, please update it",
     "spans": [{"entity": "EMAIL_ADDRESS", "text": "ana.roy@example.org"}]},
    {"id": "g2", "lang": "fr", "text": "mon numéro est le 06 12 34 56 78",
     "spans": [{"entity": "PHONE_NUMBER", "text": "06 12 34 56 78"}]},
    {"id": "g3", "lang": "fr", "text": "Combien de temps gardez-vous mes données ?", "spans": []},
]


class _Guard(FakeGuard):
    def public_strings(self, policy_text: str) -> frozenset[str]:
        return frozenset()


class _Vanilla:
    built = 0

    def __init__(self):
        type(self).built += 1

    def run(self, text, lang):
        return text, []  # redacts nothing: every span leaks


@pytest.mark.parametrize("compare", [True, False])
def test_vanilla_presidio_runs_beside_the_guard_only_when_asked(make_context, monkeypatch, tmp_path, compare):
    monkeypatch.setattr(guard_baseline, "VanillaPresidio", _Vanilla)
    _Vanilla.built = 0
    ctx = make_context(datasets={"guard_blind_y": ROWS}, guard_obj=_Guard(), compare_presidio=compare)
    report = run_eval(["guard_blind_y"], settings=ctx.settings, out_dir=tmp_path / "r", context=ctx)
    suite = report["suites"]["guard_blind_y"]
    assert suite["metrics"]["leak_rate"]["value"] == 0.0  # the guard's own figures either way
    assert suite["metrics"]["benign_alteration_rate"]["value"] == 0.0
    assert ("presidio_leak_rate" in suite["metrics"]) is compare and _Vanilla.built == int(compare)
    if compare:
        assert suite["metrics"]["presidio_leak_rate"]["value"] == 1.0
    else:
        assert any("not run" in n for n in suite["notes"])

"""Evaluation tab: input checks and one run at a time (a second start is refused, not queued)."""

from __future__ import annotations

import threading

import pytest

from ui import console_eval as ev


@pytest.fixture(autouse=True)
def _all_suites_installed(monkeypatch):
    """The lock and input checks do not depend on which suite modules are installed yet."""
    monkeypatch.setattr(ev, "_installed", lambda name: True)


@pytest.mark.parametrize(
    "suites, expected",
    [
        ([], "Choose at least one suite"),
        (None, "Choose at least one suite"),
        (["retrieval", "nope"], "Unknown suite(s): nope"),
    ],
)
def test_bad_suite_choices_are_refused_with_a_message(settings, suites, expected):
    out = ev.run_evaluation(settings, suites, runner=lambda *a, **k: pytest.fail("runner must not run"))
    assert expected in out["status"]
    assert out["rows"] == [] and out["plots"] == []


def test_a_second_run_is_refused_while_one_is_in_progress(settings):
    entered, release = threading.Event(), threading.Event()
    calls = []

    def slow_runner(suites, out_dir, progress=None):
        calls.append(list(suites))
        entered.set()
        release.wait(10)
        return {"suites": {}, "complete": True}

    first: dict = {}
    t = threading.Thread(target=lambda: first.update(ev.run_evaluation(settings, ["guard"], runner=slow_runner)))
    t.start()
    assert entered.wait(10)
    assert ev.running_since() is not None
    second = ev.run_evaluation(settings, ["retrieval"], runner=slow_runner)
    started = ev.running_since().strftime("%H:%M")
    assert second["status"].startswith(f"An evaluation is already running — started at {started}")
    release.set()
    t.join(10)
    assert calls == [["guard"]]  # the refused run never started
    assert first["status"].startswith("Finished")
    assert ev.running_since() is None
    # After the first run ends, a new one may start.
    release.set()
    assert ev.run_evaluation(settings, ["retrieval"], runner=slow_runner)["status"].startswith("Finished")


def test_a_crashing_runner_releases_the_lock_and_reports_the_error_type(settings):
    def broken(suites, out_dir, progress=None):
        raise RuntimeError("boom")

    out = ev.run_evaluation(settings, ["guard"], runner=broken)
    assert "RuntimeError" in out["status"] and "boom" not in out["status"]
    assert ev.running_since() is None


def test_summarise_reads_the_report_layout(tmp_path):
    (tmp_path / "guard_pr.png").write_bytes(b"\x89PNG")
    report = {
        "complete": True,
        "gates": {"passed": 1, "failed": ["guard.f2"], "total": 2},
        "suites": {
            "guard": {
                "metrics": {
                    "recall_structured": {"value": 0.97, "ci": [0.9, 1.0], "n": 120, "unit": "",
                                          "threshold": {"min": 0.95}, "passed": True},
                    "f2": {"value": 0.7, "ci": None, "n": 120, "threshold": {"min": 0.8}, "passed": False},
                },
                "plots": ["guard_pr.png", "missing.png"],
                "failures": [{"id": "g1", "lang": "fr", "question": "j'ai [HEALTH]", "expected": ["HEALTH"],
                              "got": [], "why": "missed"}],
            }
        },
    }
    out = ev.summarise(report, tmp_path)
    assert out["rows"][0] == ["guard", "recall_structured", "0.970", "[0.900, 1.000]", 120, "≥ 0.95", "PASS"]
    assert out["rows"][1][-1] == "FAIL"
    assert out["plots"] == [str(tmp_path / "guard_pr.png")]
    assert out["failures"][0][:4] == ["guard", "g1", "fr", "j'ai [HEALTH]"]
    assert "1 failed" in ev._status(report, tmp_path, 3.0)

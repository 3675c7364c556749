"""Evaluation tab: input checks, one run at a time (a second start is refused, not queued), the
subprocess command (ui never imports evals), a scratch conversation store for evaluation
traffic, and the report files offered for download."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from ui import console_eval as ev

REPORT = {
    "complete": True,
    "gates": {"passed": 1, "failed": ["guard.f2"], "total": 2},
    "suites": {"guard": {"metrics": {
        "recall_structured": {"value": 0.97, "ci": [0.9, 1.0], "n": 120, "unit": "", "threshold": {"min": 0.95},
                              "passed": True},
        "f2": {"value": 0.7, "ci": None, "n": 120, "threshold": {"min": 0.8}, "passed": False}},
        "plots": ["guard_pr.png", "missing.png"],
        "failures": [{"id": "g1", "lang": "fr", "question": "j'ai [HEALTH]", "expected": ["HEALTH"], "got": [],
                      "why": "missed"}]}},
}


def fake_eval(calls: list, *, gate: threading.Event | None = None, write: bool = True):
    """Stands in for `privacybot eval`: records the command and environment, writes a report."""
    def run(cmd, env, on_line):
        calls.append((cmd, env))
        on_line("[eval] guard: running")
        if gate is not None:
            gate.wait(10)
        if write:
            out = Path(cmd[cmd.index("--out") + 1])
            out.mkdir(parents=True, exist_ok=True)
            (out / "metrics.json").write_text(json.dumps(REPORT), encoding="utf-8")
            (out / "report.html").write_text("<html></html>", encoding="utf-8")
            (out / "guard_pr.png").write_bytes(b"\x89PNG")
            on_line("[eval] guard: done")
        return 0 if write else 3
    return run


@pytest.mark.parametrize("suites, lang, expected", [
    ([], "en", "Choose at least one suite"),
    (None, "fr", "Choisissez au moins une suite"),
    (["retrieval", "nope"], "en", "Unknown suite(s): nope"),
    (["nope"], "fr", "Suite(s) inconnue(s) : nope"),
])
def test_bad_suite_choices_are_refused_with_a_message(settings, suites, lang, expected):
    out = ev.run_evaluation(settings, suites, lang=lang, runner=lambda *a: pytest.fail("runner must not run"))
    assert expected in out["status"] and out["rows"] == [] and out["files"] == []


def test_the_run_is_a_privacybot_eval_subprocess_with_a_scratch_store(settings):
    calls, progress = [], []
    out = ev.run_evaluation(settings, ["guard", "retrieval"], runner=fake_eval(calls),
                            progress=lambda frac, desc="": progress.append((frac, desc)))
    (cmd, env), = calls
    assert cmd[1:4] == ["-m", "bot.cli", "eval"] and cmd[cmd.index("--suite") + 1] == "guard,retrieval"
    assert "--no-fail-on-gate" in cmd and str(settings.reports_dir) in cmd[cmd.index("--out") + 1]
    scratch = env["PRIVACYBOT_DATABASE_URL"]
    assert scratch.startswith("sqlite:///") and "privacybot-eval-" in scratch  # never the conversation store
    assert not Path(scratch.removeprefix("sqlite:///")).parent.exists()  # deleted afterwards
    assert progress and progress[-1][1] == "guard: done"
    assert out["status"].startswith("Finished in") and "1 failed" in out["status"]
    assert [Path(f).name for f in out["files"]] == ["report.html", "metrics.json"]
    assert out["rows"][0] == ["guard", "recall_structured", "0.970", "[0.900, 1.000]", 120, "≥ 0.95", "PASS"]
    assert out["plots"] == [str(Path(cmd[cmd.index("--out") + 1]) / "guard_pr.png")]
    assert out["failures"][0][:4] == ["guard", "g1", "fr", "j'ai [HEALTH]"]


def test_a_run_without_a_report_says_so_and_releases_the_lock(settings):
    out = ev.run_evaluation(settings, ["guard"], runner=fake_eval([], write=False))
    assert "did not produce a report (exit code 3)" in out["status"]
    assert ev.running_since() is None


def test_a_second_run_is_refused_while_one_is_in_progress(settings):
    calls, gate = [], threading.Event()
    first: dict = {}
    t = threading.Thread(target=lambda: first.update(ev.run_evaluation(settings, ["guard"],
                                                                       runner=fake_eval(calls, gate=gate))))
    t.start()
    deadline = threading.Event()
    while ev.running_since() is None and not deadline.wait(0.02):
        pass
    second = ev.run_evaluation(settings, ["retrieval"], runner=fake_eval(calls))
    assert second["status"].startswith(f"An evaluation is already running — started at "
                                       f"{ev.running_since().strftime('%H:%M')}")
    gate.set()
    t.join(10)
    assert len(calls) == 1 and first["status"].startswith("Finished")
    assert ev.running_since() is None


def test_past_reports_can_be_reopened_by_name_only(settings):
    ev.run_evaluation(settings, ["guard"], runner=fake_eval([]))
    names = ev.past_reports(settings.reports_dir)
    assert len(names) == 1 and names[0].startswith("console-")
    out = ev.open_report(settings.reports_dir, names[0])
    assert out["rows"] and [Path(f).name for f in out["files"]] == ["report.html", "metrics.json"]
    assert "Pick a report" in ev.open_report(settings.reports_dir, "../../etc")["status"]

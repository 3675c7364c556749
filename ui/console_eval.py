"""Evaluation tab of the staff console: run the dev suites, one run at a time (no Gradio import).

Calls the evaluation runner (`evals.runner`), which writes the report
(metrics.json, report.md/html, PNG plots) under `<home>/reports/console-<timestamp>/` with every
text already redacted by the runner. A module-level lock refuses a second run while one is in
progress, whichever browser started it.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.errors import PrivacybotError
from bot.logsafe import exc_summary, log_event

log = logging.getLogger("ui.console")

# Suites that make sense from the console (seconds to a few minutes on a laptop CPU).
DEV_SUITES = ("retrieval", "answers", "guard")
OPTIONAL_SUITES = ("generic", "latency", "answers_holdout", "guard_blind")
METRIC_HEADERS = ["suite", "metric", "value", "95% CI", "n", "gate", "result"]
FAILURE_HEADERS = ["suite", "id", "lang", "question (redacted)", "expected", "got", "why"]
MAX_FAILURES_PER_SUITE = 10

_run_lock = threading.Lock()
_run_started: datetime | None = None


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(f"evals.suite_{name}") is not None
    except ModuleNotFoundError:
        return False


def available_suites() -> list[str]:
    """Suites the console offers: the dev ones whose `evals/suite_<name>.py` is installed."""
    return [s for s in DEV_SUITES + OPTIONAL_SUITES if _installed(s)]


def default_suites() -> list[str]:
    return [s for s in DEV_SUITES if _installed(s)]


def running_since() -> datetime | None:
    """When the evaluation in progress started (None when idle)."""
    return _run_started if _run_lock.locked() else None


def _load_runner(settings, engine=None, guard=None):
    """A callable (suites, out_dir, progress) -> report, or None when evals is not installed.

    Prefers `evals.runner.run_suites(suites, out_dir, progress=...)`; falls back to
    `evals.runner.run_eval(suites, settings=..., out_dir=..., progress=False, log=...)`."""
    try:
        module = importlib.import_module("evals.runner")
    except ModuleNotFoundError as exc:
        if exc.name == "evals.runner":
            return None
        raise
    if hasattr(module, "run_suites"):
        return module.run_suites
    run_eval = getattr(module, "run_eval", None)
    if run_eval is None:
        return None

    def run(suites, out_dir, progress=None):
        done = {"n": 0}

        def log_line(msg: str) -> None:
            if progress is None:
                return
            if msg.endswith("running"):
                progress(done["n"] / max(1, len(suites)), desc=msg.replace("[eval] ", ""))
            elif ": done" in msg or "FAILED" in msg:
                done["n"] += 1

        kwargs = {}
        if engine is not None or guard is not None:  # reuse the console's loaded models
            from evals.context import EvalContext

            kwargs["context"] = EvalContext(settings=settings, kb=settings.kb, progress=False,
                                            guard_obj=guard, engine_obj=engine)
        return run_eval(list(suites), settings=settings, out_dir=out_dir, progress=False, log=log_line, **kwargs)

    return run


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f} {unit}".strip() if unit in ("ms", "s", "rps", "MB") else f"{value:.3f}"
    return f"{value} {unit}".strip()


def _gate(metric: dict) -> tuple[str, str]:
    thr = metric.get("threshold")
    if not thr:
        return "—", "—"
    direction, bound = next(iter(thr.items()))
    return f"{'≥' if direction == 'min' else '≤'} {bound:g}", ("PASS" if metric.get("passed") else "FAIL")


def _report_dict(report: Any, out_dir: Path) -> dict:
    if isinstance(report, dict):
        return report
    if hasattr(report, "to_dict"):
        return report.to_dict()
    metrics_file = out_dir / "metrics.json"
    if metrics_file.exists():
        return json.loads(metrics_file.read_text(encoding="utf-8"))
    raise TypeError(f"unexpected evaluation report type {type(report).__name__}")


def summarise(report: dict, out_dir: Path) -> dict:
    """Report dict (metrics.json layout) -> rows for the metrics table, plot paths, failures."""
    rows: list[list] = []
    plots: list[str] = []
    failures: list[list] = []
    suites = report.get("suites") or {}
    for name, suite in suites.items():
        if not suite:
            continue
        for key, metric in (suite.get("metrics") or {}).items():
            if not isinstance(metric, dict):
                metric = {"value": metric}
            ci = metric.get("ci")
            gate, verdict = _gate(metric)
            rows.append([
                name, key, _fmt(metric.get("value"), metric.get("unit", "")),
                f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci and None not in ci else "—",
                metric.get("n") or "—", gate, verdict,
            ])
        for plot in suite.get("plots") or []:
            path = Path(plot) if Path(plot).is_absolute() else out_dir / plot
            if path.exists():
                plots.append(str(path))
        for f in (suite.get("failures") or [])[:MAX_FAILURES_PER_SUITE]:
            failures.append([
                name, str(f.get("id", "")), str(f.get("lang", "")), _short(f.get("question")),
                _short(f.get("expected")), _short(f.get("got")), _short(f.get("why")),
            ])
    return {"rows": rows, "plots": plots, "failures": failures}


def _short(value: Any, limit: int = 300) -> str:
    if value is None:
        return ""
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _status(report: dict, out_dir: Path, seconds: float) -> str:
    gates = report.get("gates") or {}
    parts = [f"Finished in {seconds:.0f} s."]
    if gates:
        failed = gates.get("failed") or []
        parts.append(f"Gates: {gates.get('passed', 0)} passed, {len(failed)} failed.")
        if failed:
            parts.append("Failed: " + ", ".join(str(f) for f in failed[:8]) + ("…" if len(failed) > 8 else ""))
    if report.get("complete") is False:
        missing = ", ".join(report.get("suites_missing") or []) or "?"
        parts.append(f"Warning: INCOMPLETE — missing suites: {missing}.")
    for suite, err in (report.get("errors") or {}).items():
        parts.append(f"Warning: `{suite}` did not finish: {err}")
    parts.append(f"Full report: `{out_dir / 'report.html'}`")
    return " ".join(parts)


def run_evaluation(settings, suites: list[str] | None, *, progress=None, runner=None, engine=None,
                   guard=None) -> dict:
    """Run the chosen suites once. Returns {"rows", "plots", "failures", "status"}.

    Refuses (status message, nothing run) when another run is in progress, when no suite is
    chosen, or when a suite name is unknown.
    """
    global _run_started
    empty = {"rows": [], "plots": [], "failures": []}
    suites = [s for s in (suites or []) if s]
    if not suites:
        return {**empty, "status": "Choose at least one suite to run."}
    unknown = sorted(set(suites) - set(available_suites()))
    if unknown:
        return {**empty, "status": f"Unknown suite(s): {', '.join(unknown)}. Choose from {', '.join(available_suites())}."}
    if not _run_lock.acquire(blocking=False):
        started = _run_started.strftime("%H:%M") if _run_started else "?"
        return {**empty, "status": f"An evaluation is already running — started at {started}. Wait for it to finish."}
    try:
        _run_started = datetime.now()
        run = runner or _load_runner(settings, engine, guard)
        if run is None:
            return {**empty, "status": "The evaluation runner (evals/runner.py) is not installed in this build."}
        out_dir = Path(settings.reports_dir) / f"console-{_run_started.strftime('%Y%m%d-%H%M%S')}"
        log_event(log, "console.eval_started", suites=suites)
        t0 = datetime.now()
        try:
            report = _report_dict(run(suites, out_dir, progress=_progress_adapter(progress)), out_dir)
        except PrivacybotError as exc:
            return {**empty, "status": f"Warning: The evaluation stopped: {exc.message}"}
        except Exception as exc:
            log_event(log, "console.eval_failed", level=logging.ERROR, error=exc_summary(exc))
            return {**empty, "status": f"Warning: The evaluation failed ({type(exc).__name__}). See the server log."}
        seconds = (datetime.now() - t0).total_seconds()
        out = summarise(report, out_dir)
        log_event(log, "console.eval_finished", suites=suites, seconds=round(seconds, 1))
        return {**out, "status": _status(report, out_dir, seconds)}
    finally:
        _run_started = None
        _run_lock.release()


def _progress_adapter(progress):
    """Wrap a gr.Progress (callable(fraction, desc=...)) so runner callbacks cannot crash the run."""
    if progress is None:
        return None

    def report(*args, **kwargs):
        with contextlib.suppress(Exception):  # a closed browser tab must not stop the evaluation
            progress(*args, **kwargs)

    return report

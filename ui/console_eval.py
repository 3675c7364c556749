"""Evaluation tab of the staff console: run suites one at a time as a subprocess (no Gradio, no
`evals` import: ui never imports evals).

    privacybot eval --suite S1,S2 --out <home>/reports/console-<timestamp> --no-progress --no-fail-on-gate

The subprocess writes the report (metrics.json, report.md/html, plots) with every text already
redacted. Its conversation store is a scratch SQLite file deleted afterwards, so evaluation
traffic can never reach the conversation list, whatever the suites do. A module-level lock
refuses a second run while one is in progress, whichever browser started it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.logsafe import log_event
from ui.i18n import tr

log = logging.getLogger("ui.console")

DEV_SUITES = ("retrieval", "answers", "guard")
OPTIONAL_SUITES = ("generic", "latency", "answers_holdout", "guard_blind")
METRIC_HEADERS = ["suite", "metric", "value", "95% CI", "n", "gate", "result"]
FAILURE_HEADERS = ["suite", "id", "lang", "question (redacted)", "expected", "got", "why"]
REPORT_FILES = ("report.html", "report.md", "metrics.json")
MAX_FAILURES_PER_SUITE = 10
TIMEOUT_S = 3600

Runner = Callable[[list[str], dict[str, str], Callable[[str], None]], int]

_run_lock = threading.Lock()
_run_started: datetime | None = None


def available_suites() -> list[str]:
    return list(DEV_SUITES + OPTIONAL_SUITES)


def default_suites() -> list[str]:
    return list(DEV_SUITES)


def running_since() -> datetime | None:
    """When the evaluation in progress started (None when idle)."""
    return _run_started if _run_lock.locked() else None


def eval_command(suites: list[str], out_dir: Path) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "eval", "--suite", ",".join(suites), "--out", str(out_dir),
            "--no-progress", "--no-fail-on-gate"]


def run_subprocess(cmd: list[str], env: dict[str, str], on_line: Callable[[str], None]) -> int:
    """Run the command, passing each stderr line to `on_line`; returns the exit code."""
    with subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          encoding="utf-8", errors="replace") as proc:
        timer = threading.Timer(TIMEOUT_S, proc.kill)
        timer.start()
        try:
            for line in proc.stderr:  # type: ignore[union-attr]
                on_line(line.rstrip())
            return proc.wait()
        finally:
            timer.cancel()


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


def _short(value: Any, limit: int = 300) -> str:
    if value is None:
        return ""
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def summarise(report: dict, out_dir: Path) -> dict:
    """Report dict (metrics.json layout) -> rows for the metrics table, plot paths, failures."""
    rows: list[list] = []
    plots: list[str] = []
    failures: list[list] = []
    for name, suite in (report.get("suites") or {}).items():
        if not suite:
            continue
        for key, metric in (suite.get("metrics") or {}).items():
            if not isinstance(metric, dict):
                metric = {"value": metric}
            ci = metric.get("ci")
            gate, verdict = _gate(metric)
            rows.append([name, key, _fmt(metric.get("value"), metric.get("unit", "")),
                         f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci and None not in ci else "—",
                         metric.get("n") or "—", gate, verdict])
        for plot in suite.get("plots") or []:
            path = Path(plot) if Path(plot).is_absolute() else out_dir / plot
            if path.exists():
                plots.append(str(path))
        for f in (suite.get("failures") or [])[:MAX_FAILURES_PER_SUITE]:
            failures.append([name, str(f.get("id", "")), str(f.get("lang", "")), _short(f.get("question")),
                             _short(f.get("expected")), _short(f.get("got")), _short(f.get("why"))])
    return {"rows": rows, "plots": plots, "failures": failures}


def report_files(out_dir: Path) -> list[str]:
    """The report's downloadable files that exist."""
    return [str(out_dir / name) for name in REPORT_FILES if (out_dir / name).is_file()]


def past_reports(reports_dir: Path, limit: int = 20) -> list[str]:
    """Report folders (newest first) that have a metrics.json."""
    folder = Path(reports_dir)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and (p / "metrics.json").is_file()]
    return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)[:limit]]


def open_report(reports_dir: Path, name: str | None, lang: str = "en") -> dict:
    """A past report by folder name (no path from the browser is trusted)."""
    empty = {"rows": [], "plots": [], "failures": [], "files": []}
    names = past_reports(reports_dir, limit=1000)
    if not name or name not in names:
        return {**empty, "status": tr("console_eval_pick", lang)}
    out_dir = Path(reports_dir) / name
    report = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    return {**summarise(report, out_dir), "files": report_files(out_dir), "status": _status(report, None, lang)}


def _status(report: dict, seconds: float | None, lang: str) -> str:
    gates = report.get("gates") or {}
    parts = [tr("console_eval_finished", lang, seconds=f"{seconds:.0f}")] if seconds is not None else []
    if gates:
        failed = gates.get("failed") or []
        parts.append(tr("console_eval_gates", lang, passed=gates.get("passed", 0), failed=len(failed)))
        if failed:
            parts.append("; ".join(str(f) for f in failed[:8]) + ("…" if len(failed) > 8 else ""))
    if report.get("complete") is False:
        parts.append(tr("console_eval_incomplete", lang, missing=", ".join(report.get("suites_missing") or []) or "?"))
    return " ".join(parts)


def run_evaluation(settings, suites: list[str] | None, *, progress=None, runner: Runner | None = None,
                   lang: str = "en") -> dict:
    """Run the chosen suites once. Returns {"rows", "plots", "failures", "files", "status"}.

    Refuses (status message, nothing run) when another run is in progress, when no suite is
    chosen, or when a suite name is unknown."""
    global _run_started
    empty = {"rows": [], "plots": [], "failures": [], "files": []}
    suites = [s for s in (suites or []) if s]
    if not suites:
        return {**empty, "status": tr("console_eval_choose", lang)}
    unknown = sorted(set(suites) - set(available_suites()))
    if unknown:
        return {**empty, "status": tr("console_eval_unknown", lang, unknown=", ".join(unknown),
                                      known=", ".join(available_suites()))}
    if not _run_lock.acquire(blocking=False):
        started = _run_started.strftime("%H:%M") if _run_started else "?"
        return {**empty, "status": tr("console_eval_busy", lang, started=started)}
    try:
        _run_started = datetime.now()
        out_dir = Path(settings.reports_dir) / f"console-{_run_started.strftime('%Y%m%d-%H%M%S')}"
        done = {"n": 0}

        def on_line(line: str) -> None:
            if progress is None or not line.strip():
                return
            if ": done" in line or "FAILED" in line:
                done["n"] += 1
            with contextlib.suppress(Exception):  # a closed browser tab must not stop the evaluation
                progress(min(done["n"] / len(suites), 0.99), desc=line.replace("[eval] ", "")[:120])

        log_event(log, "console.eval_started", suites=suites)
        with tempfile.TemporaryDirectory(prefix="privacybot-eval-") as scratch:
            env = dict(os.environ, PRIVACYBOT_HOME=str(settings.home),
                       PRIVACYBOT_DATABASE_URL=f"sqlite:///{Path(scratch) / 'scratch.sqlite3'}")
            t0 = datetime.now()
            code = (runner or run_subprocess)(eval_command(suites, out_dir), env, on_line)
        seconds = (datetime.now() - t0).total_seconds()
        metrics = out_dir / "metrics.json"
        if not metrics.is_file():
            log_event(log, "console.eval_failed", level=logging.ERROR, exit_code=code)
            return {**empty, "status": tr("console_eval_failed", lang, code=code)}
        report = json.loads(metrics.read_text(encoding="utf-8"))
        log_event(log, "console.eval_finished", suites=suites, seconds=round(seconds, 1))
        return {**summarise(report, out_dir), "files": report_files(out_dir),
                "status": _status(report, seconds, lang)}
    finally:
        _run_started = None
        _run_lock.release()

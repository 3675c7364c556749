"""`privacybot eval`: run registry suites (evals/registry.py) through the real pipeline and write
the report. Everything is validated first (thresholds, datasets, index), then suites run one by one
and metrics.json + report are rewritten after each, so an interrupted run keeps its partial
results and is marked INCOMPLETE. Optional suites whose dataset is absent are skipped with a note."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.errors import InputError, PrivacybotError
from bot.settings import Settings, load_settings
from evals import gates as gates_mod
from evals.context import EvalContext, kb_settings
from evals.provenance import header
from evals.redact import ReportRedactor
from evals.registry import resolve
from evals.report import write_report
from evals.results import SuiteResult

SCHEMA = 2
BLIND_KEEP = ("id", "lang", "why")  # what a blind suite's failure list shows
WORST = 15  # failures listed per suite (suites return all of theirs, worst first)


def resolve_suites(names) -> list[str]:
    return [s.name for s in resolve(names)]


def default_out_dir(settings: Settings) -> Path:
    base = settings.reports_dir / datetime.now().strftime("%Y%m%d-%H%M%S")
    out, i = base, 1
    while out.exists():
        i += 1
        out = base.with_name(f"{base.name}-{i}")
    return out


def load_report_baseline(path: Path) -> tuple[dict, str]:
    """({suite: {"metrics": ...}}, git commit) of an earlier report directory (`--baseline DIR`)."""
    metrics = Path(path) / "metrics.json"
    if not metrics.exists():
        raise InputError(f"Baseline {path} has no metrics.json. Pass a report directory written by `privacybot eval`.")
    try:
        data = json.loads(metrics.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"Baseline {metrics} is not valid JSON; pass another report directory.") from None
    return data.get("suites", {}), data.get("header", {}).get("git_commit", "unknown")


def _suite_entry(result: SuiteResult, gates: dict[str, list], base: dict | None) -> dict:
    """The suite's report entry: each metric with its gates' verdicts and its baseline delta; a
    gated metric the suite did not produce is added as missing (and fails)."""
    entry = {**result.to_dict(), "status": "ok", "error": None}
    for key in gates:
        entry["metrics"].setdefault(key, {"value": None, "ci": None, "n": None, "unit": "",
                                          "note": "not produced by this run"})
    for key, m in entry["metrics"].items():
        m["gates"] = [{"rule": g.rule, "gate": g.describe(), "passed": g.passes(m["value"])} for g in gates.get(key, [])]
        m["passed"] = all(g["passed"] for g in m["gates"]) if m["gates"] else None
        m["threshold"] = next((g.to_dict() for g in gates.get(key, []) if g.rule == "thresholds.toml"), None)
        m["baseline"] = (base or {}).get("metrics", {}).get(key, {}).get("value")
        m["delta"] = None if m["baseline"] is None or m["value"] is None else round(m["value"] - m["baseline"], 6)
    return entry


def _gate_summary(report: dict) -> dict:
    checks = [(False, f"[{name}] {e}") for name, suite in report["suites"].items() for e in suite.get("gate_errors", [])]
    checks += [(g["passed"], f"[{name}] {key} = {'missing' if m['value'] is None else format(m['value'], '.4g')}, "
                             f"gate {g['gate']} ({g['rule']})")
               for name, suite in report["suites"].items() for key, m in suite.get("metrics", {}).items()
               for g in m.get("gates", [])]
    return {"total": len(checks), "passed": sum(ok for ok, _ in checks), "failed": [msg for ok, msg in checks if not ok]}


def run_eval(suites: list[str] | str = "all", *, settings: Settings | None = None, kb: str | None = None,
             out_dir: Path | None = None, baseline_dir: Path | None = None, save_baseline: bool = False,
             thresholds_path: Path | None = None, progress: bool = True, context: EvalContext | None = None,
             log: Callable[[str], None] = lambda _msg: None) -> dict:
    """Run `suites` and write the report into `out_dir`. Returns the report dict (metrics.json).
    `save_baseline` writes each suite's metrics to evals/baselines/<suite>.json (ctx.baselines_dir).

    Raises: ConfigError (thresholds), DatasetError (bad dataset line), IndexMissingError (run
    `privacybot ingest`) before any suite runs; KeyboardInterrupt after writing the partial report."""
    selected = resolve(suites)
    settings = kb_settings(settings or load_settings(), kb)
    all_gates = gates_mod.load_thresholds(thresholds_path)
    report_base, report_commit = load_report_baseline(baseline_dir) if baseline_dir else (None, None)
    ctx = context or EvalContext(settings=settings, kb=settings.kb, progress=progress)

    # Fail fast, before any work: bad dataset lines, then a missing index.
    runnable = [s for s in selected if not s.absent(ctx)]
    for suite in runnable:
        suite.scoring.validate(ctx, suite)
    if any(s.needs_index for s in runnable):
        ctx.retriever(ctx.kb)

    out_dir = Path(out_dir) if out_dir else default_out_dir(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    redactor = ReportRedactor(guard_factory=ctx.guard)
    started, names = time.time(), [s.name for s in selected]
    report = {
        "schema": SCHEMA, "started_at": datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M:%S"),
        "duration_s": 0.0, "kb": ctx.kb, "complete": False, "suites_requested": names, "suites_done": [],
        "suites_missing": list(names), "errors": {},
        "header": header(list(dict.fromkeys(p for s in runnable for p in s.files(ctx)))),
        "baseline": {"path": str(baseline_dir), "git_commit": report_commit} if baseline_dir else None,
        "gates": {"total": 0, "passed": 0, "failed": []}, "suites": {},
        "layout": {s.name: {"title": s.title, "family": s.family, "column": s.column or s.name} for s in selected},
    }

    def flush(name: str | None = None, entry: dict | None = None) -> None:
        if entry is not None:
            report["suites"][name] = entry
            report["suites_done"].append(name)
            report["suites_missing"].remove(name)
        report.update(duration_s=round(time.time() - started, 3), complete=not report["suites_missing"])
        report["gates"] = _gate_summary(report)
        write_report(report, out_dir)

    flush()
    for suite in selected:
        name, t0 = suite.name, time.perf_counter()
        if suite not in runnable:
            log(f"[eval] {name}: skipped (no dataset yet)")
            flush(name, {"status": "skipped", "metrics": {}, "duration_s": 0.0, "error": None, "notes": [
                f"Skipped: {suite.path(ctx).name} is not in evals/datasets/ yet; add it to run this suite."]})
            continue
        log(f"[eval] {name}: running")
        gates = all_gates.get(name, gates_mod.SuiteGates())
        try:
            base, regression, gate_errors = gates_mod.regression_gates(suite, ctx, gates.no_regression)
            result = suite.scoring.run(ctx, suite)
        except KeyboardInterrupt:
            report["errors"][name] = "interrupted (Ctrl-C) while running this suite"
            flush()
            log(f"[eval] interrupted; partial report in {out_dir}")
            raise
        except Exception as exc:  # noqa: BLE001 - recorded in the report, the run goes on
            message = exc.message if isinstance(exc, PrivacybotError) else f"{type(exc).__name__}: {exc}"
            report["errors"][name] = redactor.text(message)
            flush()
            log(f"[eval] {name}: FAILED ({report['errors'][name]})")
            continue
        from evals.plots import render_suite

        classes = Counter(f.get("why", "") for f in result.failures).most_common()
        shown = result.failures[:WORST]
        result.failures = [{k: f[k] for k in BLIND_KEEP if k in f} for f in shown] if suite.blind \
            else redactor.deep(shown)
        result.notes, result.bench = redactor.deep(result.notes), redactor.deep(result.bench)
        result.plots = render_suite(name, result.series, out_dir)
        by_metric = {k: [g for g in (gates.fixed.get(k), regression.get(k)) if g] for k in {*gates.fixed, *regression}}
        entry = _suite_entry(result, by_metric, report_base.get(name) if report_base is not None else base)
        entry.update(duration_s=round(time.perf_counter() - t0, 3), gate_errors=gate_errors,
                     failure_classes=[[why, n] for why, n in classes])  # labels (`redact._KEEP`)
        if save_baseline:
            log(f"[eval] {name}: baseline saved to {gates_mod.write_baseline(suite, ctx, entry, report['header'])}")
        flush(name, entry)
        log(f"[eval] {name}: done in {time.perf_counter() - t0:.1f} s")
    report["out_dir"] = str(out_dir)
    return report

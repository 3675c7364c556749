"""`privacybot eval`: run the suites through the real pipeline and write the report.

Each suite is a module `evals/suite_<name>.py` exposing `datasets(ctx) -> list[Path]`,
`validate(ctx)` (reads its datasets, raising DatasetError on a bad line), `NEEDS_INDEX` and
`run(ctx) -> SuiteResult`. The runner validates everything first (thresholds, datasets,
index), then runs suites one by one and rewrites metrics.json + report after each, so an
interrupted run keeps its partial results and is marked INCOMPLETE."""

from __future__ import annotations

import importlib
import json
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.errors import InputError, PrivacybotError
from bot.settings import Settings, load_settings
from evals import gates as gates_mod
from evals.context import EvalContext, kb_settings
from evals.provenance import header
from evals.redact import ReportRedactor
from evals.report import write_report
from evals.results import SuiteResult

DEFAULT_SUITES = ("retrieval", "answers", "guard", "latency", "generic", "answers_holdout", "guard_blind")
ALL_SUITES = (*DEFAULT_SUITES, "load")
SCHEMA = 1


def resolve_suites(names: list[str] | tuple[str, ...] | str) -> list[str]:
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    out: list[str] = []
    for name in names or ["all"]:
        expanded = DEFAULT_SUITES if name == "all" else (name,)
        for n in expanded:
            if n not in ALL_SUITES:
                raise InputError(f"Unknown suite '{n}'. Use one of: {', '.join(ALL_SUITES)}, all.")
            if n not in out:
                out.append(n)
    return out


def suite_module(name: str):
    return importlib.import_module(f"evals.suite_{name}")


def default_out_dir(settings: Settings) -> Path:
    base = settings.reports_dir / datetime.now().strftime("%Y%m%d-%H%M%S")
    out, i = base, 1
    while out.exists():
        i += 1
        out = base.with_name(f"{base.name}-{i}")
    return out


def load_baseline(path: Path | None, settings: Settings, explicit: bool) -> tuple[dict | None, Path | None]:
    if path is None:
        path = settings.reports_dir / "baseline"
    metrics = Path(path) / "metrics.json"
    if not metrics.exists():
        if explicit:
            raise InputError(f"Baseline {path} has no metrics.json. Pass a report directory written by `privacybot eval`.")
        return None, None
    try:
        return json.loads(metrics.read_text(encoding="utf-8")), Path(path)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"Baseline {metrics} is not valid JSON; pass another report directory.") from None


def _baseline_value(baseline: dict | None, suite: str, key: str):
    try:
        return baseline["suites"][suite]["metrics"][key]["value"]
    except (KeyError, TypeError):
        return None


def _suite_entry(result: SuiteResult, duration: float, suite_gates: dict, baseline: dict | None) -> dict:
    entry = result.to_dict()
    entry.update(status="ok", duration_s=round(duration, 3), error=None)
    for key, metric in entry["metrics"].items():
        gate = suite_gates.get(key)
        metric["threshold"] = gate.to_dict() if gate else None
        metric["passed"] = gate.passes(metric["value"]) if gate else None
        base = _baseline_value(baseline, result.name, key)
        metric["baseline"] = base
        metric["delta"] = None if base is None or metric["value"] is None else round(metric["value"] - base, 6)
    missing = [k for k in suite_gates if k not in entry["metrics"]]
    for key in missing:  # a gated metric the suite did not produce fails (and says so)
        gate = suite_gates[key]
        entry["metrics"][key] = {
            "value": None, "ci": None, "n": None, "unit": "", "note": "not produced by this run",
            "threshold": gate.to_dict(), "passed": False,
            "baseline": _baseline_value(baseline, result.name, key), "delta": None,
        }
    return entry


def _gate_summary(report: dict) -> dict:
    total, passed, failed = 0, 0, []
    for name, suite in report["suites"].items():
        for key, m in suite.get("metrics", {}).items():
            if m.get("threshold") is None:
                continue
            total += 1
            if m["passed"]:
                passed += 1
            else:
                direction, bound = next(iter(m["threshold"].items()))
                shown = "missing" if m["value"] is None else f"{m['value']:.4g}"
                failed.append(f"[{name}] {key} = {shown}, gate {'≥' if direction == 'min' else '≤'} {bound:g}")
    return {"total": total, "passed": passed, "failed": failed}


def run_eval(
    suites: list[str] | str = "all",
    *,
    settings: Settings | None = None,
    kb: str | None = None,
    out_dir: Path | None = None,
    baseline_dir: Path | None = None,
    save_baseline: bool = False,
    thresholds_path: Path | None = None,
    progress: bool = True,
    context: EvalContext | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> dict:
    """Run `suites` and write the report into `out_dir`. Returns the report dict (metrics.json).

    Raises: ConfigError (thresholds), DatasetError (bad dataset line), IndexMissingError (run
    `privacybot ingest`) before any suite runs; KeyboardInterrupt after writing the partial
    report."""
    names = resolve_suites(suites)
    settings = kb_settings(settings or load_settings(), kb)
    kb = settings.kb
    all_gates = gates_mod.load_thresholds(thresholds_path)
    baseline, baseline_path = load_baseline(baseline_dir, settings, explicit=baseline_dir is not None)
    ctx = context or EvalContext(settings=settings, kb=kb, progress=progress)
    modules = {n: suite_module(n) for n in names}

    # Fail fast, before any work: bad dataset lines, then a missing index.
    datasets: list[Path] = []
    for mod in modules.values():
        mod.validate(ctx)
        datasets += [p for p in mod.datasets(ctx) if p not in datasets]
    if any(getattr(mod, "NEEDS_INDEX", False) for mod in modules.values()):
        ctx.retriever(kb)

    out_dir = Path(out_dir) if out_dir else default_out_dir(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    redactor = ReportRedactor(guard_factory=ctx.guard)
    started = time.time()
    report = {
        "schema": SCHEMA,
        "started_at": datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M:%S"),
        "duration_s": 0.0,
        "kb": kb,
        "complete": False,
        "suites_requested": names,
        "suites_done": [],
        "suites_missing": list(names),
        "errors": {},
        "header": header(datasets),
        "baseline": {"path": str(baseline_path), "git_commit": baseline.get("header", {}).get("git_commit", "unknown")}
        if baseline else None,
        "gates": {"total": 0, "passed": 0, "failed": []},
        "suites": {},
    }

    def flush() -> None:
        report["duration_s"] = round(time.time() - started, 3)
        report["complete"] = not report["suites_missing"]
        report["gates"] = _gate_summary(report)
        write_report(report, out_dir)

    flush()
    for name in names:
        t0 = time.perf_counter()
        log(f"[eval] {name}: running")
        try:
            result = modules[name].run(ctx)
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

        result.failures = redactor.deep(result.failures)
        result.notes = redactor.deep(result.notes)
        result.bench = {k: redactor.text(v) if isinstance(v, str) else v for k, v in result.bench.items()}
        result.plots = render_suite(name, result.series, out_dir)
        report["suites"][name] = _suite_entry(result, time.perf_counter() - t0, all_gates.get(name, {}), baseline)
        report["suites_done"].append(name)
        report["suites_missing"].remove(name)
        flush()
        log(f"[eval] {name}: done in {time.perf_counter() - t0:.1f} s")

    if save_baseline:
        target = settings.reports_dir / "baseline"
        if target.resolve() != out_dir.resolve():
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(out_dir, target)
            log(f"[eval] saved as baseline: {target}")
    report["out_dir"] = str(out_dir)
    return report

"""Latency suite: per-stage p50/p95/p99 over the answer set (warm engine; the answers suite's
own run is reused when both run), and cold start: a fresh Python process that builds the
engine and answers one question (imports + model loading + index loading + first answer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from evals import stats
from evals.results import Metric, SuiteResult
from evals.suite_answers import DATASET as ANSWERS_DATASET
from evals.suite_answers import ask_all

NEEDS_INDEX = True
STAGES = ("guard", "retrieve", "answer", "total")
COLD_TIMEOUT_S = 600
COLD_QUESTION = "How long do you keep my data?"  # fixed text, no personal data

_COLD_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from bot import offline  # noqa: F401
from bot.engine import Engine
from bot.settings import load_settings
engine = Engine(load_settings(kb=sys.argv[1]))
t1 = time.perf_counter()
answer = engine.ask(sys.argv[2], lang="en")
t2 = time.perf_counter()
print(json.dumps({"build_ms": (t1 - t0) * 1000, "first_answer_ms": (t2 - t1) * 1000, "kind": answer.kind}))
"""


def datasets(ctx) -> list[Path]:
    return [ctx.dataset("answers", ANSWERS_DATASET)]


def validate(ctx) -> None:
    from evals import suite_answers

    suite_answers.validate(ctx)


def _percentile_metric(values: list[float], q: float) -> Metric:
    import numpy as np

    ci = stats.bootstrap_ci(values, lambda xs: float(np.percentile(xs, q)), resamples=1000) if len(values) > 1 else None
    return Metric(stats.percentile(values, q), ci, len(values), unit="ms")


def cold_start(ctx) -> dict:
    """Run the engine build + first answer in a fresh subprocess; wall time measured outside."""
    env = dict(os.environ, PRIVACYBOT_HOME=str(ctx.settings.home))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _COLD_SCRIPT, ctx.kb, COLD_QUESTION],
        capture_output=True, text=True, timeout=COLD_TIMEOUT_S, env=env, cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"cold-start subprocess failed (exit {proc.returncode}): {last[:200]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["wall_s"] = wall
    return data


def run(ctx) -> SuiteResult:
    _theirs, rows, _answers, _cases = ask_all(ctx)
    result = SuiteResult("latency", datasets=[ctx.dataset("answers", ANSWERS_DATASET)])
    samples = {s: [float(r["timings"].get(s, 0.0)) for r in rows if s in r["timings"]] for s in STAGES}
    for stage, values in samples.items():
        if not values:
            continue
        for q in (50, 95, 99):
            result.metrics[f"{stage}_p{q}_ms"] = _percentile_metric(values, q)
    result.series["stage_histograms"] = {"type": "hist", "title": "Latency per stage over the answer set (warm)",
                                         "xlabel": "ms", "data": samples}
    cold = cold_start(ctx)
    result.metrics["cold_start_s"] = Metric(cold["wall_s"], None, 1, unit="s",
                                            note="fresh process: imports, models, index, first answer")
    result.metrics["cold_first_answer_ms"] = Metric(cold["first_answer_ms"], None, 1, unit="ms",
                                                    note="first ask() in that process (lazy model loading)")
    result.bench = {"cold.build_ms": round(cold["build_ms"], 1), "cold.first_answer_kind": cold["kind"],
                    "warm.cases": len(rows)}
    result.notes.append(f"Warm timings come from the answers run ({len(rows)} cases, timings_ms of each Answer); "
                        f"one sample per case, {os.cpu_count()} CPU(s). Single-run numbers: compare medians across runs.")
    return result

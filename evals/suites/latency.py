"""Latency benchmark, run the same way each time: a fresh Python process builds the engine
(`get_engine`), answers one fixed question (cold start), is warmed up, then asks every question of
the dev answer set once (`record=False`) and reports each answer's `timings_ms`. Answer latency
(the target: p50 <= 40 ms, p95 <= 80 ms) is `timings_ms.total` of the questions expecting an answer.

    python -m evals.suites.latency KB DATASET    # what the suite runs; prints one JSON line"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from evals.datasets import ANSWERS, load_jsonl
from evals.results import Metric, SuiteResult

METRICS = [r"(guard|embed|answer|total)_p(50|95|99)_ms", r"answer_latency_p(50|95)_ms", r"cold_start_s",
           r"cold_first_answer_ms"]
STAGES = ("guard", "embed", "answer", "total")  # the engine's timings_ms: guard, question embedding, the rest
TIMEOUT_S = 900
COLD_QUESTION = "How long do you keep my data?"  # fixed text, no personal data


def validate(ctx, suite) -> None:
    load_jsonl(suite.path(ctx), *ANSWERS)


def run(ctx, suite) -> SuiteResult:
    env = dict(os.environ, PRIVACYBOT_HOME=str(ctx.settings.home))
    started, load = time.time(), os.getloadavg()[0]
    proc = subprocess.run([sys.executable, "-m", "evals.suites.latency", ctx.kb, str(suite.path(ctx))],
                          capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"latency benchmark process failed (exit {proc.returncode}): {last[:300]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    result = summarize(data["samples"], suite.name)
    result.datasets = suite.files(ctx)
    result.metrics["cold_start_s"] = Metric(data["first_answer_at"] - started, None, 1, unit="s",
                                            note="process start to first answer: imports, models, index")
    result.metrics["cold_first_answer_ms"] = Metric(data["first_answer_ms"], None, 1, unit="ms",
                                                    note="first ask() in that process (lazy model loading)")
    result.bench = {"cold.build_ms": round(data["build_ms"], 1), "cold.first_answer_kind": data["first_kind"]}
    result.notes.append(f"One sample per question, {os.cpu_count()} CPU(s), load average {load:.1f} before and "
                        f"{os.getloadavg()[0]:.1f} after the run: on a busy machine the numbers say little; compare "
                        "runs on an idle one.")
    return result


def summarize(samples: list[dict], name: str) -> SuiteResult:
    """Percentiles per stage over every sample; answer latency over the samples expecting an answer."""
    data = {s: [x["timings"][s] for x in samples if s in x["timings"]] for s in STAGES}
    answers = [x["timings"]["total"] for x in samples if x["expected"] == "answer" and "total" in x["timings"]]
    metrics = {f"{stage}_p{q}_ms": Metric.percentile(values, q) for stage, values in data.items() for q in (50, 95, 99)}
    metrics |= {f"answer_latency_p{q}_ms": Metric.percentile(answers, q, note="timings_ms.total, questions expecting "
                                                                              "an answer") for q in (50, 95)}
    return SuiteResult(name, metrics={k: m for k, m in metrics.items() if m}, series={"stage_histograms": {
        "type": "hist", "title": "Latency per stage (warm)", "xlabel": "ms", "data": data}})


def bench(kb: str, dataset: str) -> dict:
    """What the fresh process does (see the module docstring)."""
    t0 = time.perf_counter()
    from bot.factory import get_engine
    from bot.settings import load_settings
    from evals.context import WARM_UP

    engine = get_engine(load_settings(), kb)
    t1 = time.perf_counter()
    first = engine.ask(COLD_QUESTION, lang="en", record=False)
    out = {"build_ms": (t1 - t0) * 1000, "first_answer_ms": (time.perf_counter() - t1) * 1000,
           "first_answer_at": time.time(), "first_kind": first.kind, "samples": []}
    for question, lang in WARM_UP:
        engine.ask(question, lang=lang, record=False)
    for case in load_jsonl(dataset, *ANSWERS):
        answer = engine.ask(case["question"], lang=case["lang"], record=False)
        out["samples"].append({"expected": case["kind"], "lang": case["lang"], "timings": answer.timings_ms})
    return out


if __name__ == "__main__":
    print(json.dumps(bench(*sys.argv[1:3])))

"""Load suite (only when asked: `privacybot eval --suite load`): the server engineer's
`evals/bench_load.py` (starts `privacybot serve`, concurrent EN/FR visitors). It exposes only
a CLI `main(argv)`, so it is called with `--json FILE` and its report file is read back."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

from evals.datasets_io import DATASETS_DIR, load_retrieval_set
from evals.results import Metric, SuiteResult, flatten

NEEDS_INDEX = True
VISITORS = 20
SECONDS = 30


def datasets(ctx) -> list[Path]:
    return [DATASETS_DIR / "dev_questions.jsonl"]


def validate(ctx) -> None:
    load_retrieval_set(DATASETS_DIR / "dev_questions.jsonl")


def run(ctx) -> SuiteResult:
    from evals import bench_load

    result = SuiteResult("load", datasets=datasets(ctx))
    with tempfile.TemporaryDirectory(prefix="pb-eval-load-") as tmp:
        out = Path(tmp) / "load.json"
        argv = ["--visitors", str(VISITORS), "--seconds", str(SECONDS), "--json", str(out)]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = bench_load.main(argv)
        if code != 0 or not out.exists():
            raise RuntimeError(f"bench_load exited with status {code} (is the index built? run `privacybot ingest`)")
        data = json.loads(out.read_text(encoding="utf-8"))
    lat = data.get("latency_ms", {})
    answers, errors = int(data.get("answers", 0)), int(data.get("errors", 0))
    m = result.metrics
    m["throughput_rps"] = Metric(float(data.get("answers_per_s", 0.0)), None, answers, unit="rps")
    for q in ("p50", "p95", "p99"):
        if q in lat:
            m[f"{q}_ms"] = Metric(float(lat[q]), None, answers, unit="ms")
    m["requests"] = Metric(float(answers + errors), None, None)
    m["errors"] = Metric(float(errors), None, None)
    m["error_rate"] = Metric(errors / (answers + errors) if answers + errors else 0.0, None, answers + errors)
    if "server_rss_mb" in data:
        m["rss_mb"] = Metric(float(data["server_rss_mb"].get("peak", 0.0)), None, None, unit="MB", note="peak, all server processes")
    result.bench = {k: v for k, v in flatten({k: v for k, v in data.items() if k != "targets_met"}).items()}
    result.notes.append(f"{VISITORS} visitors for {SECONDS} s; per-IP/session rate limits raised by bench_load "
                        "(every visitor comes from 127.0.0.1).")
    return result

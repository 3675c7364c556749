"""Load suite (only when asked: `privacybot eval --suite load`): `evals/bench_load.py` starts
`privacybot serve` with its own database and sends concurrent EN/FR visitors, each question new
to the server (`--unique`). Reported: throughput, latency percentiles, errors, and the exchanges
acknowledged to visitors but not stored (`lost`, which must be 0). It exposes only a CLI
`main(argv)`, so it is called with `--json FILE` and its report file is read back."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

from evals.datasets import DATASETS_DIR, RETRIEVAL, load_jsonl
from evals.results import Metric, SuiteResult, flatten

NEEDS_INDEX = True
VISITORS = 20
SECONDS = 30


def datasets(ctx) -> list[Path]:
    return [DATASETS_DIR / "dev_questions.jsonl"]


def validate(ctx) -> None:
    load_jsonl(DATASETS_DIR / "dev_questions.jsonl", *RETRIEVAL)


def run(ctx) -> SuiteResult:
    from evals import bench_load

    result = SuiteResult("load", datasets=datasets(ctx))
    with tempfile.TemporaryDirectory(prefix="pb-eval-load-") as tmp:
        out = Path(tmp) / "load.json"
        argv = ["--visitors", str(VISITORS), "--seconds", str(SECONDS), "--unique", "--json", str(out)]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = bench_load.main(argv)
        if code != 0 or not out.exists():
            raise RuntimeError(f"bench_load exited with status {code} (is the index built? run `privacybot ingest`)")
        data = json.loads(out.read_text(encoding="utf-8"))
    lat = data.get("latency_ms", {})
    answers, errors = int(data.get("answers", 0)), int(data.get("errors", 0))
    m = result.metrics
    m["throughput_rps"] = Metric(float(data.get("answers_per_s", 0.0)), None, answers, unit="rps", better="higher")
    for q in ("p50", "p95", "p99"):
        if q in lat:
            m[f"{q}_ms"] = Metric(float(lat[q]), None, answers, unit="ms", better="lower")
    m["requests"] = Metric(float(answers + errors), None, None)
    m["errors"] = Metric(float(errors), None, None, better="lower")
    m["error_rate"] = Metric(errors / (answers + errors) if answers + errors else 0.0, None, answers + errors,
                             better="lower")
    if data.get("lost") is not None:
        m["lost"] = Metric(float(data["lost"]), None, int(data.get("acknowledged", 0)), better="lower",
                           note="acknowledged to a visitor but not stored (target 0)")
    if data.get("server_peak"):
        m["rss_mb"] = Metric(float(data["server_peak"]["rss_mb"]), None, None, unit="MB", note="peak, all server processes")
    result.bench = dict(flatten({k: v for k, v in data.items() if k != "targets_met"}))
    result.notes.append(f"{VISITORS} visitors for {SECONDS} s, never-seen questions; per-IP/session rate limits raised "
                        "by bench_load (every visitor comes from 127.0.0.1).")
    return result

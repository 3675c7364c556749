"""Load benchmark of the HTTP API: N concurrent visitors asking mixed English/French questions.

    python -m evals.bench_load [--visitors 50] [--seconds 60] [--workers 1] [--engine-threads 4]
                               [--torch-threads 1] [--json OUT]

Starts `privacybot serve` in a subprocess on a free loopback port (127.0.0.1 only), waits for
/readyz and for every worker to finish loading (the server's CPU use settles), then simulates
visitors with asyncio + httpx in this process: each visitor asks a question from `evals/datasets/dev_questions.jsonl` (EN and FR), reads the answer, "thinks"
(uniform `--think` seconds), asks again in the same conversation, and starts a new
conversation every few questions. A share of requests use the SSE endpoint (read to `done`).

Reports throughput (answers/s), latency p50/p95/p99 (full response), errors by status/code,
the server's resident memory (all its processes, sampled every second, and per process at the
end) and the machine's load average before and after (the machine may be shared).

Rate limits: the server's per-IP and per-session limits would throttle visitors that all come
from 127.0.0.1, so this script writes a sites file with raised limits and says so in the report
(`limits_raised`). Nothing else is changed. Bounded: at most 500 visitors and 600 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot import offline  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evals" / "datasets" / "dev_questions.jsonl"
TARGETS = {"errors": 0, "p95_ms": 300.0, "answers_per_s": 30.0}
RAISED_LIMITS = {"per_ip": {"per_minute": 1_000_000, "burst": 100_000},
                 "per_session": {"per_minute": 1_000_000, "burst": 100_000}}
MAX_VISITORS, MAX_SECONDS = 500, 600


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [{"text": r["question"], "lang": r.get("lang", "en")} for r in rows if r.get("question")]
    if not questions:
        raise SystemExit(f"No questions in {path}.")
    return questions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def process_tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants (Linux /proc), in MB."""
    return sum(process_tree_rss_by_pid(pid).values())


def write_sites_file(directory: Path) -> Path:
    from ui.sites import DEFAULT_SITES_FILE

    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data.setdefault("limits", {}).update(RAISED_LIMITS)
    path = directory / "sites-bench.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def process_tree_rss_by_pid(pid: int) -> dict[int, float]:
    """RSS in MB of `pid` and each descendant (the serve parent and its workers)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = {k: v for k, _, v in (line.partition(":") for line in (entry / "status").read_text().splitlines())}
        except OSError:
            continue
        p = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(p)
        rss[p] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024.0 if "VmRSS" in fields else 0.0
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        if rss.get(p, 0.0) > 0:
            out[p] = round(rss[p], 1)
        todo.extend(children.get(p, []))
    return out


def process_tree_cpu_s(pid: int) -> float:
    """CPU seconds (user+system) used so far by `pid` and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in process_tree_rss_by_pid(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def wait_settled(pid: int, timeout_s: float = 120.0, idle_share: float = 0.15) -> float:
    """After /readyz: with several workers the others may still be loading (readiness is answered
    by whichever worker is up). Wait until the server's processes use < `idle_share` of one core
    over a second, so the measurement starts with every worker loaded."""
    start = time.perf_counter()
    last = process_tree_cpu_s(pid)
    while time.perf_counter() - start < timeout_s:
        time.sleep(1.0)
        now = process_tree_cpu_s(pid)
        if now - last < idle_share:
            break
        last = now
    return time.perf_counter() - start


def start_server(port: int, workers: int, threads: int, sites_file: Path, log_path: Path,
                 torch_threads: int = 1) -> subprocess.Popen:
    env = dict(os.environ, PRIVACYBOT_SITES_FILE=str(sites_file), PRIVACYBOT_LOG_LEVEL="WARNING")
    cmd = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--engine-threads", str(threads), "--torch-threads", str(torch_threads),
           "--no-console"]
    log = log_path.open("w")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(base: str, proc: subprocess.Popen, timeout_s: float, log_path: Path) -> float:
    import httpx

    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-800:]
            raise SystemExit(f"The server exited (code {proc.returncode}):\n{tail}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2.0).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"The server was not ready after {timeout_s:.0f} s (see {log_path}).")


async def visitor(client, base: str, questions: list[dict], rng: random.Random, deadline: float, think: tuple,
                  stream_share: float, results: dict) -> None:
    session_id, asked = None, 0
    await asyncio.sleep(rng.uniform(0, think[1]))  # visitors arrive spread out
    while time.perf_counter() < deadline:
        q = rng.choice(questions)
        payload = {"message": q["text"], "site": "demo"}
        if session_id:
            payload["session_id"] = session_id
        stream = rng.random() < stream_share
        start = time.perf_counter()
        try:
            if stream:
                ok, session_id, code = await _ask_stream(client, base, payload)
            else:
                resp = await client.post(f"{base}/api/chat", json=payload)
                ok = resp.status_code == 200
                body = resp.json()
                session_id = body.get("session_id") if ok else session_id
                code = f"{resp.status_code}:{body.get('error', {}).get('code', '')}" if not ok else ""
        except Exception as exc:  # network failure: count it, keep going
            ok, code = False, f"exception:{type(exc).__name__}"
        elapsed = (time.perf_counter() - start) * 1000
        if ok:
            results["latencies"].append(elapsed)
            results["stream" if stream else "json"].append(elapsed)
        else:
            results["error_latencies"].append(elapsed)
            results["errors"][code] = results["errors"].get(code, 0) + 1
        results["langs"][q["lang"]] = results["langs"].get(q["lang"], 0) + 1
        asked += 1
        if asked % rng.randint(3, 6) == 0:
            session_id = None  # a new visitor arrives
        await asyncio.sleep(rng.uniform(*think))


async def _ask_stream(client, base: str, payload: dict) -> tuple[bool, str | None, str]:
    session_id, done, error = payload.get("session_id"), False, ""
    async with client.stream("POST", f"{base}/api/chat/stream", json=payload) as resp:
        if resp.status_code != 200:
            body = json.loads(await resp.aread() or b"{}")
            return False, session_id, f"{resp.status_code}:{body.get('error', {}).get('code', '')}"
        event = None
        async for line in resp.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "meta":
                session_id = json.loads(line[5:]).get("session_id", session_id)
            elif line.startswith("data:") and event == "error":
                error = "sse:" + json.loads(line[5:]).get("code", "")
            elif event == "done":
                done = True
    return done and not error, session_id, error or ("" if done else "sse:no_done")


async def run_load(base: str, visitors: int, seconds: float, think: tuple, stream_share: float, seed: int,
                   server_pid: int) -> dict:
    import httpx

    questions = load_questions()
    results = {"latencies": [], "error_latencies": [], "json": [], "stream": [], "errors": {}, "langs": {}}
    rss_samples: list[float] = []
    limits = httpx.Limits(max_connections=visitors + 5, max_keepalive_connections=visitors + 5)
    start = time.perf_counter()
    deadline = start + seconds

    async def sample_rss():
        while time.perf_counter() < deadline:
            rss_samples.append(process_tree_rss_mb(server_pid))
            await asyncio.sleep(1.0)

    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
        tasks = [asyncio.create_task(visitor(client, base, questions, random.Random(seed + i), deadline, think,
                                             stream_share, results)) for i in range(visitors)]
        sampler = asyncio.create_task(sample_rss())
        await asyncio.gather(*tasks)
        await sampler
    elapsed = time.perf_counter() - start
    rss_samples.append(process_tree_rss_mb(server_pid))
    by_pid = process_tree_rss_by_pid(server_pid)
    lat = results["latencies"]
    n_err = sum(results["errors"].values())
    return {
        "duration_s": round(elapsed, 2),
        "answers": len(lat),
        "answers_per_s": round(len(lat) / elapsed, 2),
        "errors": n_err,
        "errors_by_code": results["errors"],
        "latency_ms": {k: round(v, 1) for k, v in {
            "p50": percentile(lat, 0.50), "p95": percentile(lat, 0.95), "p99": percentile(lat, 0.99),
            "mean": statistics.fmean(lat) if lat else float("nan"), "max": max(lat) if lat else float("nan"),
        }.items()},
        "latency_ms_json_p95": round(percentile(results["json"], 0.95), 1),
        "latency_ms_stream_p95": round(percentile(results["stream"], 0.95), 1),
        "questions_by_lang": results["langs"],
        "server_rss_mb": {"peak": round(max(rss_samples), 1), "end": round(rss_samples[-1], 1)},
        # the serve parent first, then its workers (with --workers 1 the parent is the worker)
        "server_rss_mb_by_process": [by_pid.get(server_pid, 0.0)]
        + sorted((v for p, v in by_pid.items() if p != server_pid), reverse=True),
    }


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", type=int, default=50, help="Concurrent visitors (≤ 500).")
    ap.add_argument("--seconds", type=float, default=60.0, help="Load duration (≤ 600).")
    ap.add_argument("--workers", type=int, default=1, help="Server worker processes.")
    ap.add_argument("--engine-threads", type=int, default=4, help="Engine threads per worker (serve option).")
    ap.add_argument("--torch-threads", type=int, default=1, help="Math-library threads per worker (serve option).")
    ap.add_argument("--think", type=float, nargs=2, default=(0.5, 2.0), metavar=("MIN", "MAX"),
                    help="Visitor think time between messages, seconds (uniform).")
    ap.add_argument("--stream-share", type=float, default=0.2, help="Share of requests on /api/chat/stream.")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ready-timeout", type=float, default=300.0)
    ap.add_argument("--json", dest="json_out", type=Path, help="Also write the report as JSON here.")
    args = ap.parse_args(argv)
    if not 1 <= args.visitors <= MAX_VISITORS or not 1 <= args.seconds <= MAX_SECONDS:
        ap.error(f"--visitors must be 1..{MAX_VISITORS} and --seconds 1..{MAX_SECONDS}")
    from bot.settings import get_settings

    settings = get_settings()
    if not settings.kb_dir().is_dir():
        print(f"No index under {settings.home}; run `privacybot ingest` first.", file=sys.stderr)
        return 3
    load_before = _loadavg()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        tmpdir = Path(tmp)
        sites_file = write_sites_file(tmpdir)
        log_path = tmpdir / "server.log"
        proc = start_server(port, args.workers, args.engine_threads, sites_file, log_path, args.torch_threads)
        try:
            ready_s = wait_ready(base, proc, args.ready_timeout, log_path)
            ready_s += wait_settled(proc.pid)
            idle_rss = process_tree_rss_mb(proc.pid)
            print(f"Server ready in {ready_s:.1f} s ({args.workers} worker(s), {idle_rss:.0f} MB); "
                  f"{args.visitors} visitors for {args.seconds:g} s…", file=sys.stderr)
            report = asyncio.run(run_load(base, args.visitors, args.seconds, tuple(args.think), args.stream_share,
                                          args.seed, proc.pid))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    report = {
        "benchmark": "bench_load",
        "visitors": args.visitors, "seconds": args.seconds, "workers": args.workers,
        "engine_threads": args.engine_threads, "torch_threads": args.torch_threads,
        "load_average_before": load_before, "load_average_after": _loadavg(),
        "think_s": list(args.think), "stream_share": args.stream_share, "cpus": os.cpu_count(),
        "limits_raised": RAISED_LIMITS,
        "server_ready_s": round(ready_s, 1), "server_rss_idle_mb": round(idle_rss, 1),
        **report,
        "targets": TARGETS,
    }
    report["targets_met"] = {
        "errors": report["errors"] == TARGETS["errors"],
        "p95_ms": report["latency_ms"]["p95"] <= TARGETS["p95_ms"],
        "answers_per_s": report["answers_per_s"] >= TARGETS["answers_per_s"],
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    print("Note: per-IP and per-session rate limits were raised for this run (all visitors share 127.0.0.1).",
          file=sys.stderr)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

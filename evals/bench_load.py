"""Load benchmark of the HTTP API: N concurrent visitors, and proof that nothing acknowledged is lost.

    python -m evals.bench_load [--visitors 30] [--seconds 60] [--no-think | --think MIN MAX] [--unique]
        [--workers 1] [--engine-threads 4] [--torch-threads 1] [--engine real|fake]
        [--database-url URL] [--via URL] [--stream-share 0.25] [--json OUT]

Without `--via` it starts `privacybot serve` (`--engine fake`: the same app on the test suite's
fake engine, tests/store_fixtures.py, to measure the server and store overhead alone) on a free
loopback port, with its own conversation database (a temporary SQLite file, or `--database-url`)
and key store, waits for /readyz and for the CPU to settle. With `--via URL` it sends traffic to
a running deployment (e.g. nginx in front of several processes, deploy/) and counts stored
exchanges in `--database-url`.

Each visitor (its own address in X-Forwarded-For, trusted from 127.0.0.1) asks, reads the answer,
thinks (`--think`, none with `--no-think`), continues the conversation with its token and starts a
new one every 3-6 questions; `--stream-share` of the requests use the SSE endpoint. `--unique`:
every question is new to the server (dev and PolicyQA questions combined with varied openings),
so no cache helps. Every acknowledged answer (200, without the "not saved" notice) is then looked
up in the database: `lost` counts acknowledged exchanges that are not stored (the target is 0).

Reports answers/s, latency p50/p95/p99 (full response), errors by code, acknowledged / told not
saved / stored / lost, PostgreSQL deadlocks during the run, server RSS and threads, load average.
Rate limits are raised for the run (all visitors come from one machine; `limits_raised`).
Bounded: at most 500 visitors and 600 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot import offline  # noqa: F401
from evals import stats
from evals.load_server import RAISED_LIMITS, free_port, process_tree, start_server, wait_ready, wait_settled

ROOT = Path(__file__).resolve().parent.parent
POLICYQA = ROOT.parent / "shared" / "data" / "policyqa"
MAX_VISITORS, MAX_SECONDS = 500, 600
OPENERS = {"en": ["", "Hi, ", "Hello! ", "Quick question: ", "Sorry to bother you, ", "Good morning. ",
                  "I was wondering: ", "Please tell me: ", "One more thing: ", "Hey, "],
           "fr": ["", "Bonjour, ", "Bonsoir ! ", "Petite question : ", "Excusez-moi, ", "Je me demandais : ",
                  "Dites-moi : ", "Autre chose : ", "Salut, ", "Question rapide : "]}
CLOSERS = {"en": ["", " Thanks.", " Thank you!", " Thanks in advance.", " Cheers."],
           "fr": ["", " Merci.", " Merci beaucoup !", " Merci d'avance.", " Bonne journée."]}


# ------------------------------------------------------------------------------ questions
def base_questions() -> list[dict]:
    from evals.datasets import DATASETS_DIR, RETRIEVAL, load_jsonl

    rows = load_jsonl(DATASETS_DIR / "dev_questions.jsonl", *RETRIEVAL)
    out = [{"text": r["question"], "lang": r["lang"]} for r in rows]
    for name in ("dev.json", "test.json"):
        path = POLICYQA / name
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))["data"]
            out += [{"text": qa["question"], "lang": "en"} for doc in data for p in doc["paragraphs"]
                    for qa in p["qas"]]
    seen, unique = set(), []
    for q in out:
        if q["text"] not in seen:
            seen.add(q["text"])
            unique.append(q)
    return unique


def question_stream(unique: bool, seed: int):
    """Questions forever: repeated from the base set, or (`unique`) each one never asked before."""
    rng = random.Random(seed)
    base = base_questions()
    if not unique:
        while True:
            yield rng.choice(base)
    combos = [(q, o, c) for q in base for o in range(len(OPENERS["en"])) for c in range(len(CLOSERS["en"]))]
    rng.shuffle(combos)
    for q, o, c in combos:
        text = q["text"]
        opener = OPENERS[q["lang"]][o]
        yield {"text": f"{opener}{text[:1].lower() if opener else text[:1]}{text[1:]}{CLOSERS[q['lang']][c]}",
               "lang": q["lang"]}
    raise SystemExit("Ran out of unique questions; use fewer --seconds or --visitors.")


def not_saved_notices() -> list[str]:
    from bot.catalogue import t

    return [t("logging_degraded", lang) for lang in ("en", "fr")] + ["could not be saved"]


# ------------------------------------------------------------------------------ server
async def visitor(i: int, client, base: str, questions, rng: random.Random, deadline: float, think: tuple,
                  stream_share: float, results: dict, notices: list[str]) -> None:
    auth: dict = {}
    headers = {"X-Forwarded-For": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"}
    asked = 0
    if think[1] > 0:
        await asyncio.sleep(rng.uniform(0, think[1]))
    while time.perf_counter() < deadline:
        q = next(questions)
        payload = {"message": q["text"], "site": "demo", **auth}
        stream = rng.random() < stream_share
        start = time.perf_counter()
        try:
            status, body = await (_ask_stream(client, base, payload, headers) if stream
                                  else _ask(client, base, payload, headers))
        except Exception as exc:  # network failure: count it, keep going
            status, body = f"exception:{type(exc).__name__}", {}
        elapsed = (time.perf_counter() - start) * 1000
        if body.get("session_id") and body.get("session_token"):
            auth = {"session_id": body["session_id"], "session_token": body["session_token"]}
        if status == 200:
            results["latencies"].append(elapsed)
            told = any(n in body.get("text", "") for n in notices)
            key = "told_not_saved" if told else "acknowledged"
            results[key].setdefault(body["session_id"], []).append(body.get("exchange_id"))
        else:
            code = f"{status}:{body.get('error', {}).get('code', body.get('code', ''))}"
            results["errors"][code] = results["errors"].get(code, 0) + 1
        results["langs"][q["lang"]] = results["langs"].get(q["lang"], 0) + 1
        asked += 1
        if asked % rng.randint(3, 6) == 0:
            auth = {}  # a new visitor arrives
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(*think))


async def _ask(client, base: str, payload: dict, headers: dict) -> tuple[int, dict]:
    resp = await client.post(f"{base}/api/chat", json=payload, headers=headers)
    try:
        return resp.status_code, resp.json()
    except ValueError:
        return resp.status_code, {}


async def _ask_stream(client, base: str, payload: dict, headers: dict) -> tuple[int | str, dict]:
    body: dict = {"text": ""}
    async with client.stream("POST", f"{base}/api/chat/stream", json=payload, headers=headers) as resp:
        if resp.status_code != 200:
            return resp.status_code, json.loads(await resp.aread() or b"{}")
        event = None
        async for line in resp.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = json.loads(line[5:])
                if event == "meta":
                    body.update(data)
                elif event == "token":
                    body["text"] += data["text"]
                elif event == "error":
                    return f"sse:{data.get('status')}", data
                elif event == "done":
                    return 200, body
    return "sse:no_done", body


async def run_load(base: str, args, server_pid: int | None) -> dict:
    import httpx

    think = (0.0, 0.0) if args.no_think else tuple(args.think)
    questions = question_stream(args.unique, args.seed)
    results = {"latencies": [], "errors": {}, "langs": {}, "acknowledged": {}, "told_not_saved": {}}
    samples: list[dict] = []
    notices = not_saved_notices()
    limits = httpx.Limits(max_connections=args.visitors + 5, max_keepalive_connections=args.visitors + 5)
    start = time.perf_counter()
    deadline = start + args.seconds

    async def sample():
        while time.perf_counter() < deadline:
            if server_pid:
                tree = process_tree(server_pid)
                samples.append({"rss_mb": sum(v["rss_mb"] for v in tree.values()),
                                "threads": sum(v["threads"] for v in tree.values())})
            await asyncio.sleep(1.0)

    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
        tasks = [asyncio.create_task(visitor(i, client, base, questions, random.Random(args.seed + i), deadline,
                                             think, args.stream_share, results, notices))
                 for i in range(args.visitors)]
        sampler = asyncio.create_task(sample())
        await asyncio.gather(*tasks)
        await sampler
    elapsed = time.perf_counter() - start
    lat = results["latencies"]
    out = {
        "duration_s": round(elapsed, 2),
        "answers": len(lat),
        "answers_per_s": round(len(lat) / elapsed, 2),
        "errors": sum(results["errors"].values()),
        "errors_by_code": results["errors"],
        "latency_ms": {f"p{q}": round(stats.percentile(lat, q), 1) for q in (50, 95, 99)},
        "questions_by_lang": results["langs"],
        "_acknowledged": results["acknowledged"],
        "_told": results["told_not_saved"],
    }
    if samples:
        out["server_peak"] = {"rss_mb": round(max(s["rss_mb"] for s in samples), 1),
                              "threads": max(s["threads"] for s in samples)}
    return out


# ------------------------------------------------------------------------------ accounting
def count_stored(database_url: str, sessions: list[str]) -> dict[str, int]:
    """Stored exchanges per session (the key store is not needed to count)."""
    from bot.store import ConversationStore

    with ConversationStore(database_url, keys="sqlite://") as store:
        return store.exchange_counts(sessions)


def pg_deadlocks(database_url: str) -> int | None:
    if not database_url.startswith("postgresql"):
        return None
    from sqlalchemy import create_engine, text

    from bot.store.db import parse_url

    engine = create_engine(parse_url(database_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT deadlocks FROM pg_stat_database WHERE datname = "
                                         "current_database()")).scalar_one())
    finally:
        engine.dispose()


def accounting(report: dict, database_url: str | None) -> dict:
    acked, told = report.pop("_acknowledged"), report.pop("_told")
    n_acked = sum(len(v) for v in acked.values())
    out = {"acknowledged": n_acked, "told_not_saved": sum(len(v) for v in told.values())}
    if database_url:
        stored = count_stored(database_url, sorted(set(acked) | set(told)))
        out["stored"] = sum(stored.values())
        out["lost"] = sum(max(0, len(ids) - stored.get(sid, 0)) for sid, ids in acked.items())
    else:
        out["stored"] = out["lost"] = None
    return out


def load_targets() -> dict:
    """The issue's targets for this benchmark, from the [load] table of evals/thresholds.toml."""
    import tomllib

    table = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))["load"]
    return {"errors": table["errors"]["max"], "lost": table["lost"]["max"], "p95_ms": table["p95_ms"]["max"],
            "answers_per_s": table["throughput_rps"]["min"]}


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", type=int, default=30, help="Concurrent visitors (≤ 500).")
    ap.add_argument("--seconds", type=float, default=60.0, help="Load duration (≤ 600).")
    ap.add_argument("--workers", type=int, default=1, help="Server worker processes (started by the bench).")
    ap.add_argument("--engine-threads", type=int, default=4, help="Engine threads per worker (serve option).")
    ap.add_argument("--torch-threads", type=int, default=1, help="Math-library threads per worker (serve option).")
    ap.add_argument("--engine", choices=("real", "fake"), default="real",
                    help="fake: the test suite's fake engine (server + store overhead alone).")
    ap.add_argument("--think", type=float, nargs=2, default=(0.5, 2.0), metavar=("MIN", "MAX"),
                    help="Visitor think time between messages, seconds (uniform).")
    ap.add_argument("--no-think", action="store_true", help="No think time (closed loop, peak rate).")
    ap.add_argument("--unique", action="store_true", help="Never-seen questions (no cache helps).")
    ap.add_argument("--stream-share", type=float, default=0.25, help="Share of requests on /api/chat/stream.")
    ap.add_argument("--database-url", help="The conversation database (default: a temporary SQLite file).")
    ap.add_argument("--via", help="Send traffic to this running deployment (e.g. nginx) instead of starting one.")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ready-timeout", type=float, default=300.0)
    ap.add_argument("--json", dest="json_out", type=Path, help="Also write the report as JSON here.")
    args = ap.parse_args(argv)
    if not 1 <= args.visitors <= MAX_VISITORS or not 1 <= args.seconds <= MAX_SECONDS:
        ap.error(f"--visitors must be 1..{MAX_VISITORS} and --seconds 1..{MAX_SECONDS}")
    from bot.settings import get_settings

    if args.engine == "real" and not args.via and not get_settings().kb_dir().is_dir():
        print(f"No index under {get_settings().home}; run `privacybot ingest` first.", file=sys.stderr)
        return 3
    load_before = _loadavg()
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        tmpdir = Path(tmp)
        if not args.via:
            args.database_url = args.database_url or f"sqlite:///{tmpdir / 'bench.sqlite3'}"
        deadlocks_before = pg_deadlocks(args.database_url) if args.database_url else None
        proc, log_path = None, tmpdir / "server.log"
        base = args.via.rstrip("/") if args.via else f"http://127.0.0.1:{free_port()}"
        if not args.via:
            proc = start_server(args, int(base.rsplit(":", 1)[1]), tmpdir, log_path)
        try:
            ready_s = wait_ready(base, proc, args.ready_timeout, log_path if proc else None)
            if proc:
                ready_s += wait_settled(proc.pid)
            idle = process_tree(proc.pid) if proc else {}
            cpu_before = sum(v["cpu_s"] for v in idle.values())
            print(f"Server ready in {ready_s:.1f} s; {args.visitors} visitors for {args.seconds:g} s…", file=sys.stderr)
            report = asyncio.run(run_load(base, args, proc.pid if proc else None))
            time.sleep(1.0)  # a timed-out answer may still be committing: count what the server kept
            report.update(accounting(report, args.database_url))
            after = process_tree(proc.pid) if proc else {}
            if proc and report["answers"]:
                spent = sum(v["cpu_s"] for v in after.values()) - cpu_before
                report["server_cpu_ms_per_answer"] = round(1000 * spent / report["answers"], 2)
        finally:
            if proc:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        if args.database_url and deadlocks_before is not None:
            report["deadlocks"] = pg_deadlocks(args.database_url) - deadlocks_before
    report = {
        "benchmark": "bench_load", "engine": args.engine, "via": args.via, "visitors": args.visitors,
        "seconds": args.seconds, "workers": args.workers, "engine_threads": args.engine_threads,
        "unique": args.unique, "think_s": [0, 0] if args.no_think else list(args.think),
        "stream_share": args.stream_share, "database": (args.database_url or "").split("://")[0] or None,
        "cpus": os.cpu_count(), "load_average_before": load_before, "load_average_after": _loadavg(),
        "limits_raised": RAISED_LIMITS, "server_ready_s": round(ready_s, 1),
        "server_idle": {"rss_mb": round(sum(v["rss_mb"] for v in idle.values()), 1),
                        "threads": sum(v["threads"] for v in idle.values())} if idle else None,
        "server_end": {"rss_mb": round(sum(v["rss_mb"] for v in after.values()), 1),
                       "threads": sum(v["threads"] for v in after.values())} if after else None,
        **report, "targets": (targets := load_targets()),
    }
    report["targets_met"] = {
        "errors": report["errors"] <= targets["errors"],
        "lost": report.get("lost") is not None and report["lost"] <= targets["lost"],
        "p95_ms": report["latency_ms"]["p95"] <= targets["p95_ms"],
        "answers_per_s": report["answers_per_s"] >= targets["answers_per_s"],
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())


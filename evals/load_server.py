"""The server a load benchmark runs against: a free loopback port, a sites file with raised limits,
`privacybot serve` (or the fake-engine app) started and waited for until ready and settled, and the
server's process tree (RSS, threads). Used by `evals.bench_load`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SITES_FILE = ROOT / "ui" / "sites.yaml"  # the default sites file, read as data
RAISED_LIMITS = {"per_ip": {"per_minute": 1_000_000, "burst": 100_000},
                 "per_session": {"per_minute": 1_000_000, "burst": 100_000}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_sites_file(directory: Path) -> Path:
    data = yaml.safe_load(SITES_FILE.read_text(encoding="utf-8"))
    data.setdefault("limits", {}).update(RAISED_LIMITS)
    data.setdefault("server", {})["trusted_proxies"] = ["127.0.0.1"]
    path = directory / "sites-bench.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def start_server(args, port: int, tmp: Path, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PRIVACYBOT_SITES_FILE=str(write_sites_file(tmp)), PRIVACYBOT_LOG_LEVEL="WARNING",
               PRIVACYBOT_DATABASE_URL=args.database_url, PRIVACYBOT_KEYSTORE_URL=f"sqlite:///{tmp / 'keys.sqlite3'}",
               PRIVACYBOT_EXPORTS_DIR=str(tmp / "exports"), PRIVACYBOT_SERVE_ENGINE_THREADS=str(args.engine_threads),
               PRIVACYBOT_SERVE_CONSOLE="0")
    if args.engine == "fake":
        cmd = [sys.executable, "-m", "uvicorn", "--factory", "tests.store_fixtures:fake_app_from_env",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers), "--no-access-log",
               "--no-proxy-headers"]
    else:
        cmd = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(args.workers), "--engine-threads", str(args.engine_threads),
               "--torch-threads", str(args.torch_threads), "--no-console"]
    log = log_path.open("w")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(base: str, proc: subprocess.Popen | None, timeout_s: float, log_path: Path | None) -> float:
    """Until /readyz says the models are loaded and the store answers (the index check is left
    out: the fake engine needs none)."""
    import httpx

    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if proc is not None and proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-800:] if log_path else ""
            raise SystemExit(f"The server exited (code {proc.returncode}):\n{tail}")
        try:
            checks = httpx.get(f"{base}/readyz", timeout=5.0).json()["checks"]
            if checks.get("models") and checks.get("store"):
                return time.perf_counter() - start
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"The server was not ready after {timeout_s:.0f} s (see {log_path}).")


def process_tree(pid: int) -> dict[int, dict]:
    """{pid: {"rss_mb", "threads", "cpu_s"}} for `pid` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    info: dict[int, dict] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        p = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(p)
        info[p] = {"rss_mb": int(fields.get("VmRSS", "0 kB").split()[0]) / 1024.0,
                   "threads": int(fields.get("Threads", "0").strip() or 0),
                   "cpu_s": (int(stat[11]) + int(stat[12])) / tick}
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        if p in info:
            out[p] = info[p]
        todo.extend(children.get(p, []))
    return out


def wait_settled(pid: int, timeout_s: float = 120.0, idle_share: float = 0.15) -> float:
    """With several workers the others may still be loading: wait until the server's processes
    use < `idle_share` of one core over a second."""
    start = time.perf_counter()
    last = sum(v["cpu_s"] for v in process_tree(pid).values())
    while time.perf_counter() - start < timeout_s:
        time.sleep(1.0)
        now = sum(v["cpu_s"] for v in process_tree(pid).values())
        if now - last < idle_share:
            break
        last = now
    return time.perf_counter() - start


# ------------------------------------------------------------------------------ visitors

"""A local multi-process deployment on loopback: PostgreSQL, N `privacybot serve` processes,
nginx in front (round robin), optionally a Chroma server. The recipe of docs/operations.md,
automated: the multi-process test, the fault tests and the load benchmark run it.

    python -m deploy.cluster up --processes 2 [--port 8080] [--chroma] [--database-url URL]
    python -m deploy.cluster down

    with Cluster(processes=2) as c:      # in Python
        c.url            # nginx, e.g. http://127.0.0.1:8080
        c.apps[0].url    # one process directly
        c.kill(0)        # SIGKILL one app process

Every process shares PRIVACYBOT_HOME (index, key store), PRIVACYBOT_DATABASE_URL (sessions,
tokens, conversation state, rate limits) and a sites file that trusts X-Forwarded-For from
127.0.0.1 (nginx). `app_cmd(port)` replaces the serve command (tests serve a fake engine).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from deploy.postgres import PgServer, find_bin, free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STATE = Path(tempfile.gettempdir()) / "privacybot-cluster.json"


def render(template: str, **values) -> str:
    """Fill the `${name}` placeholders of a template (nginx's own `$variables` are left alone)."""
    text = (HERE / "nginx" / template).read_text(encoding="utf-8")
    out = re.sub(r"\$\{(\w+)\}", lambda m: str(values[m.group(1)]), text)
    return out


def nginx_conf(prefix: Path, listen: int, ports: list[int], *, expose_upstream: bool = False,
               max_fails: int = 1) -> str:
    """`max_fails`: failed attempts before nginx rests an upstream for 10 s (0: never; tests that
    check round robin use it, so a connect timeout on a busy CI machine cannot skew the rotation)."""
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails={max_fails} fail_timeout=10s;" for p in ports)
    site = render("privacybot.conf.template", upstream_servers=servers, listen=f"127.0.0.1:{listen}",
                  server_name="localhost", access_log=str(prefix / "access.log"),
                  extra_location="        add_header X-Upstream $upstream_addr always;" if expose_upstream else "")
    return render("standalone.conf.template", prefix=str(prefix), site=site,
                  user_line="user root;" if os.geteuid() == 0 else "")


def write_sites(path: Path, limits: dict | None = None) -> Path:
    from ui.sites import DEFAULT_SITES_FILE

    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data.setdefault("server", {})["trusted_proxies"] = ["127.0.0.1"]
    if limits:
        data.setdefault("limits", {}).update(limits)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise RuntimeError("nginx is not installed: run scripts/setup-system.sh (Debian package 'nginx').")
    return found


def serve_cmd(port: int, engine_threads: int = 4) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--engine-threads", str(engine_threads), "--no-console"]


@dataclass
class App:
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


class Cluster:
    def __init__(self, processes: int = 2, *, port: int | None = None, home: Path | None = None,
                 database_url: str | None = None, app_cmd: Callable[[int], list[str]] = serve_cmd,
                 env: dict | None = None, limits: dict | None = None, chroma: bool = False,
                 expose_upstream: bool = False, root: Path | None = None, max_fails: int = 1):
        self._own_root = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="privacybot-cluster-"))
        self.root.chmod(0o755)  # the postgres user must reach its data directory below it
        self.n, self.port = processes, port or free_port()
        self.home = Path(home) if home else Path(os.environ.get("PRIVACYBOT_HOME", "var")).resolve()
        self.database_url, self.app_cmd, self.extra_env = database_url, app_cmd, dict(env or {})
        self.limits, self.chroma, self.expose_upstream = limits, chroma, expose_upstream
        self.max_fails = max_fails
        self.pg: PgServer | None = None
        self.apps: list[App] = []
        self.nginx: subprocess.Popen | None = None
        self.chroma_proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict:
        env = dict(os.environ, PRIVACYBOT_HOME=str(self.home), PRIVACYBOT_DATABASE_URL=self.database_url,
                   PRIVACYBOT_SITES_FILE=str(write_sites(self.root / "sites.yaml", self.limits)),
                   PRIVACYBOT_LOG_LEVEL=os.environ.get("PRIVACYBOT_LOG_LEVEL", "WARNING"))
        return {**env, **self.extra_env}

    def start(self, ready_timeout: float = 600.0) -> Cluster:
        """Start everything; on any failure, stop what was started and re-raise."""
        try:
            return self._start(ready_timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, ready_timeout: float) -> Cluster:
        if not self.database_url:
            bin_dir = find_bin()
            if bin_dir is None:
                raise RuntimeError("PostgreSQL binaries not found: run scripts/setup-system.sh or pass --database-url.")
            self.pg = PgServer(bin_dir, "privacybot", durable=True, root=self.root / "pg")
            self.database_url = self.pg.start()
        if self.chroma:
            self._start_chroma()
        env = self.env()
        for _ in range(self.n):
            self.start_app(env)
        self.wait_ready(ready_timeout)
        self._start_nginx()
        return self

    def start_app(self, env: dict | None = None) -> App:
        port = free_port()
        log = self.root / f"app-{port}.log"
        proc = subprocess.Popen(self.app_cmd(port), cwd=ROOT, env=env or self.env(), stdout=log.open("w"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        app = App(port, proc, log)
        self.apps.append(app)
        return app

    def wait_ready(self, timeout: float) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        for app in self.apps:
            while True:
                if not app.alive:
                    raise RuntimeError(f"app on port {app.port} exited:\n{app.log.read_text(errors='replace')[-1500:]}")
                try:
                    if httpx.get(f"{app.url}/readyz", timeout=3).json()["checks"].get("models"):
                        break
                except (httpx.HTTPError, ValueError, KeyError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"app on port {app.port} not ready after {timeout:.0f} s (see {app.log})")
                time.sleep(0.3)

    def _start_nginx(self) -> None:
        prefix = self.root / "nginx"
        for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / d).mkdir(parents=True, exist_ok=True)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(prefix, self.port, [a.port for a in self.apps],
                                   expose_upstream=self.expose_upstream, max_fails=self.max_fails), encoding="utf-8")
        self.nginx = subprocess.Popen([nginx_binary(), "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
                                      stdout=(prefix / "stdout.log").open("w"), stderr=subprocess.STDOUT,
                                      start_new_session=True)
        import httpx

        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{self.url}/healthz", timeout=2)
                return
            except httpx.HTTPError:
                if self.nginx.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start: " + (prefix / "error.log").read_text(errors="replace")
                                       if (prefix / "error.log").exists() else "nginx did not start") from None
                time.sleep(0.1)

    def _start_chroma(self) -> None:
        port = free_port()
        chroma = Path(sys.executable).with_name("chroma")
        self.chroma_proc = subprocess.Popen([str(chroma), "run", "--path", str(self.root / "chroma"), "--host",
                                             "127.0.0.1", "--port", str(port)],
                                            stdout=(self.root / "chroma.log").open("w"), stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.extra_env.setdefault("PRIVACYBOT_CHROMA_URL", f"http://127.0.0.1:{port}")

    def kill(self, i: int, sig: int = signal.SIGKILL) -> None:
        """Stop app process `i` abruptly (no shutdown: what a crash or OOM kill does)."""
        os.killpg(self.apps[i].proc.pid, sig)
        self.apps[i].proc.wait(30)

    def stop(self) -> None:
        for proc in ([self.nginx] if self.nginx else []) + [a.proc for a in self.apps] + \
                ([self.chroma_proc] if self.chroma_proc else []):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(proc.pid, signal.SIGKILL)
        if self.pg is not None:
            self.pg.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def describe(self) -> dict:
        return {"url": self.url, "database_url": self.database_url, "root": str(self.root),
                "apps": [{"port": a.port, "pid": a.proc.pid} for a in self.apps],
                "nginx_pid": self.nginx.pid if self.nginx else None,
                "pg_root": str(self.pg.root) if self.pg else None, "pg_bin": str(self.pg.bin) if self.pg else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="Start PostgreSQL, N app processes and nginx; print the URLs.")
    up.add_argument("--processes", type=int, default=2)
    up.add_argument("--port", type=int, help="nginx port (default: a free one)")
    up.add_argument("--database-url", help="An existing PostgreSQL database (default: start one)")
    up.add_argument("--chroma", action="store_true", help="Also start a Chroma server (PRIVACYBOT_CHROMA_URL)")
    up.add_argument("--engine-threads", type=int, default=4, help="Questions answered at once per process")
    up.add_argument("--bench-limits", action="store_true",
                    help="Raise the per-address and per-session rate limits (load benchmarks from one machine)")
    sub.add_parser("down", help="Stop what `up` started.")
    args = ap.parse_args(argv)
    if args.cmd == "up":
        limits = ({"per_ip": {"per_minute": 1_000_000, "burst": 100_000},
                   "per_session": {"per_minute": 1_000_000, "burst": 100_000}} if args.bench_limits else None)
        cluster = Cluster(args.processes, port=args.port, database_url=args.database_url, chroma=args.chroma,
                          limits=limits, app_cmd=lambda port: serve_cmd(port, args.engine_threads))
        cluster.start()
        STATE.write_text(json.dumps(cluster.describe()), encoding="utf-8")
        print(json.dumps(cluster.describe(), indent=2))
        return 0
    if not STATE.exists():
        print("No cluster is running (no state file).", file=sys.stderr)
        return 1
    state = json.loads(STATE.read_text(encoding="utf-8"))
    for pid in [state["nginx_pid"]] + [a["pid"] for a in state["apps"]]:
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
    if state.get("pg_root"):
        PgServer(Path(state["pg_bin"]), root=Path(state["pg_root"])).stop()
    shutil.rmtree(state["root"], ignore_errors=True)
    STATE.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())

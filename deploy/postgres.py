"""A throwaway local PostgreSQL server (Debian's postgresql binaries): initdb in a directory,
start on a free loopback port, create a database, stop. Used by the test suite, the fault tests
(freeze/thaw = SIGSTOP/SIGCONT of every server process, restart) and `deploy/cluster.py`.

    pg = PgServer(find_bin(), durable=True)
    url = pg.start()          # postgresql+psycopg://postgres@127.0.0.1:PORT/privacybot
    pg.freeze(); pg.thaw(); pg.restart(); pg.stop()

Run as root, the server runs as the `postgres` user (runuser). `durable=False` turns fsync off
(fast tests); `durable=True` keeps PostgreSQL's defaults (fsync, full-page writes), as in
production, which the erasure test needs to look at real WAL.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def find_bin() -> Path | None:
    """The directory holding initdb and pg_ctl (PG_BIN, Debian's layout, or PATH)."""
    explicit = os.environ.get("PG_BIN")
    candidates = [explicit] if explicit else sorted(glob.glob(PG_BIN_GLOB), reverse=True)
    if not explicit and shutil.which("initdb") and shutil.which("pg_ctl"):
        candidates.append(str(Path(shutil.which("initdb")).parent))
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-c", " ".join(cmd)]


class PgServer:
    """A throwaway PostgreSQL cluster. `start()` returns the SQLAlchemy URL."""

    def __init__(self, bin_dir: Path, dbname: str = "privacybot_test", *, durable: bool = False,
                 root: Path | None = None):
        self.bin = bin_dir
        self.dbname = dbname
        self.durable = durable
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="privacybot-pg-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.data = self.root / "data"
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.dbname}"

    def _run(self, *cmd: str, timeout: float = 60) -> None:
        proc = subprocess.run(as_postgres(list(cmd)), capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{Path(cmd[0]).name} failed ({proc.returncode}): {proc.stderr.strip()[-1500:]}\n{tail}")

    def _options(self) -> str:
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        return opts

    def _pg_ctl_start(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", self._options(), "-l",
                  str(self.root / "server.log"), "-w", "-t", "60", "start", timeout=90)

    def start(self) -> str:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", *([] if self.durable else ["--no-sync"]))
        self._pg_ctl_start()
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                                     autocommit=True, connect_timeout=3) as conn:
                    conn.execute(f'CREATE DATABASE "{self.dbname}"')
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        return self.url

    def pids(self) -> list[int]:
        """The postmaster and every backend/auxiliary process it started."""
        pidfile = self.data / "postmaster.pid"
        if not pidfile.exists():
            return []
        master = int(pidfile.read_text().split()[0])
        out = [master]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                if ppid == master:
                    out.append(int(entry.name))
        return out

    def freeze(self) -> None:
        """SIGSTOP every server process: connections stay open, nothing answers."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def _signal(self, sig: int) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):  # a backend that just exited
                os.kill(pid, sig)

    def restart(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=60)
        self._pg_ctl_start()

    def sql(self, statement: str) -> list[tuple]:
        """Run one statement as the superuser (autocommit: VACUUM, CHECKPOINT...)."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname={self.dbname}",
                             autocommit=True, connect_timeout=5) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def stop(self, *, remove: bool = True) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.thaw()
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=60)
        finally:
            if remove:
                shutil.rmtree(self.root, ignore_errors=True)

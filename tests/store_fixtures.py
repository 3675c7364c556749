"""Store fixtures (registered in tests/conftest.py), usable by every area:

- `store`: a ConversationStore on a fresh SQLite file under the test's PRIVACYBOT_HOME.
- `pg_url` (session-scoped): URL of a throwaway PostgreSQL server started for the test run
  (initdb in a tmp dir, run as the `postgres` user when we are root, free local port, unix
  socket in the tmp dir), stopped at the end. `PRIVACYBOT_TEST_PG_URL` uses an existing server
  instead. Binaries absent: skipped with a clear message, or a failure when `CI` is set.
- `pg_store`: a ConversationStore on that server, with all tables dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def _pg_bin() -> Path | None:
    explicit = os.environ.get("PG_BIN")
    candidates = [explicit] if explicit else sorted(glob.glob(PG_BIN_GLOB), reverse=True)
    if not explicit and shutil.which("initdb") and shutil.which("pg_ctl"):
        candidates.append(str(Path(shutil.which("initdb")).parent))
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-c", " ".join(cmd)]


class PgServer:
    """A throwaway PostgreSQL cluster. `start()` returns the SQLAlchemy URL."""

    def __init__(self, bin_dir: Path, dbname: str = "privacybot_test"):
        self.bin = bin_dir
        self.dbname = dbname
        self.root = Path(tempfile.mkdtemp(prefix="privacybot-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()

    def _run(self, *cmd: str, timeout: float = 60) -> None:
        proc = subprocess.run(_as_postgres(list(cmd)), capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{Path(cmd[0]).name} failed ({proc.returncode}): {proc.stderr.strip()[-1500:]}\n{tail}")

    def start(self) -> str:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "start", timeout=90)
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
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.dbname}"

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=60)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url():
    """URL of a real PostgreSQL database for this test run (see module doc)."""
    existing = os.environ.get("PRIVACYBOT_TEST_PG_URL")
    if existing:
        yield existing
        return
    bin_dir = _pg_bin()
    if bin_dir is None:
        message = ("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian 'postgresql' "
                   "(scripts/setup-system.sh), set PG_BIN, or set PRIVACYBOT_TEST_PG_URL.")
        if os.environ.get("CI"):
            pytest.fail(message + " CI is set, so this is a failure, not a skip.")
        pytest.skip(message)
    server = PgServer(bin_dir)
    try:
        url = server.start()
    except Exception:
        server.stop()
        raise
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def store(privacybot_home):
    """A ConversationStore on a fresh SQLite database under PRIVACYBOT_HOME."""
    from bot.store import ConversationStore

    s = ConversationStore(f"sqlite:///{privacybot_home / 'conversations.sqlite3'}", lock_timeout_s=1.0)
    yield s
    s.close()


@pytest.fixture
def pg_store(pg_url):
    """A ConversationStore on the test PostgreSQL server; tables dropped afterwards."""
    from sqlalchemy import create_engine

    from bot.store import ConversationStore, models

    s = ConversationStore(pg_url, lock_timeout_s=2.0)
    yield s
    s.close()
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        models.metadata.drop_all(conn)
    engine.dispose()

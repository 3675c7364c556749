"""`privacybot serve`: clear error without an index; with one, the real server starts, prints
its URLs, answers, and its logs carry method/path/status only (no text, no query string)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.cli import main
from tests.ui.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restore_logging():
    """`serve` configures logging on the (captured) stderr; put the root handlers back after."""
    import logging

    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_without_an_index_says_run_ingest(capsys, restore_logging, workers):
    """One process loads the models, several only check the indexes first: same clear error."""
    code = main(["serve", "--port", str(free_port()), "--no-console", "--workers", workers])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("Error: ") and "privacybot ingest" in err and "Traceback" not in err


def test_multi_worker_parent_accepts_a_built_index(fake_kb):
    """The parent of `serve --workers N` checks every index without loading a model."""
    from ui.commands import _check_indexes

    settings, _ = fake_kb
    _check_indexes(settings, [settings.kb])


@pytest.mark.slow
def test_serve_starts_prints_urls_and_logs_no_text(kb_home, tmp_path):
    port = free_port()
    env = dict(os.environ, PRIVACYBOT_HOME=str(kb_home), PRIVACYBOT_LOG_LEVEL="INFO",
               PRIVACYBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'conv.sqlite3'}")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--no-console"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        r = httpx.post(f"{base}/api/chat?q=secret-query-99",
                       json={"message": "I have diabetes, my email is claire.durand@example.org. Who is the DPO?"},
                       timeout=60)
        assert r.status_code == 200 and r.json()["guard"]["notice"]
        assert httpx.get(f"{base}/demo").status_code == 200
        assert httpx.get(f"{base}/api/sessions/unknownsession123").status_code == 404
        time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    output = log.read_text()
    for line in (f"{base}/demo", f"{base}/api", f"{base}/widget.js", "Console"):
        assert line in output
    assert "http method=POST path=/api/chat status=200" in output
    assert "path=/api/sessions/:session_id status=404" in output  # route template, not the id
    for secret in ("claire", "diabetes", "secret-query-99", "unknownsession123", "127.0.0.1:"
                   + str(port) + " -"):
        assert secret not in output

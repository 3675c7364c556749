"""Deployment fixtures: a real loopback cluster (PostgreSQL, N app processes, nginx) from
deploy/cluster.py. The app processes serve the fake engine unless a test asks for the real one."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from deploy.postgres import find_bin


def fake_app_cmd(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--factory", "tests.store_fixtures:fake_app_from_env", "--host",
            "127.0.0.1", "--port", str(port), "--no-access-log", "--no-proxy-headers", "--timeout-graceful-shutdown",
            "3"]


def require_deploy_tools() -> None:
    has_nginx = shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")
    missing = [name for name, ok in (("nginx", has_nginx), ("PostgreSQL", find_bin())) if not ok]
    if missing:
        message = f"{' and '.join(missing)} not installed: run scripts/setup-system.sh."
        if os.environ.get("CI"):
            pytest.fail(message + " CI is set, so this is a failure, not a skip.")
        pytest.skip(message)


@pytest.fixture(scope="module")
def cluster_home(tmp_path_factory):
    return tmp_path_factory.mktemp("cluster-home")


def converse_headers(ip: str) -> dict:
    """Through nginx: X-Forwarded-For names the visitor (the app trusts it from 127.0.0.1)."""
    return {"X-Forwarded-For": ip}

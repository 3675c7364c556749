"""The fake models and the fake index, built once per machine while their inputs are unchanged.

Each pytest-xdist worker needs the classifiers trained on the hash embedder and the OMNES policy
indexed with it (about 20 s of CPU per worker). They depend only on the files listed in `INPUTS`
and on the numeric packages' versions, so they are kept under `.pytest_cache/privacybot-fakes/`
keyed by a hash of all of that: a change to any input builds them again; a fresh clone (CI) always
builds them. `PRIVACYBOT_TEST_CACHE=off` builds them in the test's temp dir every time;
`PRIVACYBOT_TEST_CACHE=DIR` keeps them elsewhere."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("knowledge", "bot/training", "bot/settings.py", "tests/fakes.py", "tests/kb_fixtures.py",
          "tests/fake_cache.py")
PACKAGES = ("numpy", "scipy", "scikit-learn", "chromadb", "bm25s")
DONE = ".complete"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """sha256 over every input file (path and bytes) and the packages' versions."""
    h = hashlib.sha256()
    for rel in INPUTS:
        top = ROOT / rel
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file()
                                                  and "__pycache__" not in p.parts)
        for path in files:
            h.update(path.relative_to(ROOT).as_posix().encode())
            h.update(path.read_bytes())
    for pkg in PACKAGES:
        try:
            h.update(f"{pkg}=={version(pkg)}".encode())
        except PackageNotFoundError:
            h.update(f"{pkg} missing".encode())
    h.update(sys.version.encode())
    return h.hexdigest()[:20]


def cached(kind: str, build: Callable[[Path], None], fallback: Path) -> Path:
    """The directory holding `kind`, built by `build(dir)` unless an identical build is cached.
    Concurrent workers may both build on a cold cache: the first complete one is kept."""
    setting = os.environ.get("PRIVACYBOT_TEST_CACHE", "")
    if setting == "off":
        build(fallback)
        return fallback
    root = Path(setting) if setting else ROOT / ".pytest_cache" / "privacybot-fakes"
    target = root / f"{kind}-{fingerprint()}"
    if (target / DONE).exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{kind}-", dir=root))
    try:
        build(work)
        (work / DONE).touch()
        if target.exists() and not (target / DONE).exists():
            shutil.rmtree(target, ignore_errors=True)  # never completed (builds complete before the rename)
        with contextlib.suppress(OSError):  # another worker finished first: use its build
            work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for old in root.glob(f"{kind}-*"):  # builds of older inputs
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return target

"""Staff exports (CSV/JSON of conversations) live in one private directory (0700, files 0600),
never in a world-readable temp directory. Each export is listed with the sessions it contains
(hashed ids), so erasing a session deletes every export holding it, together with every copy of
that file under the directory (point Gradio's cache there: `GRADIO_TEMP_DIR=<dir>/tmp`), and
retention deletes exports older than a day.

    path = store.exports.write(session_ids, csv_text, suffix=".csv")   # hand `path` to the UI
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterable
from pathlib import Path

_INDEX = ".index"


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:32]


class ExportDir:
    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def temp_dir(self) -> Path:
        """A private directory for tools that copy the exports they serve (Gradio's cache)."""
        return self._ensure() / "tmp"

    def _ensure(self) -> Path:
        for d in (self.root, self.root / _INDEX, self.root / "tmp"):
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.root

    def write(self, session_ids: Iterable[str], data: bytes | str, *, suffix: str = ".csv",
              stem: str = "conversations") -> Path:
        """Write one export (owner-only) and list the sessions it holds."""
        root = self._ensure()
        name = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(4)}{suffix}"
        path = root / name
        blob = data.encode("utf-8") if isinstance(data, str) else data
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        index = root / _INDEX / f"{name}.json"
        index.write_text(json.dumps({"sessions": sorted({_hash(s) for s in session_ids})}), encoding="utf-8")
        os.chmod(index, 0o600)
        return path

    def _entries(self):
        index_dir = self.root / _INDEX
        if not index_dir.is_dir():
            return
        for entry in index_dir.glob("*.json"):
            try:
                hashes = set(json.loads(entry.read_text(encoding="utf-8")).get("sessions", []))
            except (OSError, ValueError):
                hashes = set()
            yield entry, entry.name[: -len(".json")], hashes

    def _remove(self, entry: Path, name: str) -> int:
        n = 0
        for copy in self.root.rglob(name):
            if copy.is_file() and _INDEX not in copy.parts:
                copy.unlink(missing_ok=True)
                n += 1
        entry.unlink(missing_ok=True)
        return n

    def forget(self, session_ids: Iterable[str]) -> int:
        """Delete every export (and copy of it) that holds one of these sessions."""
        wanted = {_hash(s) for s in session_ids}
        return sum(self._remove(entry, name) for entry, name, hashes in list(self._entries()) if hashes & wanted)

    def expire(self, max_age_s: float) -> int:
        """Delete exports older than `max_age_s`, and any other file under the directory too."""
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - max_age_s
        n = 0
        for entry, name, _ in list(self._entries()):
            if entry.stat().st_mtime < cutoff:
                n += self._remove(entry, name)
        for path in sorted(self.root.rglob("*"), reverse=True):
            try:
                if path.is_file() and _INDEX not in path.parts and path.stat().st_mtime < cutoff:
                    path.unlink()
                    n += 1
                elif path.is_dir() and path.parent != self.root and not any(path.iterdir()):
                    path.rmdir()
            except OSError:
                continue
        return n

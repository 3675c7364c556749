"""On-disk layout of a knowledge base and its loading/verification.

    <home>/kb/<kb>            symlink → .builds/<kb>-<stamp>/ (swapped atomically by ingest)
    <home>/kb/.builds/<kb>-<stamp>/manifest.json   content hash, models, parser, chunk count
                                  /source.txt      the text that chunk offsets index
                                  /chroma/         Chroma: collection per embedding model
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.errors import IndexCorruptError, IndexMissingError
from knowledge.types import Chunk

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
COLLECTIONS = {"minilm": "chunks_minilm", "e5": "chunks_e5"}


@dataclass(frozen=True)
class LoadedIndex:
    kb: str
    path: Path  # resolved build dir
    manifest: dict
    chunks: list[Chunk]
    context: dict[str, str]  # section_id -> part title
    embeddings: dict[str, np.ndarray]  # model -> (n, dim), rows in chunk order


def ingest_hint(kb: str, default_kb: str) -> str:
    return "privacybot ingest" if kb == default_kb else f"privacybot ingest --kb {kb} --source FILE"


def chroma_client(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def read_manifest(build: Path, kb: str) -> dict:
    fix = f"run `privacybot ingest --kb {kb}` to rebuild"
    try:
        manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"Index for '{kb}' has no manifest (half-written or damaged); {fix}.") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise IndexCorruptError(f"Index manifest for '{kb}' is unreadable; {fix}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexCorruptError(f"Index for '{kb}' has an unknown format; {fix}.")
    return manifest


def _check_sqlite(build: Path, kb: str) -> None:
    fix = f"run `privacybot ingest --kb {kb}` to rebuild"
    db = build / "chroma" / "chroma.sqlite3"
    if not db.is_file() or db.stat().st_size == 0:
        raise IndexCorruptError(f"Index database for '{kb}' is missing; {fix}.")
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        ok = None
    if not ok or ok[0] != "ok":
        raise IndexCorruptError(f"Index database for '{kb}' is corrupt (truncated or damaged); {fix}.")


def resolve_build(kb_dir: Path, kb: str, default_kb: str) -> Path:
    if not kb_dir.exists() and not kb_dir.is_symlink():
        raise IndexMissingError(f"No knowledge base '{kb}' has been built; run `{ingest_hint(kb, default_kb)}` first.")
    build = kb_dir.resolve()
    if not build.is_dir():
        raise IndexCorruptError(f"Index for '{kb}' points to a missing build; run `privacybot ingest --kb {kb}` to rebuild.")
    return build


def verify(build: Path, kb: str) -> dict:
    """Cheap integrity check (manifest + sqlite). Returns the manifest."""
    manifest = read_manifest(build, kb)
    _check_sqlite(build, kb)
    return manifest


def load(kb_dir: Path, kb: str, default_kb: str) -> LoadedIndex:
    build = resolve_build(kb_dir, kb, default_kb)
    manifest = verify(build, kb)
    fix = f"run `privacybot ingest --kb {kb}` to rebuild"
    try:
        client = chroma_client(build / "chroma")
        embeddings: dict[str, np.ndarray] = {}
        chunks: list[Chunk] | None = None
        context: dict[str, str] = {}
        for model in manifest["models"]:
            got = client.get_collection(COLLECTIONS[model]).get(include=["embeddings", "documents", "metadatas"])
            order = sorted(range(len(got["ids"])), key=lambda i: got["metadatas"][i]["order"])
            embeddings[model] = np.asarray([got["embeddings"][i] for i in order], dtype=np.float32)
            if chunks is None:
                chunks = []
                for i in order:
                    m = got["metadatas"][i]
                    chunks.append(Chunk(chunk_id=got["ids"][i], kb=kb, section_id=m["section_id"],
                                        audience=m["audience"], section=m["section"], heading=m["heading"],
                                        text=got["documents"][i], start=int(m["start"]), end=int(m["end"])))
                    context.setdefault(m["section_id"], m.get("context", ""))
    except IndexCorruptError:
        raise
    except Exception as exc:  # chroma raises many types on a damaged store
        raise IndexCorruptError(f"Index for '{kb}' cannot be read ({exc.__class__.__name__}); {fix}.") from None
    if not chunks or len(chunks) != manifest.get("chunks") or any(
        len(v) != len(chunks) for v in embeddings.values()
    ):
        raise IndexCorruptError(f"Index for '{kb}' is incomplete (chunk count differs from its manifest); {fix}.")
    return LoadedIndex(kb=kb, path=build, manifest=manifest, chunks=chunks, context=context, embeddings=embeddings)

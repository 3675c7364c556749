"""`ingest()`: parse → chunk → embed → write a Chroma index under `settings.kb_dir(kb)`.

Idempotent: a manifest (content hash, parser, chunker, models) decides whether anything needs
doing. A build is written to a fresh directory and then swapped in by replacing a symlink
(`os.replace`, atomic), so readers never see a half-written index."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from bot import offline  # noqa: F401
from bot.errors import IndexCorruptError, InputError, PrivacybotError
from bot.settings import Settings, get_settings
from knowledge import chunking, embedders, store
from knowledge.parsing import parse
from knowledge.sources import DEFAULT_SOURCE, load_source

MODELS = ("minilm", "e5")
_KB_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{2,62}$")


@dataclass(frozen=True)
class IngestReport:
    kb: str
    chunks: int
    rebuilt: bool
    seconds: float
    manifest: Path
    parser: str = ""


def embed_text(heading: str, text: str, context: str) -> str:
    """What the dense models see: the part title and heading give a chunk its audience."""
    return "\n".join(p for p in (context, heading, text) if p)


def kb_name_for(source: Path | None, kb: str | None, settings: Settings) -> str:
    if kb:
        name = kb
    elif source is None or Path(source).resolve() == DEFAULT_SOURCE.resolve():
        name = settings.kb
    else:
        name = re.sub(r"[^a-z0-9_-]+", "-", Path(source).stem.lower()).strip("-_")
        name = name if len(name) >= 3 else f"kb-{name}".rstrip("-")
    if not _KB_NAME.match(name):
        raise InputError(
            f"Invalid knowledge base name '{name}': use 3-63 lower-case letters, digits, '-' or '_' (e.g. --kb my-school)."
        )
    return name


@contextlib.contextmanager
def _lock(root: Path, kb: str):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{kb}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _up_to_date(kb_dir: Path, kb: str, wanted: dict) -> dict | None:
    if not kb_dir.is_symlink() and not kb_dir.exists():
        return None
    try:
        build = kb_dir.resolve()
        manifest = store.verify(build, kb)
    except PrivacybotError:
        return None
    keys = ("format", "content_sha256", "parser", "chunker", "models")
    return manifest if all(manifest.get(k) == wanted.get(k) for k in keys) else None


def _build(build: Path, kb: str, source_text: str, chunks, context: dict[str, str], manifest: dict, progress: bool) -> None:
    from tqdm import tqdm

    build.mkdir(parents=True)
    (build / "source.txt").write_text(source_text, encoding="utf-8", newline="")
    texts = [embed_text(c.heading, c.text, context.get(c.section_id, "")) for c in chunks]
    client = store.chroma_client(build / "chroma")
    batch = 32
    total = len(chunks) * len(MODELS)
    with tqdm(total=total, desc=f"Embedding {kb}", unit="chunk", disable=not progress, leave=False) as bar:
        for model in MODELS:
            col = client.create_collection(store.COLLECTIONS[model], metadata={"hnsw:space": "cosine"})
            for i in range(0, len(chunks), batch):
                part = chunks[i:i + batch]
                vecs = embedders.embed_documents(model, texts[i:i + batch])
                col.add(
                    ids=[c.chunk_id for c in part],
                    embeddings=vecs.tolist(),
                    documents=[c.text for c in part],
                    metadatas=[{"order": i + j, "section_id": c.section_id, "audience": c.audience,
                                "section": c.section, "heading": c.heading, "start": c.start, "end": c.end,
                                "context": context.get(c.section_id, "")} for j, c in enumerate(part)],
                )
                bar.update(len(part))
    # manifest last: a build without it is never considered complete
    tmp = build / (store.MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, build / store.MANIFEST)


def _swap(kb_dir: Path, build: Path) -> None:
    """Point kb_dir at build atomically; remove the previous build."""
    old = kb_dir.resolve() if kb_dir.is_symlink() else None
    link_tmp = kb_dir.with_name(f".{kb_dir.name}.link-{uuid.uuid4().hex[:8]}")
    os.symlink(os.path.relpath(build, kb_dir.parent), link_tmp)
    if kb_dir.exists() and not kb_dir.is_symlink():  # a plain directory from elsewhere: move it aside
        aside = kb_dir.with_name(f".{kb_dir.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(kb_dir, aside)
        old = aside
    os.replace(link_tmp, kb_dir)
    if old is not None and old.exists() and old != build.resolve():
        shutil.rmtree(old, ignore_errors=True)


def _clean_stale(builds: Path, kb: str, keep: Path | None) -> None:
    if not builds.is_dir():
        return
    for p in builds.iterdir():
        if p.name.startswith(f"{kb}-") and (keep is None or p.resolve() != keep):
            shutil.rmtree(p, ignore_errors=True)


def ingest(source: Path | None = None, kb: str | None = None, settings: Settings | None = None,
           progress: bool = True, force: bool = False) -> IngestReport:
    """Build or refresh a knowledge base. Same content → no work (`rebuilt=False`)."""
    settings = settings or get_settings()
    t0 = time.perf_counter()
    kb = kb_name_for(source, kb, settings)
    src = load_source(source)
    sections, parser_name = parse(src)
    chunks = chunking.chunk_sections(src.text, sections, kb)
    if not chunks:
        raise InputError(f"No text could be indexed from {src.path.name}; check that it contains the policy text.")
    context = chunking.context_of(sections)
    manifest = {
        "format": store.FORMAT_VERSION,
        "kb": kb,
        "source": str(src.path.resolve()),
        "source_kind": src.kind,
        "content_sha256": src.sha256,
        "parser": parser_name,
        "chunker": chunking.VERSION,
        "models": {m: embedders.MODEL_NAMES[m] for m in MODELS},
        "chunks": len(chunks),
        "sections": len({c.section_id for c in chunks}),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    kb_dir = settings.kb_dir(kb)
    root = kb_dir.parent
    with _lock(root, kb):
        current = None if force else _up_to_date(kb_dir, kb, manifest)
        if current is not None:
            return IngestReport(kb, current["chunks"], False, time.perf_counter() - t0,
                                kb_dir / store.MANIFEST, current["parser"])
        builds = root / ".builds"
        current_build = kb_dir.resolve() if kb_dir.is_symlink() and kb_dir.resolve().is_dir() else None
        _clean_stale(builds, kb, current_build)  # leftovers of interrupted builds
        build = builds / f"{kb}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        try:
            _build(build, kb, src.text, chunks, context, manifest, progress)
            store.verify(build, kb)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        _swap(kb_dir, build)
    from knowledge import retrieve

    retrieve.clear_cache()
    return IngestReport(kb, len(chunks), True, time.perf_counter() - t0, kb_dir / store.MANIFEST, parser_name)


__all__ = ["IngestReport", "IndexCorruptError", "ingest", "kb_name_for", "embed_text"]

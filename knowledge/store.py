"""On-disk layout of a knowledge base, its vector store and its loading/verification.

    <root>/<kb>                 symlink → .builds/<kb>-<stamp>/ (swapped atomically by ingest)
    <root>/.builds/<kb>-<stamp>/manifest.json    content hash, models, parser, profile, counts
                               /source.txt       the text every offset indexes
                               /units.jsonl      answer units (text, offsets, section, context)
                               /public.json      strings the policy publishes (guard allowlist)
                               /profile.yaml     the policy profile the build used
                               /chroma/          unit vectors, one collection per embedding model

The vectors live in Chroma and are queried there (a local persistent client, or a Chroma server
shared by several processes when a URL is given); only unit metadata is kept in memory."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from knowledge import sections
from knowledge.errors import ConfigError, IndexCorruptError, IndexMissingError
from knowledge.types import Chunk
from knowledge.units import Unit

# 6: a section-kind classifier per model (sections-<model>.npz); 7: unanswerable questions;
# 8: exact, reproducible search (index.py `_collection`)
FORMAT_VERSION = 8
MANIFEST = "manifest.json"
UNITS = "units.jsonl"
CHUNKS = "chunks.jsonl"
HUBS = "hubs.json"


def rebuild_hint(kb: str) -> str:
    return f"run `privacybot ingest --kb {kb}` to rebuild"


def collection_name(build_id: str, model: str, kind: str = "u") -> str:
    """Chroma collection of one build and model: `u` answer units, `h` section headings, `q` labelled
    questions, `n` questions the policy does not answer (names are
    3-63 chars of [a-zA-Z0-9._-]; the model comes first so a long build id cannot cut it off)."""
    return f"{kind}-{model}-{build_id}"[:63]


def section_headings(unit_list) -> dict[str, str]:
    """section_id -> what the section is about (part title + heading), for heading similarity."""
    out: dict[str, str] = {}
    for u in unit_list:
        if u.section_id not in out:
            ctx = u.context.split("\n")
            out[u.section_id] = " — ".join(p for p in ctx[:2] if p) if ctx else u.heading
    return out


_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def chroma_client(path: Path | None = None, url: str | None = None):
    """A Chroma client: HTTP when `url` (a Chroma server shared by processes), else local files."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    key = url or str(path)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            settings = ChromaSettings(anonymized_telemetry=False)
            if url:
                from urllib.parse import urlparse

                u = urlparse(url)
                client = chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                             ssl=u.scheme == "https", settings=settings)
            else:
                client = chromadb.PersistentClient(path=str(path), settings=settings)
            _clients[key] = client
        return client


def forget_client(path: Path) -> None:
    with _clients_lock:
        _clients.pop(str(path), None)


@dataclass(frozen=True)
class LoadedIndex:
    kb: str
    path: Path  # resolved build dir
    manifest: dict
    source: str
    chunks: list[Chunk]
    units: list[Unit]
    public: tuple[str, ...]
    profile: dict
    collections: dict = field(default_factory=dict, compare=False)  # model -> unit collection
    heading_collections: dict = field(default_factory=dict, compare=False)  # model -> heading collection
    hubs: dict = field(default_factory=dict, compare=False)  # model -> lang -> hubness per unit
    question_collections: dict = field(default_factory=dict, compare=False)  # model -> labelled questions
    section_kinds: dict = field(default_factory=dict, compare=False)  # model -> section-kind classifier
    unanswerable_collections: dict = field(default_factory=dict, compare=False)  # model -> near-topic unanswered

    @property
    def build_id(self) -> str:
        return self.manifest["build_id"]


def resolve_build(kb_dir: Path, kb: str) -> Path:
    if not kb_dir.exists() and not kb_dir.is_symlink():
        raise IndexMissingError(f"No knowledge base '{kb}' has been built; run `privacybot ingest --kb {kb}` "
                                "(with --source FILE for a policy other than the bundled one).")
    build = kb_dir.resolve()
    if not build.is_dir():
        raise IndexCorruptError(f"Index for '{kb}' points to a missing build; {rebuild_hint(kb)}.")
    return build


def read_manifest(build: Path, kb: str) -> dict:
    try:
        manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"Index for '{kb}' has no manifest (half-written or damaged); {rebuild_hint(kb)}.") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise IndexCorruptError(f"Index manifest for '{kb}' is unreadable; {rebuild_hint(kb)}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexCorruptError(f"Index for '{kb}' has an unknown format (built by another version); {rebuild_hint(kb)}.")
    return manifest


def _jsonl(path: Path, kb: str) -> list[dict]:
    try:
        with path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except (OSError, ValueError, UnicodeDecodeError):
        raise IndexCorruptError(f"Index file {path.name} for '{kb}' is missing or damaged; {rebuild_hint(kb)}.") from None


def load(kb_dir: Path, kb: str, chroma_url: str | None = None) -> LoadedIndex:
    """Load a built knowledge base. IndexMissingError / IndexCorruptError say how to fix."""
    build = resolve_build(kb_dir, kb)
    manifest = read_manifest(build, kb)
    try:
        source = (build / "source.txt").read_text(encoding="utf-8")
        public = tuple(json.loads((build / "public.json").read_text(encoding="utf-8")))
        import yaml

        profile = yaml.safe_load((build / "profile.yaml").read_text(encoding="utf-8")) or {}
        hubs = json.loads((build / HUBS).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"Index for '{kb}' is damaged ({exc.__class__.__name__}); {rebuild_hint(kb)}.") from None
    chunks = [Chunk(**c) for c in _jsonl(build / CHUNKS, kb)]
    units = [Unit(**u) for u in _jsonl(build / UNITS, kb)]
    if len(units) != manifest.get("units") or len(chunks) != manifest.get("chunks"):
        raise IndexCorruptError(f"Index for '{kb}' is incomplete (counts differ from its manifest); {rebuild_hint(kb)}.")
    if any(source[u.start:u.end] != u.text for u in units[:: max(1, len(units) // 50)]):
        raise IndexCorruptError(f"Index for '{kb}' does not match its source text; {rebuild_hint(kb)}.")
    collections, headings, asked, negatives = {}, {}, {}, {}
    try:
        client = chroma_client(build / "chroma", chroma_url)
        for model in manifest["models"]:
            col = client.get_collection(collection_name(manifest["build_id"], model))
            if col.count() != len(units):
                raise IndexCorruptError(f"Vector index of '{kb}' ({model}) is incomplete; {rebuild_hint(kb)}.")
            collections[model] = col
            headings[model] = client.get_collection(collection_name(manifest["build_id"], model, "h"))
            if manifest.get("labelled"):
                asked[model] = client.get_collection(collection_name(manifest["build_id"], model, "q"))
            if manifest.get("unanswerable"):
                negatives[model] = client.get_collection(collection_name(manifest["build_id"], model, "n"))
    except IndexCorruptError:
        raise
    except Exception as exc:  # chroma raises many types on a damaged or unreachable store
        where = f"the Chroma server at {chroma_url}" if chroma_url else "its vector store"
        raise IndexCorruptError(f"Index for '{kb}' cannot be read from {where} ({exc.__class__.__name__}); "
                                f"check the server, or {rebuild_hint(kb)}.") from None
    try:
        kinds = {m: k for m in manifest["models"] if (k := sections.load(build, m)) is not None}
    except ConfigError:
        raise IndexCorruptError(f"The section classifier of '{kb}' is damaged; {rebuild_hint(kb)}.") from None
    return LoadedIndex(kb=kb, path=build, manifest=manifest, source=source, chunks=chunks, units=units,
                       public=public, profile=profile, collections=collections, heading_collections=headings,
                       hubs=hubs, question_collections=asked, section_kinds=kinds,
                       unanswerable_collections=negatives)


def verify(build: Path, kb: str) -> dict:
    """Cheap integrity check of a build (manifest, metadata files). Returns the manifest."""
    manifest = read_manifest(build, kb)
    for name in ("source.txt", UNITS, CHUNKS, "public.json", "profile.yaml", HUBS):
        if not (build / name).is_file():
            raise IndexCorruptError(f"Index for '{kb}' is missing {name}; {rebuild_hint(kb)}.")
    return manifest

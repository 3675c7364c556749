"""On-disk layout of a knowledge base, its vector store and its loading/verification.

    <root>/<kb>                 symlink → .builds/<kb>-<stamp>/ (swapped atomically by ingest)
    <root>/.builds/<kb>-<stamp>/manifest.json    content hash, models, parser, profile, counts
                               /source.txt       the text every offset indexes
                               /units.jsonl      answer units (text, offsets, section, context)
                               /public.json      strings the policy publishes (guard allowlist)
                               /profile.yaml     the policy profile the build used
                               /chroma/          unit vectors, one collection per embedding model
                               /vectors-<model>.npz  the same vectors, loaded by serving processes

The vectors are queried in Chroma: a Chroma server shared by several processes when a URL is given,
else an in-memory copy in each process (see `load`: a serving process never opens the build's
Chroma files). A build is immutable once ingest has written it: the manifest holds the sha256 of
every other file and `load` checks them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import uuid
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from knowledge import sections
from knowledge.errors import ConfigError, IndexCorruptError, IndexMissingError
from knowledge.types import Chunk
from knowledge.units import Unit

# 6: a section-kind classifier per model (sections-<model>.npz); 7: unanswerable questions;
# 8: exact, reproducible search (`create_collection`); 9: served from memory (`vectors-<model>.npz`),
# files' sha256 in the manifest
FORMAT_VERSION = 9
MANIFEST = "manifest.json"
UNITS = "units.jsonl"
CHUNKS = "chunks.jsonl"
HUBS = "hubs.json"
VECTORS = "vectors-{model}.npz"
KINDS = ("u", "h", "q", "n")
EF_MAX = 8192  # exhaustive (exact) search up to this many records per collection


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
    """Close the local client of `path` (ingest: before the build's files are hashed, or removed)."""
    with _clients_lock:
        client = _clients.pop(str(path), None)
    if client is not None:
        client.close()


def create_collection(client, name: str, size: int):
    """A cosine collection whose search is exact, so the same in every process. Chroma keeps a small
    collection's vectors out of its HNSW graph until a process loads them, then builds the graph on
    several threads; with the default search breadth (100) two processes of the same index returned
    different neighbours, so the same question could get different answers from different server
    processes. A search breadth above the collection size makes the search exhaustive (exact), up to
    `EF_MAX` records per collection (beyond it the search is approximate again)."""
    return client.create_collection(name, embedding_function=None, configuration={
        "hnsw": {"space": "cosine", "ef_search": min(max(100, size + 1), EF_MAX)}})


_memory = None


def memory_client():
    """The process's in-memory Chroma (nothing of it is ever written to disk)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    global _memory
    with _clients_lock:
        if _memory is None:
            _memory = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        return _memory


def save_vectors(build: Path, model: str, records: dict[str, tuple[list[str], object, list[dict] | None]]) -> None:
    """Write a build's vectors of one model, `kind -> (ids, float32 vectors, metadatas or None)`, as
    ingest added them to Chroma (numpy arrays only: the file loads without pickle)."""
    import numpy as np

    arrays = {}
    for kind, (ids, vecs, metadatas) in records.items():
        arrays[f"{kind}_ids"] = np.array(ids, dtype=str)
        arrays[f"{kind}_vectors"] = np.asarray(vecs, dtype=np.float32)
        if metadatas is not None:
            arrays[f"{kind}_metadatas"] = np.array([json.dumps(m, sort_keys=True) for m in metadatas], dtype=str)
    with (build / VECTORS.format(model=model)).open("wb") as fh:
        np.savez(fh, **arrays)


def _drop_memory(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(Exception):  # already gone, or the process is ending
            _memory.delete_collection(name)


def _memory_collections(index: LoadedIndex, kb: str) -> dict[str, dict[str, object]]:
    """`kind -> model -> collection`: the build's vectors (`vectors-<model>.npz`) in the process's
    in-memory Chroma, with the configuration ingest gave them (exact search).

    Why not open the build's Chroma directory: Chroma has no read-only client (chroma-core/chroma
    #1438) and every local open writes. It inserts a row in chroma.sqlite3, and it re-creates the
    files of any HNSW segment that was never persisted (below `hnsw:sync_threshold`, 1000 records:
    this index's unit and heading collections) before replaying their log in memory. Those files
    (data_level0.bin, length.bin) are written from a malloc'd buffer at full capacity that is never
    zeroed (chroma-core/chroma #7688), so they carried whatever the serving process had freed: raw
    visitor messages the guard had just redacted (seen in the canary test; reproduced by opening
    a fresh index after freeing visitor-like text). A serving process therefore never opens those
    files: it reads the vectors (plain numpy arrays) and searches an in-memory copy that is dropped
    with the index. Ingest, which holds no visitor text, is the only process that writes Chroma
    files, and `load` refuses a build whose files differ from what ingest wrote."""
    import numpy as np

    client = memory_client()
    out: dict[str, dict[str, object]] = {kind: {} for kind in KINDS}
    names: list[str] = []
    weakref.finalize(index, _drop_memory, names).atexit = False
    batch = client.get_max_batch_size()
    for model in index.manifest["models"]:
        try:
            with np.load(index.path / VECTORS.format(model=model), allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"The vectors of '{kb}' ({model}) cannot be read ({exc.__class__.__name__}); "
                                    f"{rebuild_hint(kb)}.") from None
        for kind in KINDS:
            if f"{kind}_ids" not in arrays:
                continue
            ids, vecs = arrays[f"{kind}_ids"].tolist(), arrays[f"{kind}_vectors"]
            metadatas = arrays.get(f"{kind}_metadatas")
            name = f"{kind}-{model}-{uuid.uuid4().hex}"
            col = create_collection(client, name, len(ids))
            names.append(name)
            for i in range(0, len(ids), batch):
                col.add(ids=ids[i:i + batch], embeddings=vecs[i:i + batch],
                        metadatas=None if metadatas is None else [json.loads(m) for m in metadatas[i:i + batch]])
            out[kind][model] = col
    return out


def file_hashes(build: Path) -> dict[str, str]:
    """sha256 of every file of a build but its manifest, by path relative to the build."""
    out = {}
    for path in sorted(build.rglob("*")):
        if path.is_file() and path.name != MANIFEST and not path.name.startswith(MANIFEST):
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023
                    digest.update(block)
            out[path.relative_to(build).as_posix()] = digest.hexdigest()
    return out


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
    check_files(build, manifest, kb)
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
    try:
        kinds = {m: k for m in manifest["models"] if (k := sections.load(build, m)) is not None}
    except ConfigError:
        raise IndexCorruptError(f"The section classifier of '{kb}' is damaged; {rebuild_hint(kb)}.") from None
    index = LoadedIndex(kb=kb, path=build, manifest=manifest, source=source, chunks=chunks, units=units,
                        public=public, profile=profile, hubs=hubs, section_kinds=kinds)
    try:
        found = _server_collections(index, chroma_url) if chroma_url else _memory_collections(index, kb)
    except IndexCorruptError:
        raise
    except Exception as exc:  # chroma raises many types on a damaged or unreachable store
        where = f"the Chroma server at {chroma_url}" if chroma_url else "its vectors"
        raise IndexCorruptError(f"Index for '{kb}' cannot be read from {where} ({exc.__class__.__name__}); "
                                f"check the server, or {rebuild_hint(kb)}.") from None
    required = ["u", "h"] + ["q"] * bool(manifest.get("labelled")) + ["n"] * bool(manifest.get("unanswerable"))
    for model in manifest["models"]:
        if any(model not in found[kind] for kind in required) or found["u"][model].count() != len(units):
            raise IndexCorruptError(f"Vector index of '{kb}' ({model}) is incomplete; {rebuild_hint(kb)}.")
    index.collections.update(found["u"])
    index.heading_collections.update(found["h"])
    if manifest.get("labelled"):
        index.question_collections.update(found["q"])
    if manifest.get("unanswerable"):
        index.unanswerable_collections.update(found["n"])
    return index


def _server_collections(index: LoadedIndex, chroma_url: str) -> dict[str, dict[str, object]]:
    """`kind -> model -> collection` on the shared Chroma server (written there by ingest)."""
    client = chroma_client(None, chroma_url)
    build_id = index.manifest["build_id"]
    wanted = {"u": True, "h": True, "q": bool(index.manifest.get("labelled")),
              "n": bool(index.manifest.get("unanswerable"))}
    return {kind: {m: client.get_collection(collection_name(build_id, m, kind)) for m in index.manifest["models"]}
            if wanted[kind] else {} for kind in KINDS}


def check_files(build: Path, manifest: dict, kb: str) -> None:
    """The build's files are byte for byte those ingest wrote (manifest `files`): nothing, in
    particular no process holding visitor text, has written into the index since."""
    expected = manifest.get("files")
    if not isinstance(expected, dict) or not expected:
        raise IndexCorruptError(f"Index manifest for '{kb}' lists no files; {rebuild_hint(kb)}.")
    found = file_hashes(build)
    changed = sorted(name for name in set(expected) | set(found) if expected.get(name) != found.get(name))
    if changed:
        raise IndexCorruptError(f"Index for '{kb}' was changed after it was built ({', '.join(changed[:3])}"
                                f"{', ...' if len(changed) > 3 else ''}); {rebuild_hint(kb)}.")


def verify(build: Path, kb: str) -> dict:
    """Cheap integrity check of a build (manifest, metadata files). Returns the manifest."""
    manifest = read_manifest(build, kb)
    for name in ("source.txt", UNITS, CHUNKS, "public.json", "profile.yaml", HUBS):
        if not (build / name).is_file():
            raise IndexCorruptError(f"Index for '{kb}' is missing {name}; {rebuild_hint(kb)}.")
    return manifest

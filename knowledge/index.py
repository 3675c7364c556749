"""`ingest()`: parse → chunk → answer units → embed → write a knowledge base under `root/<kb>`.

Idempotent: a manifest (content hash, profile, parser, chunker, unit splitter, models) decides
whether anything needs doing. A build is written to a fresh directory and then swapped in by
replacing a symlink (`os.replace`, atomic), so readers never see a half-written index; a running
server notices the new build id and reloads (see `retrieve.open_retriever`). Only ingest writes a
build: serving processes read it and keep its vectors in memory (`store._memory_collections`)."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from knowledge import chunking, embedders, labelled, query, sections, store, units
from knowledge.errors import InputError, KnowledgeError
from knowledge.parsing import parse
from knowledge.profile import Profile
from knowledge.sources import DEFAULT_SOURCE, load_source

MODELS = ("e5",)  # the query model of every language (knowledge.query.MODEL_FOR)
_KB_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{2,62}$")
BATCH = 32


@dataclass(frozen=True)
class IngestReport:
    kb: str
    chunks: int
    units: int
    rebuilt: bool
    seconds: float
    manifest: Path
    parser: str = ""
    profile: str = ""


def kb_name_for(source: Path | None, kb: str | None, default_kb: str) -> str:
    if kb:
        name = kb
    elif source is None or Path(source).resolve() == DEFAULT_SOURCE.resolve():
        name = default_kb
    else:
        name = re.sub(r"[^a-z0-9_-]+", "-", Path(source).stem.lower()).strip("-_")
        name = name if len(name) >= 3 else f"kb-{name}".rstrip("-")
    if not _KB_NAME.match(name):
        raise InputError(
            f"Invalid knowledge base name '{name}': use 3-63 lower-case letters, digits, '-' or '_' (e.g. --kb my-school).")
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
        manifest = store.verify(kb_dir.resolve(), kb)
        store.check_files(kb_dir.resolve(), manifest, kb)  # a build changed since: rebuilt, as load says
    except KnowledgeError:
        return None
    keys = ("format", "content_sha256", "profile_sha256", "parser", "chunker", "units_version", "sections_version",
            "models", "reference", "labelled", "unanswerable_sha256")
    return manifest if all(manifest.get(k) == wanted.get(k) for k in keys) else None


def _file_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else ""


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(dataclasses.asdict(row), ensure_ascii=False) + "\n")


def _question_collection(client, build_id: str, model: str, kind: str, questions: list[str],
                         metadatas: list[dict]) -> tuple[list[str], np.ndarray]:
    """Embed labelled questions as queries into the build's `kind` collection (`q`: answered, `n`: not
    answered; ids `<kind><n>`); returns their ids and vectors."""
    col = store.create_collection(client, store.collection_name(build_id, model, kind), len(questions))
    vecs = embedders.embed_queries(model, questions)
    ids = [f"{kind}{j}" for j in range(len(questions))]
    for i in range(0, len(questions), 256):
        col.add(ids=ids[i:i + 256], embeddings=vecs[i:i + 256].tolist(), metadatas=metadatas[i:i + 256])
    return ids, vecs


def _build(build: Path, kb: str, text: str, chunks, unit_list, public, profile: Profile, manifest: dict,
           chroma_url: str | None, progress: bool) -> None:
    """Write the build. Locally, the vectors go both into the build's Chroma directory and into
    `vectors-<model>.npz`, which is what serving processes load (into an in-memory Chroma: see
    `store._memory_collections` for why no process but this one ever opens the Chroma files). The
    Chroma client is closed before the files are hashed into the manifest, so the build on disk is
    final: `store.load` refuses it if any byte changes afterwards."""
    from tqdm import tqdm

    build.mkdir(parents=True)
    (build / "source.txt").write_text(text, encoding="utf-8", newline="")
    _write_jsonl(build / store.CHUNKS, chunks)
    _write_jsonl(build / store.UNITS, unit_list)
    (build / "public.json").write_text(json.dumps(sorted(set(public)), ensure_ascii=False, indent=0), encoding="utf-8")
    (build / "profile.yaml").write_text(yaml.safe_dump(profile.data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    client = store.chroma_client(build / "chroma", chroma_url)
    texts = [u.embed_text() for u in unit_list]
    headings = store.section_headings(unit_list)
    hubs: dict = {}
    asked = labelled.tie(labelled.read(profile.data), unit_list, text)
    negatives = labelled.read(profile.data, "unanswerable_questions")
    manifest["unanswerable"] = len(negatives)
    with tqdm(total=len(unit_list) * len(MODELS), desc=f"Embedding {kb}", unit="unit", disable=not progress,
              leave=False) as bar:
        for model in MODELS:
            records: dict[str, tuple] = {}  # kind -> (ids, vectors, metadatas): what serving loads
            col = store.create_collection(client, store.collection_name(manifest["build_id"], model), len(unit_list))
            unit_metas: list[dict] = []
            model_vecs = []
            for i in range(0, len(unit_list), BATCH):
                part = unit_list[i:i + BATCH]
                vecs = embedders.embed_documents(model, texts[i:i + BATCH])
                model_vecs.append(vecs)
                metas = [{"order": i + j, "audience": u.audience, "section_id": u.section_id, "kind": u.kind}
                         for j, u in enumerate(part)]
                unit_metas.extend(metas)
                col.add(ids=[u.unit_id for u in part], embeddings=vecs.tolist(), metadatas=metas)
                bar.update(len(part))
            records["u"] = ([u.unit_id for u in unit_list], np.concatenate(model_vecs), unit_metas)
            hubs[model] = query.hubness(np.concatenate(model_vecs), model)
            if asked:
                q_metas = [{"units": "|".join(q.units), "lang": q.lang} for q in asked]
                q_ids, qvecs = _question_collection(client, manifest["build_id"], model, "q",
                                                    [q.question for q in asked], q_metas)
                records["q"] = (q_ids, qvecs, q_metas)
                section_of = {u.unit_id: u.section_id for u in unit_list}
                rows, kinds = sections.examples([[section_of[u] for u in q.units] for q in asked])
                if sections.trainable(kinds):
                    sections.save(sections.fit(model, qvecs[rows], kinds, [asked[r].question for r in rows]),
                                  build, model)
            if negatives:  # near-topic questions the policy does not answer (knowledge.answerable)
                n_metas = [{"lang": str(r.get("lang", "en"))} for r in negatives]
                n_ids, nvecs = _question_collection(client, manifest["build_id"], model, "n",
                                                    [r["question"] for r in negatives], n_metas)
                records["n"] = (n_ids, nvecs, n_metas)
            hcol = store.create_collection(client, store.collection_name(manifest["build_id"], model, "h"), len(headings))
            hvecs = embedders.embed_documents(model, list(headings.values()))
            hcol.add(ids=list(headings), embeddings=hvecs.tolist())
            records["h"] = (list(headings), hvecs, None)
            if not chroma_url:
                store.save_vectors(build, model, records)
    (build / store.HUBS).write_text(json.dumps(hubs), encoding="utf-8")
    if not chroma_url:
        store.forget_client(build / "chroma")  # closed: Chroma writes nothing more into the build
    manifest["files"] = store.file_hashes(build)  # `store.load` refuses a build changed after this
    tmp = build / (store.MANIFEST + ".tmp")  # manifest last: a build without it is never complete
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, build / store.MANIFEST)


def _swap(kb_dir: Path, build: Path) -> Path | None:
    """Point kb_dir at build atomically; return the previous build (removed by the caller)."""
    old = kb_dir.resolve() if kb_dir.is_symlink() else None
    link_tmp = kb_dir.with_name(f".{kb_dir.name}.link-{uuid.uuid4().hex[:8]}")
    os.symlink(os.path.relpath(build, kb_dir.parent), link_tmp)
    if kb_dir.exists() and not kb_dir.is_symlink():  # a plain directory from elsewhere: move it aside
        aside = kb_dir.with_name(f".{kb_dir.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(kb_dir, aside)
        old = aside
    os.replace(link_tmp, kb_dir)
    return old if old is not None and old.exists() and old != build.resolve() else None


def _drop_build(build: Path, chroma_url: str | None) -> None:
    if chroma_url:
        with contextlib.suppress(Exception):
            manifest = json.loads((build / store.MANIFEST).read_text(encoding="utf-8"))
            client = store.chroma_client(None, chroma_url)
            for model in manifest.get("models", {}):
                for kind in ("u", "h", "q", "n"):
                    client.delete_collection(store.collection_name(manifest["build_id"], model, kind))
    store.forget_client(build / "chroma")
    shutil.rmtree(build, ignore_errors=True)


def ingest(source: Path | None = None, kb: str | None = None, *, root: Path, default_kb: str = "omnes",
           profile: str | None = None, public_data: Callable[[str], list[str]] | None = None,
           chroma_url: str | None = None, progress: bool = True, force: bool = False) -> IngestReport:
    """Build or refresh the knowledge base `kb` under `root`. Same content and settings → no work.

    `public_data(source_text)` returns the strings the policy publishes (contacts, names): they are
    saved with the build so the guard leaves them alone in visitors' messages."""
    t0 = time.perf_counter()
    kb = kb_name_for(source, kb, default_kb)
    src = load_source(source)
    parsed, parser_name, prof = parse(src, profile, embed=lambda t: embedders.embed_documents("minilm", t))
    chunks = chunking.chunk_sections(src.text, parsed, kb)
    if not chunks:
        raise InputError(f"No text could be indexed from {src.path.name}; check that it contains the policy text.")
    context = chunking.context_of(parsed)
    unit_list = units.split_all(chunks, lambda c: context.get(c.section_id, ""))
    profile_text = yaml.safe_dump(prof.data, sort_keys=True)
    import hashlib

    manifest = {
        "format": store.FORMAT_VERSION, "kb": kb, "source": str(src.path.resolve()), "source_kind": src.kind,
        "content_sha256": src.sha256, "profile": prof.name,
        "profile_sha256": hashlib.sha256(profile_text.encode()).hexdigest(), "parser": parser_name,
        "chunker": chunking.VERSION, "units_version": units.VERSION, "sections_version": sections.VERSION,
        "models": {m: embedders.get(m).version for m in MODELS},
        "reference": {m: _file_sha(query.MODELS_DIR / f"reference-{m}.npz") for m in MODELS},
        "labelled": _file_sha(labelled.path_of(prof.data)) if labelled.path_of(prof.data) else "",
        "unanswerable_sha256": _file_sha(negative) if (negative := labelled.path_of(prof.data, "unanswerable_questions"))
        else "",
        "chunks": len(chunks), "units": len(unit_list), "sections": len({c.section_id for c in chunks}),
    }
    kb_dir = root / kb
    with _lock(root, kb):
        current = None if force else _up_to_date(kb_dir, kb, manifest)
        if current is not None:
            return IngestReport(kb, current["chunks"], current["units"], False, time.perf_counter() - t0,
                                kb_dir / store.MANIFEST, current["parser"], current["profile"])
        builds = root / ".builds"
        current_build = kb_dir.resolve() if kb_dir.is_symlink() and kb_dir.resolve().is_dir() else None
        for leftover in (builds.iterdir() if builds.is_dir() else []):  # interrupted builds
            if leftover.name.startswith(f"{kb}-") and leftover.resolve() != current_build:
                _drop_build(leftover, chroma_url)
        build_id = f"{kb}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        build = builds / build_id
        manifest.update(build_id=build_id, built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        public = public_data(src.text) if public_data else []
        try:
            _build(build, kb, src.text, chunks, unit_list, public, prof, manifest, chroma_url, progress)
            store.verify(build, kb)
        except BaseException:
            _drop_build(build, chroma_url)
            raise
        old = _swap(kb_dir, build)
        if old is not None:
            _drop_build(old, chroma_url)
    return IngestReport(kb, len(chunks), len(unit_list), True, time.perf_counter() - t0, kb_dir / store.MANIFEST,
                        parser_name, prof.name)

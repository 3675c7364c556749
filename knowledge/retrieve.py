"""Retrieval over a built knowledge base: answer units ranked by the fitted ranker over dense
similarity (queried in Chroma), BM25, section strength and answer-type fit.

    r = open_retriever(root / "omnes", "omnes")     # cached per build; a re-ingest is picked up
    hits = r.rank(analyse("how long do you keep CCTV footage?", "en"), k=5)

`rank` returns units (what answers); `search` aggregates them to chunks (the CLI/API contract).
An audience restriction keeps that part plus the parts that apply to everyone."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge import answerable, labelled, ranker, sections, store
from knowledge.bm25 import BM25Index
from knowledge.errors import InputError
from knowledge.query import Query, cross_lingual
from knowledge.types import Chunk, Hit
from knowledge.units import Unit
from knowledge.values import ValueIndex

DENSE_CANDIDATES = 80
# When the part a question is answered for is known, its own nearest units join the candidates: the nearest 80
# of the whole policy can hold almost none of a small part ("vous utilisez mes données pour quoi exactement ?" from
# a staff member, read with the earlier "qui a accès à tout ça ?": 2 staff units among 80, the purposes list not
# one of them, so the policy "did not say"). Chosen on dialogue sets 1-40 and answer sets A-AM (same session, see
# README): 40.
PART_CANDIDATES = 40
BM25_CANDIDATES = 20
SHARED_AUDIENCES = ("general", "cookies")  # parts that apply whoever asks
ORGANISATION_PART = "general"  # the shared part about who processes (controller, DPO, representatives, publisher)


@dataclass(frozen=True)
class UnitHit:
    unit: Unit
    score: float  # probability that the unit answers the question
    dense: float
    bm25: float
    features: dict = field(default_factory=dict, compare=False)


class Retriever:
    def __init__(self, index: store.LoadedIndex):
        self.index = index
        self.kb = index.kb
        self.build_id = index.build_id
        self.units: list[Unit] = index.units
        self.chunks: list[Chunk] = index.chunks
        self.source_text = index.source
        self.public: tuple[str, ...] = index.public
        self.profile: dict = index.profile
        self._pos = {u.unit_id: i for i, u in enumerate(self.units)}
        self._audience = np.array([u.audience for u in self.units])
        self._section = np.array([u.section_id for u in self.units])
        self._unit_feats = np.stack([ranker.unit_features(u) for u in self.units])
        self._bm25 = BM25Index([u.embed_text() for u in self.units])
        self._chunk = {c.chunk_id: c for c in self.chunks}
        self._by_section: dict[str, list[Chunk]] = {}
        for c in self.chunks:
            self._by_section.setdefault(c.section_id, []).append(c)
        self.audiences = frozenset(a for a in self._audience.tolist() if a not in SHARED_AUDIENCES)
        self._part_size = {a: int((self._audience == a).sum()) for a in self.audiences}
        # parts about a topic rather than a kind of visitor (`ask: false` in the profile, e.g. video
        # surveillance): they apply whoever the visitor is, like the shared parts
        self.topic_parts = frozenset(p.get("audience") for p in self.profile.get("parts") or []
                                     if isinstance(p, dict) and p.get("ask") is False) & self.audiences
        self._part_order = list(dict.fromkeys(a for a in self._audience.tolist() if a in self.audiences))
        self.neighbours: dict[str, tuple[Unit | None, Unit | None]] = {}  # unit_id -> (previous, next) in its chunk
        for i, u in enumerate(self.units):
            prev_u = self.units[i - 1] if i and self.units[i - 1].chunk_id == u.chunk_id else None
            next_u = self.units[i + 1] if i + 1 < len(self.units) and self.units[i + 1].chunk_id == u.chunk_id else None
            self.neighbours[u.unit_id] = (prev_u, next_u)
        self._sizes: dict[str, int] = {}  # collection name -> record count (a build never changes)
        self.values = ValueIndex(self.units)  # the kinds of value each unit states (English policies)

    # --- lookups ---------------------------------------------------------------------------------
    def section(self, section_id: str) -> list[Chunk]:
        return list(self._by_section.get(section_id, []))

    def section_units(self, section_id: str) -> list[Unit]:
        return [u for u in self.units if u.section_id == section_id]

    def chunk(self, chunk_id: str) -> Chunk:
        return self._chunk[chunk_id]

    @property
    def section_ids(self) -> list[str]:
        return list(self._by_section)

    def profile_audiences(self, *, askable: bool = False) -> list[str]:
        """The audience parts in the order the policy presents them; `askable`: only kinds of visitor
        (not the `topic_parts`)."""
        return [a for a in self._part_order if not (askable and a in self.topic_parts)]

    def _size(self, col) -> int:
        """A collection's record count, asked of Chroma once per build (each `count()` is a call)."""
        if col.name not in self._sizes:
            self._sizes[col.name] = col.count()
        return self._sizes[col.name]

    # --- ranking -----------------------------------------------------------------------------------
    def _dense(self, query: Query, part: str | None = None) -> dict[int, float]:
        """Unit index -> cosine similarity: the policy's nearest units, and those of `part` when given."""
        col = self.index.collections.get(query.model)
        if col is None:
            raise InputError(f"Knowledge base '{self.kb}' has no '{query.model}' vectors; re-run `privacybot ingest`.")
        vec = query.search_vec if query.search_vec is not None else query.topic

        def nearest(n: int, **filters) -> dict[int, float]:
            got = col.query(query_embeddings=[vec.tolist()], n_results=n, include=["distances"], **filters)
            return {self._pos[i]: 1.0 - float(d) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)
                    if i in self._pos}

        out = nearest(min(DENSE_CANDIDATES, len(self.units)))
        if part in self.audiences:  # the part answered for: its own nearest units too (PART_CANDIDATES)
            out.update(nearest(min(PART_CANDIDATES, self._part_size[part]), where={"audience": part}))
        return out

    def _headings(self, query: Query) -> dict[str, float]:
        col = self.index.heading_collections.get(query.model)
        if col is None:
            return {}
        vec = query.search_vec if query.search_vec is not None else query.topic
        got = col.query(query_embeddings=[vec.tolist()], n_results=self._size(col), include=["distances"])
        return {i: 1.0 - float(d) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)}

    def _asked(self, query: Query) -> dict[int, tuple[float, float]]:
        """Votes of the labelled questions closest to this one: unit index -> (best, summed similarity)."""
        col = self.index.question_collections.get(query.model)
        if col is None:
            return {}
        got = col.query(query_embeddings=[query.topic.tolist()], n_results=min(labelled.NEIGHBOURS + 4, self._size(col)),
                        include=["distances", "metadatas"])
        # equally close questions (duplicates across labellings) in a fixed order, then the nearest
        near = sorted(zip(got["distances"][0], got["ids"][0], got["metadatas"][0], strict=True))[:labelled.NEIGHBOURS]
        sims = np.array([1.0 - float(d) for d, _i, _m in near], dtype=np.float32)
        answers = [tuple(m["units"].split("|")) for _d, _i, m in near]
        return {self._pos[u]: v for u, v in labelled.votes(sims, answers).items() if u in self._pos}

    def rank(self, query: Query, *, k: int = 10, audiences: set[str] | frozenset[str] | None = None,
             named: str | None = None) -> list[UnitHit]:
        """Best units first. `audiences`: allowed audience parts (shared parts always allowed);
        `named`: the audience part the question is answered for (a ranking signal, not a filter; its own
        nearest units are candidates too)."""
        dense = self._dense(query, named)
        heads = self._headings(query)
        asked = self._asked(query)
        bm25_all = self._bm25.scores(list(query.terms))
        cand = set(dense) | set(asked)
        if bm25_all.any():
            cand.update(int(i) for i in np.argsort(-bm25_all)[:BM25_CANDIDATES] if bm25_all[i] > 0)
        if audiences is not None:
            allowed = set(audiences) | set(SHARED_AUDIENCES)
            cand = {i for i in cand if self._audience[i] in allowed}
        if not cand:
            return []
        idx = np.array(sorted(cand))
        floor = min(dense.values()) if dense else 0.0
        d = np.array([dense.get(int(i), floor - 0.02) for i in idx], dtype=np.float32)
        b = bm25_all[idx].astype(np.float32)
        weights = ranker.load_weights(query.model)
        secs = self._section[idx]
        auds = self._audience[idx]
        hubs = self.index.hubs.get(query.model, {})
        hub = hubs.get(query.lang) or hubs.get("en")
        feats = ranker.features(d, b, secs, self._unit_feats[idx], query.type_probs,
                                heading=np.array([heads.get(s, 0.0) for s in secs], dtype=np.float32),
                                named=(auds == named) if named else None, shared=np.isin(auds, SHARED_AUDIENCES),
                                hub=np.asarray(hub, dtype=np.float32)[idx] if hub else None,
                                asked=np.array([asked.get(int(i), (0.0, 0.0)) for i in idx], dtype=np.float32),
                                kind_p=sections.unit_probs(self.index.section_kinds.get(query.model), query.topic, secs,
                                                            query.text),
                                cross_lingual=cross_lingual(query.lang))
        scores = weights.score(feats)
        order = np.argsort(-scores)[:k]
        votes, kind_p = ranker.SIGNALS.index("asked_max"), ranker.SIGNALS.index("kind_p")
        return [UnitHit(self.units[int(idx[j])], float(scores[j]), float(d[j]), float(b[j]),
                        {"votes": float(feats[j, votes]), "kind_p": float(feats[j, kind_p])}) for j in order]

    def search(self, query: Query, *, k: int = 5, audience: str | None = None) -> list[Hit]:
        """Chunks best first (each scored by its best unit): the `privacybot search` contract."""
        if not isinstance(k, int) or k < 1:
            raise InputError("k must be a positive whole number of chunks, e.g. --k 5.")
        hits = self.rank(query, k=max(40, 8 * k), audiences={audience} if audience else None)
        out: dict[str, Hit] = {}
        for h in hits:
            if h.unit.chunk_id not in out:
                out[h.unit.chunk_id] = Hit(chunk=self._chunk[h.unit.chunk_id], score=h.score, dense=h.dense,
                                           bm25=h.bm25, rank=len(out) + 1)
            if len(out) >= k:
                break
        return list(out.values())

    def not_found_threshold(self, model: str) -> float:
        return ranker.load_weights(model).not_found

    def _neighbour_sims(self, collections: dict, query: Query) -> np.ndarray | None:
        col = collections.get(query.model)
        if col is None:
            return None
        got = col.query(query_embeddings=[query.topic.tolist()], n_results=min(answerable.K, self._size(col)),
                        include=["distances"])
        return np.array([1.0 - float(d) for d in got["distances"][0]], dtype=np.float64)

    def answered(self, query: Query, hits: list[UnitHit], threshold: float) -> tuple[bool, float | None]:
        """Whether the policy answers the question, and the answerability check's probability (None
        when it does not apply: no fitted check, or a policy without unanswerable questions). The
        ranker's not-found threshold always applies; the check can only refuse more."""
        return self.answered_each(query, [hits], threshold)[0]

    def answered_each(self, query: Query, rankings: list[list[UnitHit]],
                      threshold: float) -> list[tuple[bool, float | None]]:
        """`answered` for several rankings of one question (one per audience part): the question's
        labelled neighbours, which do not depend on the ranking, are looked up once."""
        out: list[tuple[bool, float | None]] = [(False, None)] * len(rankings)
        cleared = [i for i, hits in enumerate(rankings) if hits and hits[0].score >= threshold]
        verifier = answerable.load(query.model) if cleared else None
        neg = pos = None
        if verifier is not None:
            neg = self._neighbour_sims(self.index.unanswerable_collections, query)
            pos = self._neighbour_sims(self.index.question_collections, query) if neg is not None else None
        for i in cleared:
            if verifier is None or neg is None or pos is None:
                out[i] = (True, None)
                continue
            hits = rankings[i]
            top = hits[0]
            row = answerable.features(top.score, hits[1].score if len(hits) > 1 else 0.0, top.dense,
                                      top.features.get("votes", 0.0), top.features.get("kind_p", 0.0), pos, neg,
                                      query.topic if verifier.question_dims else None)
            p = verifier.prob(row)
            out[i] = (p >= verifier.cut, p)
        return out


_cache: dict[tuple[str, str], Retriever] = {}
_cache_lock = threading.Lock()


def current_build(kb_dir: Path) -> str:
    """The build a knowledge base points at now (cheap: one readlink), '' when not built."""
    try:
        return os.readlink(kb_dir)
    except OSError:
        return ""


def open_retriever(kb_dir: Path, kb: str, chroma_url: str | None = None) -> Retriever:
    """The retriever for a knowledge base, loaded once per build. IndexMissingError when it was never
    built, IndexCorruptError when it is damaged (both say how to fix)."""
    key = (str(kb_dir), current_build(kb_dir))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            return hit
    retriever = Retriever(store.load(kb_dir, kb, chroma_url))
    with _cache_lock:
        for old in [k for k in _cache if k[0] == key[0]]:
            del _cache[old]
        _cache[key] = retriever
    return retriever


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()

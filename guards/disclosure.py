"""The self-disclosure classifier: a static sentence embedding (word vectors distilled from a
multilingual sentence encoder by `guards/training/build_disclosure.py`) and a multinomial logistic
regression over it, with one calibrated threshold per category. Everything is numpy and loads from
one small file (`guards/models/disclosure.npz`): no model runs at guard time, a sentence costs
tens of microseconds, the result is deterministic.

`DisclosureModel.scores(text)` → {category: probability}; `fires(text)` → categories at or above
their thresholds."""

from __future__ import annotations

import re
import zlib
from functools import cache

import numpy as np

from guards.config import PACKAGE_DIR
from guards.errors import ModelMissingError
from guards.text import fold

MODEL_FILE = PACKAGE_DIR / "models" / "disclosure.npz"
TOKEN = re.compile(r"[a-z0-9]+")
MIN_PREFIX = 5


class StaticEmbedder:
    """Mean of word vectors over a folded, tokenised text; an unknown word backs off to the mean
    of the vocabulary words sharing its longest prefix (≥ 5 letters: "diagnostiquee" → "diagnosti…")."""

    def __init__(self, vocab: list[str], vectors: np.ndarray):
        self.index = {w: i for i, w in enumerate(vocab)}
        self.vectors = vectors.astype(np.float32)
        self.dim = vectors.shape[1]
        self._prefixes: dict[str, list[int]] = {}
        for i, w in enumerate(vocab):
            for n in range(MIN_PREFIX, min(len(w), 9) + 1):
                self._prefixes.setdefault(w[:n], []).append(i)
        self._backoff: dict[str, np.ndarray | None] = {}

    def word(self, token: str) -> np.ndarray | None:
        i = self.index.get(token)
        if i is not None:
            return self.vectors[i]
        if len(token) <= MIN_PREFIX:
            return None
        if token not in self._backoff:
            vec = None
            for n in range(min(len(token) - 1, 9), MIN_PREFIX - 1, -1):
                ids = self._prefixes.get(token[:n])
                if ids:
                    vec = self.vectors[ids].mean(axis=0)
                    break
            if len(self._backoff) < 50_000:
                self._backoff[token] = vec
            return vec
        return self._backoff[token]

    def tokens(self, text: str) -> list[str]:
        return TOKEN.findall(fold(text))

    def embed(self, text: str) -> np.ndarray:
        vecs = [v for v in (self.word(t) for t in self.tokens(text)) if v is not None]
        if not vecs:
            return np.zeros(self.dim, dtype=np.float32)
        mean = np.mean(vecs, axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm else mean


NGRAM_BUCKETS = 1 << 14


def char_ngrams(text: str, buckets: int = NGRAM_BUCKETS) -> np.ndarray:
    """L2-normalised counts of the folded text's character 3- to 5-grams (word-bounded, as
    " diagn", "iagno"…) hashed into `buckets` (crc32: stable across runs and machines)."""
    vec = np.zeros(buckets, dtype=np.float32)
    for word in TOKEN.findall(fold(text)):
        padded = f" {word} "
        for n in (3, 4, 5):
            for i in range(len(padded) - n + 1):
                vec[zlib.crc32(padded[i:i + n].encode()) % buckets] += 1.0
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def features(embedder: StaticEmbedder, text: str) -> np.ndarray:
    """What the classifier reads: the static sentence embedding beside hashed character n-grams
    (the embedding carries meaning to unseen words, the n-grams precise wording and morphology)."""
    return np.concatenate([embedder.embed(text), char_ngrams(text)])


class DisclosureModel:
    def __init__(self, path=MODEL_FILE):
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            raise ModelMissingError(
                f"The disclosure classifier {path} is missing or unreadable; rebuild it with "
                "python -m guards.training.build_disclosure."
            ) from None
        self.embedder = StaticEmbedder([str(w) for w in data["vocab"]], data["vectors"])
        self.classes = [str(c) for c in data["classes"]]
        self.weights = data["weights"].astype(np.float32)  # classes x (embedding dim + NGRAM_BUCKETS)
        self.bias = data["bias"].astype(np.float32)
        self.thresholds = {c: float(t) for c, t in zip(self.classes, data["thresholds"], strict=True)}

    def probabilities(self, text: str) -> np.ndarray:
        logits = self.weights @ features(self.embedder, text) + self.bias
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def scores(self, text: str) -> dict[str, float]:
        return {c: float(p) for c, p in zip(self.classes, self.probabilities(text), strict=True) if c != "NONE"}

    def fires(self, text: str) -> dict[str, float]:
        """Categories whose probability reaches their calibrated threshold."""
        return {c: p for c, p in self.scores(text).items() if p >= self.thresholds[c]}


@cache
def load_model() -> DisclosureModel:
    return DisclosureModel()

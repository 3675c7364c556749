"""Build the disclosure screen (`guards/models/disclosure-screen.npz`, read by `guards/screen.py`).

    python -m guards.training.build_screen [--report]

1. The disclosure classifier's own training texts and fold groups (`build_disclosure.training_set`):
   labelled EN/FR disclosures of every category, labelled non-disclosures, harvested negatives and the
   clauses the recognizer cuts from them. Plus, as negatives, the messages of the whose-is-it readers'
   labelled files (`guards/training/*_owner*.jsonl`: visitors giving their own phone, name, student
   number, birth date or town) in which no lexicon finds a disclosure, and their sentences and clauses: the
   classifier's negatives are mostly questions, so without these every first-person statement reads as a
   disclosure to the screen. Blind sets are never read.
2. Character n-grams (`guards.screen.counts`), the columns seen in at least MIN_DF texts, sublinear tf,
   idf, l2 norm; a balanced logistic regression, some disclosure against none.
3. The gate, out of fold (folds grouped by source text, as the classifier's): the highest score at which at
   most MAX_CLEARED of the labelled disclosures are cleared. The report prints how many negatives the gate
   clears: the encoder calls saved.
Deterministic (fixed seed, inputs in file order); no encoder is run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from guards.screen import SCREEN_FILE, counts, probability, weigh
from guards.training.build_disclosure import SEED, disclosure_free, pieces, training_set

MIN_DF = 2
C = 10.0
MAX_CLEARED = 0.002  # of the labelled disclosures, out of fold


def owner_negatives(known: set[str]) -> tuple[list[str], list[int]]:
    """The owner files' messages free of any lexicon disclosure, then their sentences and clauses, each
    with the index of the message it comes from (its fold group)."""
    texts = []
    for path in sorted(Path(__file__).parent.glob("*_owner*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [t for t in disclosure_free(texts) if t not in known]
    cut = pieces(texts, known | set(texts))
    return texts + list(cut), list(range(len(texts))) + list(cut.values())


def vocabulary(raw) -> tuple[np.ndarray, np.ndarray]:
    """The columns seen in at least MIN_DF texts, and their smoothed idf (scikit-learn's formula)."""
    df = np.bincount(raw.tocsr().indices, minlength=raw.shape[1])  # one entry per (text, column)
    features = np.flatnonzero(df >= MIN_DF)
    n = raw.shape[0]
    return features, (np.log((1 + n) / (1 + df[features])) + 1.0).astype(np.float32)


def fit(raw, positive: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    features, idf = vocabulary(raw)
    clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=SEED)
    clf.fit(weigh(raw, features, idf), positive)
    return features, idf, clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def main(argv: list[str] | None = None) -> int:
    from sklearn.model_selection import StratifiedGroupKFold

    parser = argparse.ArgumentParser(description="Build guards/models/disclosure-screen.npz")
    parser.add_argument("--report", action="store_true", help="print what the gate clears out of fold")
    args = parser.parse_args(argv)
    texts, y, groups = training_set()
    extra, extra_groups = owner_negatives(set(texts))
    texts = texts + extra
    y = np.concatenate([y, np.full(len(extra), "NONE")])
    groups = np.concatenate([groups, groups.max() + 1 + np.array(extra_groups, dtype=groups.dtype)])
    positive = y != "NONE"
    raw = counts(texts)
    oof = np.zeros(len(texts))
    for tr, te in StratifiedGroupKFold(5, shuffle=True, random_state=SEED).split(texts, y, groups):
        oof[te] = probability(raw[te], *fit(raw[tr], positive[tr]))
    pos = np.sort(oof[positive])
    gate = float(pos[int(np.floor(MAX_CLEARED * len(pos)))])  # scores strictly below are cleared
    cleared = oof < gate
    print(f"{len(texts)} texts ({int(positive.sum())} disclosures); gate {gate:.4f} clears "
          f"{cleared[~positive].mean():.3f} of the negatives and {cleared[positive].mean():.4f} of the disclosures "
          "(out of fold)", file=sys.stderr)
    if args.report:
        for label in sorted(set(y[positive])):
            mine = y == label
            print(f"{label:20s} n={int(mine.sum()):4d} cleared {cleared[mine].mean():.4f}", file=sys.stderr)
    features, idf, w, b = fit(raw, positive)
    SCREEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(SCREEN_FILE, features=features.astype(np.int32), idf=idf, weights=w,
                        bias=np.float32(b), gate=np.float32(gate))
    print(f"wrote {SCREEN_FILE} ({SCREEN_FILE.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

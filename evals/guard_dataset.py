"""The guard evaluation set: build it from the hand-written cases and validate it.

`python -m evals.guard_dataset` rewrites `evals/datasets/guard_set.jsonl` from
`evals/guard_cases_en.py` / `guard_cases_fr.py`. Each line:
`{"id","lang","text","spans":[{"entity","text","start","end"}]}`; offsets are computed by search
(the n-th occurrence for a repeated span text) and `load_guard_set` fails on any span not found."""

from __future__ import annotations

import json
from pathlib import Path

from bot.errors import InputError
from guards.guard import ENTITIES

DATASET = Path(__file__).parent / "datasets" / "guard_set.jsonl"


def locate(text: str, spans: list[dict], where: str) -> list[dict]:
    """Add start/end to each span (searching left to right) or raise InputError."""
    out, used = [], []
    for span in spans:
        entity, needle = span["entity"], span["text"]
        if entity not in ENTITIES:
            raise InputError(f"{where}: unknown entity '{entity}'.")
        pos = text.find(needle)
        while pos != -1 and any(s <= pos < e for s, e in used):
            pos = text.find(needle, pos + 1)
        if not needle or pos == -1:
            raise InputError(f"{where}: span {entity} '{needle}' is not in the text.")
        used.append((pos, pos + len(needle)))
        out.append({"entity": entity, "text": needle, "start": pos, "end": pos + len(needle)})
    return out


def load_guard_set(path: Path = DATASET) -> list[dict]:
    records = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        rec = json.loads(line)
        where = f"{path.name} line {lineno}"
        if rec.get("lang") not in ("en", "fr") or not isinstance(rec.get("text"), str) or rec.get("id") in seen:
            raise InputError(f"{where}: needs a unique id, lang en|fr and text.")
        seen.add(rec["id"])
        rec["spans"] = locate(rec["text"], rec.get("spans", []), where)
        records.append(rec)
    return records


def build() -> list[dict]:
    from evals.guard_cases_en import CASES as EN
    from evals.guard_cases_fr import CASES as FR

    records = []
    for lang, cases in (("en", EN), ("fr", FR)):
        for i, (text, spans) in enumerate(cases, 1):
            rid = f"{lang}-{i:03d}"
            located = locate(text, [{"entity": e, "text": s} for e, s in spans], rid)
            records.append({"id": rid, "lang": lang, "text": text, "spans": [{"entity": s["entity"], "text": s["text"]} for s in located]})
    return records


def main() -> None:
    records = build()
    DATASET.parent.mkdir(parents=True, exist_ok=True)
    DATASET.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    benign = sum(not r["spans"] for r in records)
    fr = sum(r["lang"] == "fr" for r in records)
    print(f"wrote {len(records)} messages ({fr} French, {benign} benign) to {DATASET}")


if __name__ == "__main__":
    main()

"""Guard evaluation sets: load and validate them (the guard's only JSONL reader for these files).

Guard sets (`evals/datasets/guard_*.jsonl`): `{"id","lang","text","spans":[{"entity","text"}]}`;
`lang` is en, fr or mixed (a message mixing both: no hint is passed); offsets are found by search
(the n-th occurrence for a repeated span text) and a span not in its text is an error.
The presidio-research synthetic set (`../shared/data/presidio_synth_dev.jsonl`) has offsets and
labels (`{"start","end","label"}`).

The JSONL files are the datasets (edit them directly; `load_guard_set` validates them)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.errors import InputError
from guards.types import ENTITIES

DATASETS = Path(__file__).parent / "datasets"
DATASET = DATASETS / "guard_set.jsonl"
SYNTH = Path(__file__).resolve().parents[2] / "shared" / "data" / "presidio_synth_dev.jsonl"
GUARD_SETS = {"dev": "guard_set.jsonl", "holdout": "guard_holdout.jsonl", "blind": "guard_blind.jsonl",
              "blind_c": "guard_blind_c.jsonl", "blind_d": "guard_blind_d.jsonl",
              "blind_e": "guard_blind_e.jsonl", "blind_f": "guard_blind_f.jsonl",
              "blind_g": "guard_blind_g.jsonl", "blind_h": "guard_blind_h.jsonl",
              "blind_i": "guard_blind_i.jsonl", "blind_j": "guard_blind_j.jsonl",
              "blind_k": "guard_blind_k.jsonl",
              "blind_l": "guard_blind_l.jsonl", "blind_m": "guard_blind_m.jsonl",
              "blind_n": "guard_blind_n.jsonl", "blind_o": "guard_blind_o.jsonl",
              "blind_p": "guard_blind_p.jsonl", "blind_q": "guard_blind_q.jsonl",
              "blind_r": "guard_blind_r.jsonl",
              "blind_s": "guard_blind_s.jsonl", "blind_t": "guard_blind_t.jsonl",
              "blind_u": "guard_blind_u.jsonl", "blind_v": "guard_blind_v.jsonl",
              "blind_w": "guard_blind_w.jsonl", "blind_x": "guard_blind_x.jsonl",
              "blind_y": "guard_blind_y.jsonl",
              "blind_z": "guard_blind_z.jsonl", "blind_aa": "guard_blind_aa.jsonl",
              "blind_ab": "guard_blind_ab.jsonl", "blind_ac": "guard_blind_ac.jsonl",
              "blind_ad": "guard_blind_ad.jsonl", "blind_ae": "guard_blind_ae.jsonl",
              "blind_af": "guard_blind_af.jsonl"}
LANGS = ("en", "fr", "mixed")


def locate(text: str, spans: list[dict], where: str) -> list[dict]:
    """Add start/end to each span (searching left to right) or raise InputError."""
    out, used = [], []
    for span in spans:
        entity, needle = span.get("entity"), span.get("text")
        if entity not in ENTITIES:
            raise InputError(f"{where}: unknown entity '{entity}'; use one of {', '.join(ENTITIES)}.")
        pos = text.find(needle) if isinstance(needle, str) and needle else -1
        while pos != -1 and any(s <= pos < e for s, e in used):
            pos = text.find(needle, pos + 1)
        if pos == -1:
            raise InputError(f"{where}: span {entity} '{needle}' is not in the text; copy it exactly.")
        used.append((pos, pos + len(needle)))
        out.append({"entity": entity, "text": needle, "start": pos, "end": pos + len(needle)})
    return out


def _lines(path: Path):
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"Cannot read guard dataset {path} ({exc.strerror}); check the path.") from None
    for lineno, line in enumerate(lines, 1):
        if line.strip():
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path.name} line {lineno}: not valid JSON ({exc.msg}); fix the line.") from None


def load_guard_set(path: Path = DATASET) -> list[dict]:
    records, seen = [], set()
    for lineno, rec in _lines(path):
        where = f"{path.name} line {lineno}"
        if not isinstance(rec, dict) or rec.get("lang") not in LANGS or not isinstance(rec.get("text"), str) \
                or not rec.get("id") or rec.get("id") in seen or not isinstance(rec.get("spans", []), list):
            raise InputError(f"{where}: needs a unique id, lang ({'|'.join(LANGS)}), text and a spans list.")
        seen.add(rec["id"])
        rec["spans"] = locate(rec["text"], rec.get("spans", []), where)
        records.append(rec)
    return records


def load_synth(path: Path = SYNTH) -> list[dict]:
    """presidio-research synthetic texts; spans keep their own labels (PERSON, GPE, US_SSN…)."""
    records = []
    for lineno, rec in _lines(path):
        text = rec.get("text")
        spans = []
        for s in rec.get("spans", []):
            if not (isinstance(s.get("start"), int) and isinstance(s.get("end"), int) and 0 <= s["start"] < s["end"] <= len(text)):
                raise InputError(f"{path.name} line {lineno}: a span has bad offsets.")
            spans.append({"entity": s["label"], "start": s["start"], "end": s["end"], "text": text[s["start"]:s["end"]]})
        records.append({"id": rec.get("id", f"synth-{lineno}"), "lang": rec.get("lang", "en"), "text": text, "spans": spans})
    return records


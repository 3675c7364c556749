"""The one scoring of the guard, used by `python -m evals.bench_guard` and the `guard*` suites.

A gold span is *leaked* when its exact text survives in the redacted output (whatever label the
redaction used: a phone redacted as ID_NUMBER is protected); *recall* = 1 - leak rate. Label
recall (same entity, overlapping offsets) and precision are reported beside it. A benign message
(no gold span) is *altered* when the output differs from the input. Spans are grouped as
structured identifiers, special categories (Art. 9 + Art. 10) and other personal data."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from guards.types import entity_group

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "knowledge" / "sources" / "omnes.txt"
GROUPS = ("structured", "special", "other")


def policy_allow(guard, policy: Path = POLICY) -> frozenset[str]:
    """The public strings of the bundled policy, as production derives them at ingest."""
    return guard.public_strings(policy.read_text(encoding="utf-8"))


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def item(rec: dict, redacted: str, findings: list, latency_ms: float) -> dict:
    """Per-message counts (keys `kind:scope`, scope = entity, group or 'all')."""
    counts: dict[str, float] = {}

    def add(key: str, value: float = 1.0) -> None:
        counts[key] = counts.get(key, 0.0) + value

    leaked = []
    for g in rec["spans"]:
        scopes = (g["entity"], entity_group(g["entity"]), "all")
        hit = any(f.entity == g["entity"] and _overlap(f.start, f.end, g["start"], g["end"]) for f in findings)
        leak = g["text"] in redacted
        if leak:
            leaked.append(g["entity"])
        for scope in scopes:
            add(f"gold:{scope}")
            add(f"hit:{scope}", float(hit))
            add(f"leak:{scope}", float(leak))
    for f in findings:
        hit = any(f.entity == g["entity"] and _overlap(f.start, f.end, g["start"], g["end"]) for g in rec["spans"])
        for scope in (f.entity, entity_group(f.entity), "all"):
            add(f"pred:{scope}")
            add(f"pred_hit:{scope}", float(hit))
    benign = not rec["spans"]
    return {"id": rec["id"], "lang": rec["lang"], "counts": counts, "leaked": leaked, "benign": benign,
            "altered": benign and redacted != rec["text"], "latency_ms": latency_ms,
            "expected": sorted({g["entity"] for g in rec["spans"]}), "found": sorted({f.entity for f in findings})}


def run(records: list[dict], system: Callable[[str, str | None], tuple[str, list]], warmup: int = 3) -> list[dict]:
    """Score `system(text, lang_hint) -> (redacted, findings)` on every record. A record whose
    `lang` is not en/fr ("mixed") gets no hint."""
    for rec in records[:warmup]:
        system(rec["text"], None)
    items = []
    for rec in records:
        hint = rec["lang"] if rec["lang"] in ("en", "fr") else None
        start = time.perf_counter()
        redacted, findings = system(rec["text"], hint)
        items.append(item(rec, redacted, findings, (time.perf_counter() - start) * 1000))
    return items


def column(items: list[dict], key: str) -> np.ndarray:
    return np.array([i["counts"].get(key, 0.0) for i in items])


def scopes(items: list[dict]) -> list[str]:
    found = {k.split(":", 1)[1] for i in items for k in i["counts"] if k.startswith("gold:")}
    return ["all", *[g for g in GROUPS if g in found], *sorted(found - {"all", *GROUPS})]


def summary(items: list[dict]) -> dict:
    """Plain numbers: per scope gold/leaked/leak_rate/recall/label_recall/precision, benign
    alteration, latency percentiles."""
    out: dict = {"messages": len(items), "scopes": {}}
    for scope in scopes(items):
        gold, leak = column(items, f"gold:{scope}").sum(), column(items, f"leak:{scope}").sum()
        hit, pred, pred_hit = (column(items, f"{k}:{scope}").sum() for k in ("hit", "pred", "pred_hit"))
        out["scopes"][scope] = {
            "gold": int(gold), "leaked": int(leak),
            "leak_rate": round(leak / gold, 4) if gold else 0.0,
            "recall": round(1 - leak / gold, 4) if gold else 0.0,
            "label_recall": round(hit / gold, 4) if gold else 0.0,
            "precision": round(pred_hit / pred, 4) if pred else 0.0,
        }
    benign = [i for i in items if i["benign"]]
    out["benign_messages"] = len(benign)
    out["benign_altered"] = sum(i["altered"] for i in benign)
    out["benign_alteration_rate"] = round(out["benign_altered"] / len(benign), 4) if benign else 0.0
    lat = np.array([i["latency_ms"] for i in items]) if items else np.array([0.0])
    out["latency_ms_p50"] = round(float(np.percentile(lat, 50)), 2)
    out["latency_ms_p95"] = round(float(np.percentile(lat, 95)), 2)
    return out

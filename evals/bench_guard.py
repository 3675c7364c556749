"""Guard benchmark: span precision/recall/F2 per entity, leak rate, benign alteration, latency;
the guard and vanilla Presidio side by side on `evals/datasets/guard_set.jsonl`.

    python -m evals.bench_guard [--json OUT] [--no-baseline]

`run_guard_bench()` returns the metrics dict (used by `privacybot eval`)."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from bot import offline  # noqa: F401
from evals.guard_dataset import DATASET, load_guard_set
from guards.guard import ENTITIES
from guards.types import SPECIAL_CATEGORIES

STRUCTURED = ("EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD", "FR_NIR", "IP_ADDRESS")
TARGETS = {"leak_rate_structured": 0.0, "leak_rate": 0.02, "benign_alteration_rate": 0.03, "latency_ms_median": 15.0}


def _f2(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 5 * p * r / (4 * p + r)


def _overlaps(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_system(records: list[dict], run, warmup: int = 5) -> dict:
    """`run(text, lang) -> (redacted_text, [spans with entity/start/end])`."""
    for rec in records[:warmup]:
        run(rec["text"], rec["lang"])
    gold_n, gold_hit, pred_n, pred_hit = (defaultdict(int) for _ in range(4))
    leaks, leaks_structured, gold_total, gold_structured = 0, 0, 0, 0
    benign_total, benign_altered, latencies, missed = 0, 0, [], []
    for rec in records:
        start = time.perf_counter()
        redacted, spans = run(rec["text"], rec["lang"])
        latencies.append((time.perf_counter() - start) * 1000)
        gold = rec["spans"]
        if not gold:
            benign_total += 1
            benign_altered += redacted != rec["text"]
        for g in gold:
            gold_n[g["entity"]] += 1
            gold_total += 1
            structured = g["entity"] in STRUCTURED
            gold_structured += structured
            if any(p.entity == g["entity"] and _overlaps((p.start, p.end), (g["start"], g["end"])) for p in spans):
                gold_hit[g["entity"]] += 1
            if g["text"] in redacted:
                leaks += 1
                leaks_structured += structured
                missed.append({"id": rec["id"], "entity": g["entity"]})
        for p in spans:
            pred_n[p.entity] += 1
            if any(p.entity == g["entity"] and _overlaps((p.start, p.end), (g["start"], g["end"])) for g in gold):
                pred_hit[p.entity] += 1
    per_entity = {}
    for entity in ENTITIES:
        if not gold_n[entity] and not pred_n[entity]:
            continue
        p = pred_hit[entity] / pred_n[entity] if pred_n[entity] else 0.0
        r = gold_hit[entity] / gold_n[entity] if gold_n[entity] else 0.0
        per_entity[entity] = {"precision": round(p, 3), "recall": round(r, 3), "f2": round(_f2(p, r), 3),
                              "gold": gold_n[entity], "predicted": pred_n[entity]}
    tp_pred = sum(pred_hit[e] for e in ENTITIES)
    all_pred = sum(pred_n[e] for e in ENTITIES)
    tp_gold = sum(gold_hit[e] for e in ENTITIES)
    p = tp_pred / all_pred if all_pred else 0.0
    r = tp_gold / gold_total if gold_total else 0.0
    lat = sorted(latencies)
    return {
        "messages": len(records),
        "micro": {"precision": round(p, 3), "recall": round(r, 3), "f2": round(_f2(p, r), 3)},
        "per_entity": per_entity,
        "special_categories": {e: v for e, v in per_entity.items() if e in SPECIAL_CATEGORIES},
        "leak_rate": round(leaks / gold_total, 4) if gold_total else 0.0,
        "leak_rate_structured": round(leaks_structured / gold_structured, 4) if gold_structured else 0.0,
        "benign_alteration_rate": round(benign_altered / benign_total, 4) if benign_total else 0.0,
        "benign_messages": benign_total,
        "latency_ms_median": round(statistics.median(lat), 2),
        "latency_ms_p95": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 2),
        "leaked": missed,
    }


def run_guard_bench(dataset: Path = DATASET, baseline: bool = True, detect_language: bool = True) -> dict:
    """Metrics for the guard (and vanilla Presidio when `baseline`) on the guard set."""
    from guards.guard import get_guard

    records = load_guard_set(dataset)
    guard = get_guard()

    def run_guard(text, lang):
        insp = guard.inspect(text, None if detect_language else lang)
        return insp.text, list(insp.findings)

    out = {"dataset": str(dataset), "guard": score_system(records, run_guard), "targets": TARGETS}
    g = out["guard"]
    out["targets_met"] = {
        "leak_rate_structured": g["leak_rate_structured"] <= TARGETS["leak_rate_structured"],
        "leak_rate": g["leak_rate"] <= TARGETS["leak_rate"],
        "benign_alteration_rate": g["benign_alteration_rate"] <= TARGETS["benign_alteration_rate"],
        "latency_ms_median": g["latency_ms_median"] <= TARGETS["latency_ms_median"],
    }
    if baseline:
        from evals.guard_baseline import VanillaPresidio

        vanilla = VanillaPresidio()
        out["vanilla_presidio"] = score_system(records, vanilla.run)
    return out


def format_table(metrics: dict) -> str:
    g, v = metrics["guard"], metrics.get("vanilla_presidio")
    rows = [("metric", "guard", "vanilla presidio" if v else "")]

    def val(m, *keys):
        for k in keys:
            m = m.get(k, {}) if isinstance(m, dict) else {}
        return "-" if m == {} else str(m)

    for key in ("leak_rate", "leak_rate_structured", "benign_alteration_rate", "latency_ms_median", "latency_ms_p95"):
        rows.append((key, val(g, key), val(v, key) if v else ""))
    for key in ("precision", "recall", "f2"):
        rows.append((f"micro {key}", val(g, "micro", key), val(v, "micro", key) if v else ""))
    for entity in ENTITIES:
        if entity in g["per_entity"] or (v and entity in v["per_entity"]):
            ge, ve = g["per_entity"].get(entity, {}), (v or {}).get("per_entity", {}).get(entity, {})
            fmt = lambda e: f"P {e['precision']:.2f} R {e['recall']:.2f} F2 {e['f2']:.2f} (n={e['gold']})" if e else "-"  # noqa: E731
            rows.append((entity, fmt(ge), fmt(ve) if v else ""))
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(width[i]) for i, c in enumerate(r)) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    met = ", ".join(f"{k}: {'met' if ok else 'NOT met'}" for k, ok in metrics["targets_met"].items())
    return "\n".join(lines) + f"\n\n{g['messages']} messages, {g['benign_messages']} benign. Targets: {met}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the metrics dict here")
    parser.add_argument("--no-baseline", action="store_true", help="skip vanilla Presidio")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args(argv)
    metrics = run_guard_bench(args.dataset, baseline=not args.no_baseline)
    print(format_table(metrics))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"metrics written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

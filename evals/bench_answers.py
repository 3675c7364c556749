"""Answer-quality benchmark on evals/datasets/dev_answers.jsonl (the real engine, no LLM).

    python -m evals.bench_answers [--json OUT] [--dataset FILE]

Metrics, EN and FR separately: fact accuracy (every expected fact regex found in the answer
text), citation accuracy (a cited section is an acceptable one), kind accuracy, refusal
precision/recall, rights routing (kind=rights_request and the DPO email in the text), zero
citations in refusals, latency per stage (median, p95; warm: models loaded before timing).
Cases sharing a "session" key run in order in one engine session (follow-ups)."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

from bot import offline  # noqa: F401

DATASET = Path(__file__).parent / "datasets" / "dev_answers.jsonl"
DPO_EMAIL = re.compile(r"dpo@omneseducation\.com", re.I)
TARGETS = {"fact_accuracy_en": 0.95, "fact_accuracy_fr": 0.90, "refusal_precision": 0.95, "refusal_recall": 0.95,
           "rights_accuracy": 0.95, "refusal_citations": 0, "answer_median_ms": 60.0}


def load_cases(path: Path = DATASET) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_cases(engine, cases: list[dict]) -> list[dict]:
    """Ask every case; returns one result row per case (no raw text beyond the dataset's own)."""
    sessions: dict[str, str] = {}
    rows = []
    for case in cases:
        group = case.get("session")
        answer = engine.ask(case["question"], session_id=sessions.get(group) if group else None, lang=case.get("lang"))
        if group:
            sessions[group] = answer.session_id
        cited = [c.section_id for c in answer.citations]
        facts = case.get("facts") or []
        rows.append({
            "id": case["id"], "lang": case.get("lang", "en"), "expected_kind": case["kind"], "kind": answer.kind,
            "facts_ok": all(re.search(f, answer.text, re.I) for f in facts) if facts else None,
            "citation_ok": (any(s in case["section_ids"] for s in cited) if case.get("section_ids") and
                            case["kind"] in ("answer", "rights_request") else None),
            "cited": cited, "dpo_email": bool(DPO_EMAIL.search(answer.text)),
            "timings": dict(answer.timings_ms), "intent": answer.trace.get("intent"),
        })
    return rows


def metrics(rows: list[dict]) -> dict:
    out: dict = {"cases": len(rows)}
    for lang in ("en", "fr"):
        sub = [r for r in rows if r["lang"] == lang]
        facts = [r["facts_ok"] for r in sub if r["facts_ok"] is not None]
        cites = [r["citation_ok"] for r in sub if r["citation_ok"] is not None]
        out[f"fact_accuracy_{lang}"] = round(sum(facts) / len(facts), 4) if facts else None
        out[f"citation_accuracy_{lang}"] = round(sum(cites) / len(cites), 4) if cites else None
        out[f"kind_accuracy_{lang}"] = round(sum(r["kind"] == r["expected_kind"] for r in sub) / len(sub), 4) if sub else None
        rights = [r for r in sub if r["expected_kind"] == "rights_request"]
        out[f"rights_accuracy_{lang}"] = (round(sum(r["kind"] == "rights_request" and r["dpo_email"] for r in rights)
                                                / len(rights), 4) if rights else None)
    refused = [r for r in rows if r["kind"] == "refusal"]
    should = [r for r in rows if r["expected_kind"] == "refusal"]
    tp = sum(r["expected_kind"] == "refusal" for r in refused)
    out["refusal_precision"] = round(tp / len(refused), 4) if refused else None
    out["refusal_recall"] = round(tp / len(should), 4) if should else None
    rights = [r for r in rows if r["expected_kind"] == "rights_request"]
    out["rights_accuracy"] = round(sum(r["kind"] == "rights_request" and r["dpo_email"] for r in rights) / len(rights), 4)
    out["refusal_citations"] = sum(len(r["cited"]) for r in refused)
    for stage in ("guard", "retrieve", "answer", "total"):
        values = [r["timings"].get(stage, 0.0) for r in rows]
        out[f"{stage}_median_ms"] = round(statistics.median(values), 2)
        out[f"{stage}_p95_ms"] = round(_pct(values, 0.95), 2)
    policy = [r["timings"]["total"] for r in rows if r["intent"] in ("question", "clarify_audience", "not_found")]
    out["answer_median_ms"] = round(statistics.median(policy), 2) if policy else None
    out["answer_p95_ms"] = round(_pct(policy, 0.95), 2) if policy else None
    out["failures"] = [r["id"] for r in rows if r["kind"] != r["expected_kind"] or r["facts_ok"] is False
                       or r["citation_ok"] is False]
    return out


def targets_met(m: dict) -> dict:
    return {
        "fact_accuracy_en": (m["fact_accuracy_en"] or 0) >= TARGETS["fact_accuracy_en"],
        "fact_accuracy_fr": (m["fact_accuracy_fr"] or 0) >= TARGETS["fact_accuracy_fr"],
        "refusal_precision": (m["refusal_precision"] or 0) >= TARGETS["refusal_precision"],
        "refusal_recall": (m["refusal_recall"] or 0) >= TARGETS["refusal_recall"],
        "rights_accuracy": m["rights_accuracy"] >= TARGETS["rights_accuracy"],
        "refusal_citations": m["refusal_citations"] == 0,
        "answer_median_ms": (m["answer_median_ms"] or 0) <= TARGETS["answer_median_ms"],
    }


def run(engine=None, dataset: Path = DATASET, *, settings=None, warm: bool = True) -> dict:
    """Metrics dict for `privacybot eval` (suite 'answers')."""
    if engine is None:
        from bot.engine import Engine

        engine = Engine(settings)  # no conversation store: eval runs are not logged
    if warm:
        engine.warm_up()
    rows = run_cases(engine, load_cases(dataset))
    m = metrics(rows)
    m["targets_met"] = targets_met(m)
    m["rows"] = rows
    return m


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", dest="json_out", type=Path, help="Write metrics (and per-case rows) to this file.")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args(argv)
    m = run(dataset=args.dataset)
    if args.json_out:
        args.json_out.write_text(json.dumps(m, indent=2, ensure_ascii=False), encoding="utf-8")
    for key, value in m.items():
        if key not in ("rows",):
            print(f"{key}: {value}")
    return 0 if all(m["targets_met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())

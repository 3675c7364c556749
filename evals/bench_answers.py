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
    """Ask every case; returns one result row per case (no raw text beyond the dataset's own).
    The query-embedding cache is cleared before each case so latency is that of a new question."""
    from knowledge import embedders

    sessions: dict[str, str] = {}
    rows = []
    for case in cases:
        group = case.get("session")
        embedders.clear_query_cache()  # every case pays its query embedding: no cache hits across suites
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
    # "answer_median_ms" below is the end-to-end median of policy questions (the target); the
    # engine's "answer" stage (intents + composition) keeps its own keys.
    out["answer_stage_median_ms"], out["answer_stage_p95_ms"] = out["answer_median_ms"], out["answer_p95_ms"]
    policy_rows = [r for r in rows if r["intent"] in ("question", "clarify_audience", "not_found")]
    for stage in ("guard", "retrieve", "answer"):
        values = [r["timings"].get(stage, 0.0) for r in policy_rows]
        if values:
            out[f"policy_{stage}_median_ms"] = round(statistics.median(values), 2)
            out[f"policy_{stage}_p95_ms"] = round(_pct(values, 0.95), 2)
    policy = [r["timings"]["total"] for r in policy_rows]
    out["answer_median_ms"] = round(statistics.median(policy), 2) if policy else None
    out["answer_p95_ms"] = round(_pct(policy, 0.95), 2) if policy else None
    out["failures"] = [r["id"] for r in rows if r["kind"] != r["expected_kind"] or r["facts_ok"] is False
                       or r["citation_ok"] is False]
    return out


def compose_profile(engine, cases: list[dict], repeats: int = 20) -> dict:
    """Single-threaded micro-profile of the composition step alone (units, scoring, choice, direct
    answer, citations, rendering) on the policy questions' real retrieval hits: a number that does
    not depend on the load of a shared machine as much as the end-to-end timings do."""
    import time

    from bot import compose
    from bot import intents as intents_mod

    prepared = []
    for case in cases:
        if case["kind"] != "answer" or case.get("session"):
            continue
        intent = intents_mod.classify(case["question"])
        if intent.name != "question":
            continue
        lang = case.get("lang", "en")
        hits = engine.retriever.search(case["question"], k=8, lang=lang, audience=intent.audience)
        terms = intents_mod.query_terms(case["question"], lang) | intents_mod.qtype_terms(intent.qtype)
        topic = intents_mod.topic_terms(terms, intent.qtype) if intent.qtype == "duration" else None
        prepared.append((hits, terms, topic, intent.qtype, lang))
    composer = engine.composer
    ms = []
    for _ in range(repeats):
        for hits, terms, topic, qtype, lang in prepared:
            t0 = time.perf_counter()
            scored = composer.score(composer.units(hits), terms, qtype, topic_terms=topic)
            chosen = composer.choose(scored, qtype)
            direct, _ = compose.direct_answer(chosen, qtype, lang)
            compose.render(direct, compose.citations_for(chosen), lang)
            ms.append((time.perf_counter() - t0) * 1000)
    return {"compose_micro_median_ms": round(statistics.median(ms), 3) if ms else None,
            "compose_micro_p95_ms": round(_pct(ms, 0.95), 3) if ms else None,
            "compose_micro_samples": len(ms)}


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


def run(engine=None, dataset: Path = DATASET, *, settings=None, warm: bool = True, micro: bool = True) -> dict:
    """Metrics dict for `privacybot eval` (suite 'answers'). With `micro`, adds the single-threaded
    composition micro-profile (compose_micro_median_ms / _p95_ms)."""
    if engine is None:
        from bot.engine import Engine

        engine = Engine(settings)  # no conversation store: eval runs are not logged
    if warm:
        engine.warm_up()
    cases = load_cases(dataset)
    rows = run_cases(engine, cases)
    m = metrics(rows)
    if micro:
        m.update(compose_profile(engine, cases))
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

"""Answers suite: fact accuracy, citation accuracy, kinds (refusal / rights routing) EN and FR,
with a confusion matrix of expected vs returned kinds. Scoring is the engine engineer's
(`evals.bench_answers.run`, which returns per-case rows); this adapter adds bootstrap
intervals, the confusion matrix and the worst failures (with the answer text, redacted).

Every entry point takes `suite` and `default` (dataset path; None = DATASET), so `suite_answers_holdout`
runs the same code on the holdout set under its own name."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evals import stats
from evals.datasets_io import DATASETS_DIR, ident, lang, load_jsonl, one_of, str_list, text
from evals.results import Metric, SuiteResult

NEEDS_INDEX = True
DATASET = DATASETS_DIR / "dev_answers.jsonl"
KINDS = ("answer", "refusal", "rights_request", "clarification", "greeting")
WORST = 15
REQUIRED = {"id": ident, "question": text, "lang": lang, "kind": one_of(*KINDS)}
OPTIONAL = {"facts": str_list, "section_ids": str_list, "session": text}


def datasets(ctx, suite: str = "answers", default: Path | None = None) -> list[Path]:
    return [ctx.dataset(suite, default or DATASET)]


def validate(ctx, suite: str = "answers", default: Path | None = None) -> None:
    load_jsonl(ctx.dataset(suite, default or DATASET), REQUIRED, OPTIONAL)


class _Recording:
    """Delegates to the engine and keeps each Answer (in order) for the failure list."""

    def __init__(self, engine, tick=None):
        self._engine, self._tick, self.answers = engine, tick, []

    def ask(self, *args, **kwargs):
        answer = self._engine.ask(*args, **kwargs)
        self.answers.append(answer)
        if self._tick:
            self._tick()
        return answer

    def __getattr__(self, name):
        return getattr(self._engine, name)


def ask_all(ctx, suite: str = "answers", default: Path | None = None) -> tuple[dict, list[dict], list, list[dict]]:
    """Run bench_answers on the real engine once per evaluation run and dataset (latency reuses
    the `answers` run); cached in `ctx.shared[suite]`."""
    if suite in ctx.shared:
        return ctx.shared[suite]
    from evals.bench_answers import run as bench_run

    path = ctx.dataset(suite, default or DATASET)
    cases = load_jsonl(path, REQUIRED, OPTIONAL)
    bar = ctx.bar(range(len(cases)), desc=suite, total=len(cases))
    recorder = _Recording(ctx.engine(), tick=lambda: bar.update(1))
    theirs = bench_run(engine=recorder, dataset=path, warm=True)
    bar.close()
    rows = theirs.get("rows") or []
    answers = recorder.answers[-len(rows):] if rows else []
    ctx.shared[suite] = (theirs, rows, answers, cases)
    return ctx.shared[suite]


def _mean_metric(values: list[float]) -> Metric | None:
    return Metric(stats.mean(values), stats.bootstrap_ci(values), len(values)) if values else None


def _ratio_metric(num: list[float], den: list[float], note: str) -> Metric | None:
    total = sum(den)
    if not total:
        return None
    cols = {"num": np.array(num), "den": np.array(den)}
    return Metric(sum(num) / total, stats.bootstrap_sums(cols, lambda s: stats.safe_div(s["num"], s["den"])),
                  int(total), note=note)


def metrics_from_rows(rows: list[dict]) -> dict[str, Metric]:
    out: dict[str, Metric] = {}
    for suffix, group in (("", rows), ("_en", [r for r in rows if r["lang"] == "en"]),
                          ("_fr", [r for r in rows if r["lang"] == "fr"])):
        if not group:
            continue
        for name, values in (
            ("fact_accuracy", [float(r["facts_ok"]) for r in group if r["facts_ok"] is not None]),
            ("citation_accuracy", [float(r["citation_ok"]) for r in group if r["citation_ok"] is not None]),
            ("kind_accuracy", [float(r["kind"] == r["expected_kind"]) for r in group]),
            ("rights_accuracy", [float(r["kind"] == "rights_request" and r["dpo_email"])
                                 for r in group if r["expected_kind"] == "rights_request"]),
        ):
            metric = _mean_metric(values)
            if metric:
                out[f"{name}{suffix}"] = metric
    for kind, name in (("refusal", "refusal"), ("rights_request", "rights")):
        got = [float(r["kind"] == kind) for r in rows]
        want = [float(r["expected_kind"] == kind) for r in rows]
        both = [g * w for g, w in zip(got, want, strict=True)]
        p = _ratio_metric(both, got, f"of answers of kind {kind}, share expected")
        r = _ratio_metric(both, want, f"of cases expecting {kind}, share returned")
        if p:
            out[f"{name}_precision"] = p
        if r:
            out[f"{name}_recall"] = r
    refused = [r for r in rows if r["kind"] == "refusal"]
    out["refusal_citations"] = Metric(float(sum(len(r["cited"]) for r in refused)), None, len(refused),
                                      note="citations attached to refusals (should be 0)")
    return out


def confusion(rows: list[dict]) -> dict:
    labels = list(KINDS) + sorted({r["kind"] for r in rows} - set(KINDS))
    index = {k: i for i, k in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for r in rows:
        matrix[index[r["expected_kind"]]][index[r["kind"]]] += 1
    return {"labels": labels, "matrix": matrix}


def worst(rows: list[dict], answers: list, cases: list[dict], n: int = WORST) -> list[dict]:
    by_id = {c["id"]: c for c in cases}

    def problem(r):
        if r["kind"] != r["expected_kind"]:
            return 0, f"kind {r['kind']} instead of {r['expected_kind']}"
        if r["facts_ok"] is False:
            return 1, "expected fact missing from the answer"
        if r["citation_ok"] is False:
            return 2, "cited a section that is not an expected one"
        if r["expected_kind"] == "rights_request" and not r["dpo_email"]:
            return 3, "rights request without the DPO contact"
        return None

    scored = []
    for r, a in zip(rows, answers or [None] * len(rows), strict=False):
        p = problem(r)
        if p:
            scored.append((p, r, a))
    scored.sort(key=lambda x: (x[0][0], str(x[1]["id"])))
    out = []
    for (_rank, why), r, a in scored[:n]:
        case = by_id.get(r["id"], {})
        expected = f"kind={r['expected_kind']}"
        if case.get("facts"):
            expected += f"; facts={' / '.join(case['facts'])}"
        if case.get("section_ids"):
            expected += f"; sections={', '.join(case['section_ids'])}"
        got = f"kind={r['kind']}; cited={', '.join(r['cited']) or '(none)'}"
        if a is not None:
            got += f"; text={a.text[:400]}"
        out.append({"id": r["id"], "lang": r["lang"], "question": case.get("question", ""), "expected": expected,
                    "got": got, "why": why})
    return out


def run(ctx, suite: str = "answers", default: Path | None = None) -> SuiteResult:
    theirs, rows, answers, cases = ask_all(ctx, suite, default)
    result = SuiteResult(suite, metrics=metrics_from_rows(rows), datasets=[ctx.dataset(suite, default or DATASET)])
    table = confusion(rows)
    result.tables["kind confusion matrix"] = table
    result.series["kind_confusion"] = {"type": "confusion", "title": "Answer kinds: expected (rows) vs got (columns)",
                                       **table, "xlabel": "got", "ylabel": "expected"}
    result.failures = worst(rows, answers, cases)
    from evals.results import flatten

    result.bench = {k: v for k, v in flatten({k: v for k, v in theirs.items()
                                              if k not in ("rows", "failures", "targets_met")}).items()}
    for key in ("fact_accuracy_en", "fact_accuracy_fr", "refusal_precision", "refusal_recall"):
        ours, their = result.metrics.get(key), theirs.get(key)
        if ours and their is not None and abs(ours.value - their) > 0.001:
            result.notes.append(f"Cross-check: bench_answers {key} = {their} vs {ours.value:.3f} here.")
    return result

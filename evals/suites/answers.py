"""Answers: each case asked once through the engine's public API (`ask(..., record=False)`; cases
sharing a "session" key run in order in one session), scored on the whole reply (see
evals/metrics/answers.py). Adds the kind confusion matrix and the worst failures."""

from __future__ import annotations

from evals.datasets import ANSWERS, load_jsonl
from evals.metrics import answers as scoring
from evals.results import SuiteResult

LANG = r"(_(en|fr))?"
METRICS = [
    rf"(fact|citation|kind|rights)_accuracy{LANG}",
    rf"(refusal|rights)_(precision|recall){LANG}",
    rf"(refusal_citations|uncited_answers|answerable_refused){LANG}",
    rf"total_p(50|95)_ms{LANG}",
    rf"quoted_chars_p(50|95){LANG}",
]


def validate(ctx, suite) -> None:
    load_jsonl(suite.path(ctx), *ANSWERS)


def run(ctx, suite) -> SuiteResult:
    cases = load_jsonl(suite.path(ctx), *ANSWERS)
    engine, dpo = ctx.engine(), ctx.kb_facts()["dpo_email"]
    sessions: dict[str, str] = {}
    rows, failures = [], []
    for case in ctx.bar(cases, desc=suite.name):
        group = case.get("session")
        answer = engine.ask(case["question"], session_id=sessions.get(group), lang=case["lang"], record=False)
        if group:
            sessions[group] = answer.session_id
        rows.append(row := scoring.score(case, answer, dpo))
        if problem := scoring.problem(row):
            failures.append((problem[0], {
                "id": case["id"], "lang": case["lang"], "question": case["question"], "why": problem[1],
                "expected": f"kind={case['kind']}; facts={case.get('facts')}; sections={case.get('section_ids')}",
                "got": f"kind={answer.kind}; cited={', '.join(row['cited']) or '(none)'}; text={answer.text[:400]}"}))
    result = SuiteResult(suite.name, metrics=scoring.metrics(rows), datasets=suite.files(ctx))
    result.tables["kind confusion matrix"] = scoring.confusion(rows)
    result.failures = [f for _rank, f in sorted(failures, key=lambda x: (x[0], str(x[1]["id"])))]  # worst first
    return result

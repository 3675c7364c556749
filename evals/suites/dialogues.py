"""Dialogues: each conversation runs in one engine session (every turn passes the previous
answer's `session_id`; the language is detected, `lang=None`; `record=False`), scored turn by
turn (evals/metrics/dialogues.py): turn accuracy, conversation accuracy, wrong-audience turns."""

from __future__ import annotations

from evals.datasets import DIALOGUES, load_jsonl
from evals.metrics import answers as answer_scoring
from evals.metrics import dialogues as scoring
from evals.results import SuiteResult

LANG = r"(_(en|fr))?"
METRICS = [rf"(turn|conversation)_accuracy{LANG}", rf"(wrong_audience_turns|uncited_answers|refusal_citations){LANG}"]


def validate(ctx, suite) -> None:
    load_jsonl(suite.path(ctx), *DIALOGUES)


def run(ctx, suite) -> SuiteResult:
    records = load_jsonl(suite.path(ctx), *DIALOGUES)
    engine, parts = ctx.engine(), ctx.kb_facts().get("audience_parts", [])
    conversations, failures = [], []
    for rec in ctx.bar(records, desc=suite.name):
        session_id, rows = None, []
        for i, turn in enumerate(rec["turns"], 1):
            answer = engine.ask(turn["user"], session_id=session_id, lang=None, record=False)
            session_id = answer.session_id
            row = scoring.score_turn(turn["expect"], answer, parts)
            rows.append(row)
            if not row["right"]:
                failures.append({"id": f"{rec['id']}#{i}", "lang": rec["lang"], "question": turn["user"],
                                 "expected": f"kind={turn['expect']['kind']}; facts={turn['expect'].get('facts')}; "
                                             f"sections={turn['expect'].get('section_ids')}",
                                 "got": f"kind={answer.kind}; cited={', '.join(row['cited']) or '(none)'}; "
                                        f"text={answer.text[:300]}",
                                 "why": row["why"]})
        conversations.append({"id": rec["id"], "lang": rec["lang"], "turns": rows})
    result = SuiteResult(suite.name, metrics=scoring.metrics(conversations), datasets=suite.files(ctx))
    turns = [t for c in conversations for t in c["turns"]]
    result.tables["kind confusion matrix (turns)"] = answer_scoring.confusion(turns)
    result.failures = failures
    result.notes.append(f"{len(conversations)} conversations, {len(turns)} turns; intervals resample conversations.")
    return result

"""Scoring done in the suite adapters (on hand-made outputs, so each rule is pinned down):
guard span matching and leaks, answer kinds and rates, and the worst-failure lists."""

from __future__ import annotations

import pytest

from evals import suite_answers, suite_guard
from guards.types import Finding

TEXT = "Je m'appelle Léa Martin, mon mail est lea@example.org et je suis diabétique."
SPANS = [
    {"entity": "PERSON", "text": "Léa Martin", "start": 13, "end": 23},
    {"entity": "EMAIL_ADDRESS", "text": "lea@example.org", "start": 38, "end": 53},
    {"entity": "HEALTH", "text": "diabétique", "start": 65, "end": 75},
]
REC = {"id": "fr-x", "lang": "fr", "text": TEXT, "spans": SPANS}


@pytest.mark.parametrize(
    "findings, redacted, hits, leaks",
    [
        # everything found and redacted
        ([Finding("PERSON", 13, 23, 0.9), Finding("EMAIL_ADDRESS", 38, 53, 1.0), Finding("HEALTH", 65, 75, 0.9)],
         "Je m'appelle [PERSON], mon mail est [EMAIL_ADDRESS] et je suis [HEALTH].", 3, {}),
        # e-mail missed entirely: a structured leak
        ([Finding("PERSON", 13, 23, 0.9), Finding("HEALTH", 65, 75, 0.9)],
         "Je m'appelle [PERSON], mon mail est lea@example.org et je suis [HEALTH].", 2, {"structured": 1}),
        # health span redacted under the wrong label: not a leak, but not a hit either
        ([Finding("PERSON", 13, 23, 0.9), Finding("EMAIL_ADDRESS", 38, 53, 1.0), Finding("RELIGION", 65, 75, 0.5)],
         "Je m'appelle [PERSON], mon mail est [EMAIL_ADDRESS] et je suis [RELIGION].", 2, {}),
        # partial overlap counts as a hit (bench_guard's rule)
        ([Finding("PERSON", 13, 16, 0.9), Finding("EMAIL_ADDRESS", 38, 53, 1.0), Finding("HEALTH", 65, 75, 0.9)],
         "Je m'appelle [PERSON] Martin, mon mail est [EMAIL_ADDRESS] et je suis [HEALTH].", 3, {}),
    ],
)
def test_guard_item_record(findings, redacted, hits, leaks):
    item = suite_guard.item_record(REC, redacted, findings)
    assert item["counts"]["gold:all"] == 3
    assert item["counts"].get("gold_hit:all", 0) == hits
    for cat in ("structured", "special", "other"):
        assert item["counts"].get(f"leak:{cat}", 0) == leaks.get(cat, 0)
    assert not item["benign"] and not item["altered"]


def test_guard_failure_text_masks_gold_spans_even_when_the_guard_missed_them():
    item = suite_guard.item_record(REC, TEXT, [])  # guard found nothing at all
    failures = suite_guard.worst([item])
    assert failures[0]["why"].startswith("leaked")
    shown = failures[0]["question"]
    assert "lea@example.org" not in shown and "Léa Martin" not in shown and "diabétique" not in shown
    assert "[EMAIL_ADDRESS]" in shown and "[HEALTH]" in shown


def test_guard_metrics_and_benign_alteration():
    benign = {"id": "en-b", "lang": "en", "text": "Do you process health data?", "spans": []}
    items = [
        suite_guard.item_record(REC, "x", [Finding("PERSON", 13, 23, 0.9), Finding("EMAIL_ADDRESS", 38, 53, 1.0)]),
        suite_guard.item_record(benign, "Do you process [HEALTH] data?", [Finding("HEALTH", 15, 21, 0.6)]),
    ]
    m = suite_guard.prf_metrics(items, "all", "")
    assert m["recall"].value == pytest.approx(2 / 3)
    assert m["precision"].value == pytest.approx(2 / 3)  # the benign HEALTH finding is a false positive
    assert items[1]["benign"] and items[1]["altered"]
    assert suite_guard.leak_metric(items, "special").value == 0.0  # "x" contains no gold text


def _row(i, lang, expected, kind, facts_ok=True, citation_ok=True, cited=(), dpo=False):
    return {"id": i, "lang": lang, "expected_kind": expected, "kind": kind, "facts_ok": facts_ok,
            "citation_ok": citation_ok, "cited": list(cited), "dpo_email": dpo, "timings": {}, "intent": None}


ROWS = [
    _row("1", "en", "answer", "answer"),
    _row("2", "fr", "answer", "answer", facts_ok=False),
    _row("3", "en", "refusal", "refusal", None, None),
    _row("4", "fr", "answer", "refusal", False, None),
    _row("5", "en", "rights_request", "rights_request", None, True, dpo=True),
    _row("6", "fr", "rights_request", "answer", None, False),
]


@pytest.mark.parametrize(
    "key, value",
    [
        ("fact_accuracy", 1 / 3),  # rows 1, 2, 4 have facts; only row 1 is right
        ("fact_accuracy_en", 1.0),
        ("fact_accuracy_fr", 0.0),
        ("kind_accuracy", 4 / 6),
        ("refusal_precision", 1 / 2),
        ("refusal_recall", 1.0),
        ("rights_precision", 1.0),
        ("rights_recall", 1 / 2),
        ("rights_accuracy", 1 / 2),
        ("citation_accuracy", 3 / 4),
        ("refusal_citations", 0.0),
    ],
)
def test_answer_metrics(key, value):
    assert suite_answers.metrics_from_rows(ROWS)[key].value == pytest.approx(value)


def test_answer_confusion_matrix_rows_expected_columns_got():
    table = suite_answers.confusion(ROWS)
    idx = {k: i for i, k in enumerate(table["labels"])}
    assert table["matrix"][idx["answer"]][idx["refusal"]] == 1
    assert table["matrix"][idx["rights_request"]][idx["answer"]] == 1
    assert sum(map(sum, table["matrix"])) == len(ROWS)


def test_answer_worst_failures_put_wrong_kinds_first():
    cases = [{"id": r["id"], "question": f"q{r['id']}", "facts": ["x"], "section_ids": ["s"]} for r in ROWS]
    failures = suite_answers.worst(ROWS, [], cases)
    assert [f["id"] for f in failures][:2] == ["4", "6"]
    assert failures[0]["why"] == "kind refusal instead of answer"
    assert {f["id"] for f in failures} == {"2", "4", "6"}

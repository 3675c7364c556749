"""Scoring rules on hand-made answers (bot.types.Answer, no engine): what a visitor sees is the
answer text plus the citations' quotes; metrics overall and per language; dialogue turns."""

from __future__ import annotations

import math

import pytest

from bot.types import Answer, Citation
from evals.metrics import answers, dialogues, retrieval

DPO = "dpo@omneseducation.com"
PARTS = ["prospects", "students", "alumni", "staff", "partners", "cctv"]


def reply(kind="answer", text="", cites=(), lang="en", total=10.0) -> Answer:
    return Answer("s1", kind, lang, text, [Citation(s, s.split("/")[0], s, q) for s, q in cites],
                  timings_ms={"total": total})


def case(kind="answer", lang="en", facts=(), sections=(), cid="c"):
    return {"id": cid, "lang": lang, "kind": kind, "question": "q", "facts": list(facts), "section_ids": list(sections)}


@pytest.mark.parametrize(
    "lang, facts, text, quote, ok",
    [
        ("en", ["6 years|six"], "We keep it for a while.", "kept for six years after you leave", True),
        ("fr", ["6 ans|six"], "Nous la gardons un temps.", "conservées six ans après votre départ", True),
        ("en", ["13 months"], "Cookies last 13 MONTHS.", "", True),  # case-insensitive, in the text
        ("fr", ["13 mois"], "Les cookies durent longtemps.", "Consentement valable un an.", False),
        ("en", ["30 days", "CCTV"], "Footage is kept 30 days.", "images are erased", False),  # every fact needed
    ],
)
def test_facts_are_matched_on_text_and_quotes(lang, facts, text, quote, ok):
    row = answers.score(case(lang=lang, facts=facts), reply(text=text, cites=[("cctv/VII", quote)], lang=lang), DPO)
    assert row["facts_ok"] is ok


@pytest.mark.parametrize(
    "expected, got, facts_ok, citation_ok, dpo",
    [
        ("answer", reply(text="six years", cites=[("students/VII", "")]), True, True, False),
        ("rights_request", reply("rights_request", "Write to DPO@omneseducation.com", [("general/V", "")]),
         None, True, True),  # facts scored on answers only; the e-mail may be in capitals
        ("rights_request", reply("rights_request", "Write to us.", [("general/V", f"Contact {DPO}")]),
         None, True, True),  # the e-mail in a quote is in the reply too
        ("refusal", reply("refusal", "Not covered."), None, None, False),
        ("answer", reply(text="six years", cites=[("alumni/VII", "")]), True, False, False),
    ],
)
def test_case_scoring(expected, got, facts_ok, citation_ok, dpo):
    sections = {"answer": ["students/VII"], "rights_request": ["general/V"], "refusal": []}[expected]
    row = answers.score(case(expected, facts=["six years"], sections=sections), got, DPO)
    assert (row["facts_ok"], row["citation_ok"], row["dpo_email"]) == (facts_ok, citation_ok, dpo)


def _row(i, lang, expected, kind, facts_ok=True, citation_ok=True, cited=("s",), dpo=False, total=10.0):
    return {"id": i, "lang": lang, "expected_kind": expected, "kind": kind, "facts_ok": facts_ok,
            "citation_ok": citation_ok, "cited": list(cited), "dpo_email": dpo, "total_ms": total}


ROWS = [
    _row("1", "en", "answer", "answer", total=10),
    _row("2", "fr", "answer", "answer", facts_ok=False, total=20),
    _row("3", "en", "refusal", "refusal", None, None, cited=(), total=30),
    _row("4", "fr", "answer", "refusal", None, None, cited=("x",), total=40),  # a refusal with a citation
    _row("5", "en", "rights_request", "rights_request", None, True, dpo=True, total=50),
    _row("6", "fr", "rights_request", "answer", None, False, cited=(), total=60),  # an answer without citation
    _row("7", "en", "greeting", "greeting", None, None, cited=(), total=70),
]

METRICS = answers.metrics(ROWS)


@pytest.mark.parametrize(
    "key, value",
    [
        ("fact_accuracy", 1 / 2), ("fact_accuracy_en", 1.0), ("fact_accuracy_fr", 0.0),
        ("kind_accuracy", 5 / 7), ("kind_accuracy_en", 1.0), ("kind_accuracy_fr", 1 / 3),
        ("refusal_precision", 1 / 2), ("refusal_recall", 1.0), ("refusal_precision_fr", 0.0),
        ("rights_precision", 1.0), ("rights_recall", 1 / 2), ("rights_accuracy", 1 / 2), ("rights_accuracy_en", 1.0),
        ("citation_accuracy", 3 / 4), ("answerable_refused", 1 / 3), ("answerable_refused_fr", 1 / 2),
        ("uncited_answers", 1.0), ("uncited_answers_en", 0.0), ("uncited_answers_fr", 1.0),
        ("refusal_citations", 1.0), ("refusal_citations_fr", 1.0), ("refusal_citations_en", 0.0),
        ("total_p50_ms", 40.0), ("total_p95_ms_en", 67.0),
    ],
)
def test_answer_metrics(key, value):
    assert METRICS[key].value == pytest.approx(value)


def test_metrics_carry_intervals_and_directions():
    m = METRICS
    assert m["kind_accuracy"].ci[0] <= m["kind_accuracy"].value <= m["kind_accuracy"].ci[1]
    assert m["kind_accuracy"].better == "higher" and m["answerable_refused"].better == "lower"
    assert m["total_p50_ms"].better is None and m["total_p50_ms"].unit == "ms"  # latency is not regression-gated
    assert "rights_accuracy_fr" not in m or m["rights_accuracy_fr"].value == 0.0


def test_confusion_matrix_rows_expected_columns_got():
    table = answers.confusion(ROWS)
    idx = {k: i for i, k in enumerate(table["labels"])}
    assert table["matrix"][idx["answer"]][idx["refusal"]] == 1
    assert table["matrix"][idx["rights_request"]][idx["answer"]] == 1
    assert sum(map(sum, table["matrix"])) == len(ROWS)


@pytest.mark.parametrize(
    "expect, got, right, why",
    [
        ({"kind": "answer", "facts": ["3 years|three"], "section_ids": ["partners/VII"], "audience": "partners"},
         reply(text="Three years.", cites=[("partners/VII", "")]), True, None),
        ({"kind": "answer", "facts": ["3 ans|trois"], "section_ids": [], "audience": "partners"},
         reply(text="Trois ans.", cites=[("students/VII", "")], lang="fr"), False, "another audience's part (students)"),
        ({"kind": "answer", "facts": [], "section_ids": [], "audience": "staff"},
         reply(text="See the general part.", cites=[("general/II", ""), ("cookies/x", "")]), True, None),
        ({"kind": "clarification", "facts": [], "section_ids": [], "audience": "staff"},
         reply("clarification", "Are you a student?", cites=[("students/I", "")]), True, None),  # not an answer
        ({"kind": "answer", "facts": ["30 jours"], "section_ids": ["cctv/VII"], "audience": None},
         reply(text="Les images sont effacées.", cites=[("cctv/VII", "effacées après 30 jours")], lang="fr"), True, None),
        ({"kind": "answer", "facts": [], "section_ids": ["cctv/VII"], "audience": None},
         reply(text="x", cites=[("staff/VII", "")]), False, "cited a section that is not an expected one"),
        ({"kind": "rights_request", "facts": [], "section_ids": [], "audience": None},
         reply("refusal", "No."), False, "kind refusal instead of rights_request"),
        ({"kind": "answer", "facts": ["DPO"], "section_ids": []}, reply(text="Ask us."), False, "expected fact missing"),
    ],
)
def test_dialogue_turn_rules(expect, got, right, why):
    turn = dialogues.score_turn(expect, got, PARTS)
    assert turn["right"] is right and (turn["why"] is None) is right
    if why:
        assert why in turn["why"]


def _conv(cid, lang, rights, wrong_audience=0):
    turns = [{"right": r, "kind": "answer", "cited": ["s"], "wrong_audience": ["x"] if i < wrong_audience else []}
             for i, r in enumerate(rights)]
    return {"id": cid, "lang": lang, "turns": turns}


def test_dialogue_metrics_per_turn_per_conversation_and_language():
    convs = [_conv("1", "en", [True, True, True]), _conv("2", "en", [True, False], wrong_audience=1),
             _conv("3", "fr", [True, True]), _conv("4", "fr", [False, False, False], wrong_audience=2)]
    m = dialogues.metrics(convs)
    assert m["turn_accuracy"].value == pytest.approx(6 / 10) and m["turn_accuracy"].n == 10
    assert m["conversation_accuracy"].value == pytest.approx(2 / 4)
    assert m["turn_accuracy_en"].value == pytest.approx(4 / 5) and m["conversation_accuracy_fr"].value == 0.5
    assert m["wrong_audience_turns"].value == 3 and m["wrong_audience_turns_en"].value == 1
    lo, hi = m["turn_accuracy"].ci
    assert lo < 0.6 < hi  # resampled by conversation


@pytest.mark.parametrize(
    "ranked, relevant, hit1, hit5, rr, ndcg",
    [
        ([{"a"}, {"b"}], {"a"}, 1.0, 1.0, 1.0, 1.0),
        ([{"b"}, {"a"}, {"c"}], {"a"}, 0.0, 1.0, 0.5, 1 / math.log2(3)),
        ([{f"x{i}"} for i in range(5)] + [{"a"}], {"a"}, 0.0, 0.0, 1 / 6, 0.0),  # rank 6: outside the top 5
        ([{"a", "b"}, {"c"}], {"b"}, 1.0, 1.0, 1.0, 1 / math.log2(3)),  # a baseline chunk covering two sections
        ([{"a"}, {"a"}, {"b"}], {"a", "b"}, 1.0, 1.0, 1.0, 1.0),  # chunks of one section count once in nDCG
    ],
)
def test_ranking_scores(ranked, relevant, hit1, hit5, rr, ndcg):
    s = retrieval.score(ranked, relevant)
    assert (s["hit@1"], s["hit@5"]) == (hit1, hit5)
    assert s["rr"] == pytest.approx(rr) and s["ndcg@5"] == pytest.approx(ndcg)


@pytest.mark.parametrize(
    "row, severity, why",
    [
        (_row("a", "fr", "answer", "refusal", None, None), 0, "kind refusal instead of answer"),
        (_row("b", "en", "answer", "answer", facts_ok=False), 1, "expected fact missing from the reply"),
        (_row("c", "fr", "answer", "answer", citation_ok=False), 2, "cited a section that is not an expected one"),
        (_row("d", "en", "rights_request", "rights_request", None, True), 3, "rights request without the DPO contact"),
        (_row("e", "fr", "rights_request", "rights_request", None, True, dpo=True), None, None),
    ],
)
def test_failure_classes_rank_a_wrong_kind_first(row, severity, why):
    assert answers.problem(row) == ((severity, why) if why else None)


def test_characters_quoted_per_answer_are_reported_by_language_and_only_for_answers():
    rows = [{**_row(str(i), lang, "answer", kind), "quoted_chars": n}
            for i, (lang, kind, n) in enumerate([("en", "answer", 100), ("en", "answer", 300), ("fr", "answer", 2000),
                                                 ("fr", "refusal", None)])]
    m = answers.metrics(rows)
    assert m["quoted_chars_p50"].value == pytest.approx(300) and m["quoted_chars_p50"].n == 3
    assert m["quoted_chars_p50_en"].value == pytest.approx(200) and m["quoted_chars_p95_fr"].value == 2000
    assert m["quoted_chars_p50"].unit == "chars" and m["quoted_chars_p50"].better is None

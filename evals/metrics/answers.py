"""Scoring of single answers, on the reply a visitor sees: the answer text plus the quotes of its
citations. Per case: kind; facts (cases expecting an answer: every expected regex found,
case-insensitive, in the reply); citation (a cited section is an acceptable one); rights routing
(the DPO e-mail in the reply). Metrics overall and per language, with bootstrap intervals."""

from __future__ import annotations

import re

from evals.datasets import KINDS
from evals.results import Metric, by_lang

UNCITED_KINDS = ("refusal", "greeting", "clarification")  # replies that need no citation


def reply_text(answer) -> str:
    """What the visitor reads: the answer, then each citation's quote."""
    return "\n".join([answer.text, *(c.quote for c in answer.citations)])


def facts_found(facts: list[str], reply: str) -> bool:
    return all(re.search(f, reply, re.I) for f in facts)


def score(case: dict, answer, dpo_email: str) -> dict:
    """One row per case (ids, kinds and booleans only: no raw text)."""
    reply = reply_text(answer)
    cited = [c.section_id for c in answer.citations]
    expected, facts, sections = case["kind"], case.get("facts") or [], case.get("section_ids") or []
    return {
        "id": case["id"], "lang": case["lang"], "expected_kind": expected, "kind": answer.kind, "cited": cited,
        "facts_ok": facts_found(facts, reply) if facts and expected == "answer" else None,
        "citation_ok": any(s in sections for s in cited) if sections and expected in ("answer", "rights_request")
        else None,
        "dpo_email": dpo_email.lower() in reply.lower(),
        "total_ms": answer.timings_ms.get("total"),
        "quoted_chars": sum(len(c.quote) for c in answer.citations) if answer.kind == "answer" else None,
    }


def metrics(rows: list[dict]) -> dict[str, Metric]:
    out: dict[str, Metric | None] = {}
    for sfx, g in by_lang(rows):
        answerable = [r for r in g if r["expected_kind"] == "answer"]
        out[f"fact_accuracy{sfx}"] = Metric.mean([float(r["facts_ok"]) for r in g if r["facts_ok"] is not None],
                                                 better="higher")
        out[f"citation_accuracy{sfx}"] = Metric.mean(
            [float(r["citation_ok"]) for r in g if r["citation_ok"] is not None], better="higher")
        out[f"kind_accuracy{sfx}"] = Metric.mean([float(r["kind"] == r["expected_kind"]) for r in g], better="higher")
        out[f"rights_accuracy{sfx}"] = Metric.mean([float(r["kind"] == "rights_request" and r["dpo_email"])
                                                    for r in g if r["expected_kind"] == "rights_request"],
                                                   better="higher", note="rights requests routed to the DPO e-mail")
        for kind, name in (("refusal", "refusal"), ("rights_request", "rights")):
            got, want = [float(r["kind"] == kind) for r in g], [float(r["expected_kind"] == kind) for r in g]
            both = [x * y for x, y in zip(got, want, strict=True)]
            out[f"{name}_precision{sfx}"] = Metric.ratio(both, got, better="higher",
                                                         note=f"of replies of kind {kind}, share expected")
            out[f"{name}_recall{sfx}"] = Metric.ratio(both, want, better="higher",
                                                      note=f"of cases expecting {kind}, share returned")
        out[f"answerable_refused{sfx}"] = Metric.mean([float(r["kind"] == "refusal") for r in answerable],
                                                      better="lower", note="cases expecting an answer, refused")
        out[f"uncited_answers{sfx}"] = Metric.count(
            [float(r["kind"] not in UNCITED_KINDS and not r["cited"]) for r in g], better="lower",
            note="replies without a citation, refusals/greetings/clarifications aside (should be 0)")
        out[f"refusal_citations{sfx}"] = Metric.count([float(len(r["cited"])) for r in g if r["kind"] == "refusal"],
                                                      better="lower", note="citations attached to refusals (should be 0)")
        quoted = [r["quoted_chars"] for r in g if r.get("quoted_chars") is not None]
        for q in (50, 95):  # how much policy text an answer puts before the visitor
            out[f"quoted_chars_p{q}{sfx}"] = Metric.percentile(quoted, q, unit="chars",
                                                             note="characters quoted per answer")
        times = [r["total_ms"] for r in g if r.get("total_ms") is not None]
        for q in (50, 95):
            out[f"total_p{q}_ms{sfx}"] = Metric.percentile(times, q, note="timings_ms.total")
    return {k: m for k, m in out.items() if m is not None}


def confusion(rows: list[dict]) -> dict:
    """Expected kinds (rows) against returned kinds (columns)."""
    labels = list(KINDS) + sorted({r["kind"] for r in rows} - set(KINDS))
    index = {k: i for i, k in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for r in rows:
        matrix[index[r["expected_kind"]]][index[r["kind"]]] += 1
    return {"labels": labels, "matrix": matrix}


def problem(row: dict) -> tuple[int, str] | None:
    """(severity, why) of a wrong case: a wrong kind first, then facts, citation, rights contact."""
    if row["kind"] != row["expected_kind"]:
        return 0, f"kind {row['kind']} instead of {row['expected_kind']}"
    if row["facts_ok"] is False:
        return 1, "expected fact missing from the reply"
    if row["citation_ok"] is False:
        return 2, "cited a section that is not an expected one"
    if row["expected_kind"] == "rights_request" and not row["dpo_email"]:
        return 3, "rights request without the DPO contact"
    return None

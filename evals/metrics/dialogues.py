"""Scoring of conversations. A turn is right when its kind is the expected one, every expected
fact is in the reply (text + quotes), a cited section is an expected one (when the turn lists
some), and, once the visitor's audience is known, an answer cites no other audience's part.
Intervals resample whole conversations (turns of one conversation are not independent)."""

from __future__ import annotations

from evals.metrics.answers import UNCITED_KINDS, facts_found, reply_text
from evals.results import Metric, by_lang


def score_turn(expect: dict, answer, audience_parts: list[str]) -> dict:
    cited = [c.section_id for c in answer.citations]
    sections = expect.get("section_ids") or []
    audience = expect.get("audience")
    other = sorted({s.split("/")[0] for s in cited} & set(audience_parts) - {audience}) \
        if audience and answer.kind == "answer" else []
    if answer.kind != expect["kind"]:
        why = f"kind {answer.kind} instead of {expect['kind']}"
    elif not facts_found(expect.get("facts") or [], reply_text(answer)):
        why = "expected fact missing from the reply"
    elif sections and not any(s in sections for s in cited):
        why = "cited a section that is not an expected one"
    else:
        why = f"cited another audience's part ({', '.join(other)})" if other else None
    return {"expected_kind": expect["kind"], "kind": answer.kind, "cited": cited, "wrong_audience": other,
            "why": why, "right": why is None}


def metrics(conversations: list[dict]) -> dict[str, Metric]:
    """`conversations`: [{"id", "lang", "turns": [score_turn rows]}]."""
    out: dict[str, Metric] = {}
    for sfx, g in by_lang(conversations):
        right = [float(sum(t["right"] for t in c["turns"])) for c in g]
        n_turns = [float(len(c["turns"])) for c in g]
        out[f"turn_accuracy{sfx}"] = Metric.ratio(right, n_turns, better="higher", note="turns right / turns")
        out[f"conversation_accuracy{sfx}"] = Metric.mean([float(r == n) for r, n in zip(right, n_turns, strict=True)],
                                                         better="higher", note="conversations with every turn right")
        for key, per_turn, note in (
            ("wrong_audience_turns", lambda t: bool(t["wrong_audience"]),
             "answers citing another audience's part once the audience is known"),
            ("uncited_answers", lambda t: t["kind"] not in UNCITED_KINDS and not t["cited"],
             "replies without a citation, refusals/greetings/clarifications aside (should be 0)"),
            ("refusal_citations", lambda t: len(t["cited"]) if t["kind"] == "refusal" else 0,
             "citations attached to refusals (should be 0)"),
        ):
            values = [float(sum(per_turn(t) for t in c["turns"])) for c in g]
            out[f"{key}{sfx}"] = Metric.count(values, better="lower", note=note)
    return out

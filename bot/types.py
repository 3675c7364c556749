"""The Answer contract (see DESIGN.md). Everything the UI and evals render comes from here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal, TypedDict

Kind = Literal["answer", "refusal", "rights_request", "clarification", "greeting"]


class Trace(TypedDict, total=False):
    """What the console and the evaluation report read about how an answer was made."""

    intent: str  # question | rights | greeting | thanks | out_of_scope | injection | other_person | ...
    intent_confidence: float
    right: str | None
    answer_type: str | None
    audience: str | None  # the audience part answered for
    audience_named: str | None  # the audience the message itself named
    rewritten_question: str | None  # a follow-up, rewritten from the conversation
    from_pending: bool
    best_score: float | None
    threshold: float
    answerable: float | None  # the answerability check's probability that the policy answers
    audiences: list[str]  # clarification options
    hits: list[dict]  # top units: section_id, score, dense, bm25, text
    chosen: list[dict]
    facts: list[str]
    lang_detected: str | None
    store: str  # ok | degraded | error
    llm: str
    error: str


def new_session_id() -> str:
    """THE session id: 128 random bits as 32 hex characters. Letters and digits only, so an id never
    starts like a spreadsheet formula ('-', '=', '+', '@') and is never escaped in a CSV export."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Citation:
    section_id: str
    audience: str
    heading: str
    quote: str  # exact policy text the answer rests on: source[start:end]
    score: float = 0.0
    label: str = ""  # short, translated: "Students · Retention" (no internal ids)
    start: int = 0  # offsets of the quote in the knowledge base's source text
    end: int = 0
    kb: str = ""

    def to_dict(self) -> dict:
        return {
            "section_id": self.section_id,
            "audience": self.audience,
            "heading": self.heading,
            "quote": self.quote,
            "score": round(self.score, 6),
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "kb": self.kb,
        }


@dataclass(frozen=True)
class GuardReport:
    redacted_message: str
    findings: tuple = ()  # guards.types.Finding
    notice: str | None = None

    def to_dict(self) -> dict:
        return {
            "redacted_message": self.redacted_message,
            "findings": [f.to_dict() for f in self.findings],
            "notice": self.notice or "",
        }


@dataclass
class Answer:
    session_id: str
    kind: Kind
    lang: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    guard: GuardReport = field(default_factory=lambda: GuardReport(""))
    disclosure: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Extensions (not in the minimal contract, but stable): quick replies and debug trace.
    quick_replies: list[dict] = field(default_factory=list)
    trace: Trace = field(default_factory=dict)
    exchange_id: str = field(default_factory=lambda: secrets.token_hex(8))

    def to_dict(self, *, include_trace: bool = False) -> dict:
        out = {
            "session_id": self.session_id,
            "kind": self.kind,
            "lang": self.lang,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "guard": self.guard.to_dict(),
            "disclosure": self.disclosure,
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
            "quick_replies": self.quick_replies,
            "exchange_id": self.exchange_id,
        }
        if include_trace:
            out["trace"] = self.trace
        return out

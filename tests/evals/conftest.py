"""Fakes for the evaluation tests (no model is loaded): an engine answering from a table, a
retriever ranking from a table, a guard that redacts e-mails and a few health words, and a
context factory wiring them into `EvalContext` with datasets written to a temp dir."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from bot.settings import load_settings
from bot.types import Answer, Citation
from evals.context import EvalContext

CANARY_EMAIL = "zoe.canary.4471@example.org"
CANARY_STRINGS = (CANARY_EMAIL, "zoe.canary", "HIV", "séropositive")
TIMINGS = {"guard": 1.0, "retrieve": 10.0, "answer": 2.0, "total": 13.0}
# every dialogue set registered, in the order the `dialogues` family lists them (a new set: raise the bound)
DIALOGUE_SETS = [f"dialogues_blind_{i}" for i in range(1, 59)]


class FakeGuard:
    """Redacts e-mail addresses and a few health words, like the real guard would."""

    PATTERNS = ((re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"), "[EMAIL_ADDRESS]"),
                (re.compile(r"\b(HIV|séropositive|diabetic|diabétique)\b", re.I), "[HEALTH]"))

    @dataclass
    class Inspection:
        text: str
        failed: bool = False

    def inspect(self, text, lang=None):
        for pattern, label in self.PATTERNS:
            text = pattern.sub(label, text)
        return self.Inspection(text)


class FakeEngine:
    """`ask` answers from `replies`: message -> (kind, text, [(section_id, quote), ...]); anything
    else is refused. Every call is recorded (message, session_id, lang, record)."""

    def __init__(self, replies: dict[str, tuple] | None = None):
        self.replies, self.calls, self.sessions = replies or {}, [], 0

    def ask(self, message, *, session_id=None, lang=None, site=None, audience=None, record=True) -> Answer:
        self.calls.append({"message": message, "session_id": session_id, "lang": lang, "record": record})
        if session_id is None:
            self.sessions += 1
            session_id = f"s{self.sessions}"
        kind, text, cites = self.replies.get(message, ("refusal", "The policy does not cover this.", []))
        citations = [Citation(section_id=s, audience=s.split("/")[0], heading=s, quote=q) for s, q in cites]
        return Answer(session_id=session_id, kind=kind, lang=lang or "en", text=text, citations=citations,
                      timings_ms=dict(TIMINGS))


@dataclass
class _Chunk:
    section_id: str


@dataclass
class _Hit:
    chunk: _Chunk
    score: float = 1.0


class FakeRetriever:
    """`search` returns hits for the section ids listed for a question (none otherwise)."""

    def __init__(self, rankings: dict[str, list[str]]):
        self.rankings = rankings

    def search(self, query, *, k=5, audience=None):
        """The retriever's contract: a `knowledge.query.Query` in, chunk hits out."""
        return [_Hit(_Chunk(s)) for s in self.rankings.get(query.text, [])][:k]


def write_jsonl(path, rows) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def make_context(tmp_path):
    """EvalContext over fakes: `make_context(engine=..., rankings=..., datasets={suite: rows})`."""

    def make(engine=None, rankings=None, datasets=None, **overrides) -> EvalContext:
        overrides.setdefault("dataset_overrides", {})
        for suite, rows in (datasets or {}).items():
            overrides["dataset_overrides"][suite] = write_jsonl(tmp_path / f"{suite}.jsonl", rows)
        retriever = FakeRetriever(rankings or {})
        kw = {"settings": load_settings({"PRIVACYBOT_HOME": str(tmp_path / "home")}), "kb": "omnes",
              "progress": False, "guard_obj": FakeGuard(), "engine_obj": engine or FakeEngine(),
              "retriever_factory": lambda kb: retriever, "baselines_dir": tmp_path / "baselines"}
        return EvalContext(**{**kw, **overrides})

    return make

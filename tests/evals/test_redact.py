"""Reports are a write path: texts go through the guard, and when the guard cannot analyse a
text the report shows a placeholder, never the text."""

from __future__ import annotations

import re

import pytest

from evals.redact import PLACEHOLDER, ReportRedactor

SECRET = "call me on 06 12 34 56 78, I am pregnant"


class _Raises:
    def inspect(self, text, lang=None):
        raise RuntimeError("presidio exploded")


class _Failed:
    class _Out:
        failed = True
        text = SECRET  # a broken guard must not be trusted even if it echoes text back

    def inspect(self, text, lang=None):
        return self._Out()


def _no_guard():
    raise ImportError("guards not installed")


@pytest.mark.parametrize(
    "redactor",
    [
        ReportRedactor(guard=_Raises()),
        ReportRedactor(guard=_Failed()),
        ReportRedactor(guard_factory=_no_guard),
    ],
    ids=["guard-raises", "guard-reports-failure", "no-guard"],
)
def test_fail_closed(redactor):
    assert redactor.text(SECRET) == PLACEHOLDER
    nested = redactor.deep([{"id": "q1", "question": SECRET, "got": [SECRET]}])
    assert nested == [{"id": "q1", "question": PLACEHOLDER, "got": [PLACEHOLDER]}]
    assert redactor.failures >= 1


class _RedactsHandles:
    """Redacts snake_case words, as the real guard's handle recognizer does ("rights_request")."""

    class _Out:
        failed = False

        def __init__(self, text):
            self.text = re.sub(r"\b[a-z]+_[a-z]+\b", "[ID_NUMBER]", text)

    def inspect(self, text, lang=None):
        return self._Out(text)


@pytest.mark.parametrize("why", ["kind answer instead of rights_request", "kind refusal instead of clarification",
                                 "cited another audience's part (students)", "leaked EMAIL_ADDRESS"])
def test_failure_classes_are_labels_and_stay_readable(why):
    """Round 27: reports said "kind answer instead of [ID_NUMBER]": the guard read the kind rights_request as
    a user handle. A failure's `why` is composed by the suites from labels only; the texts beside it are still
    redacted."""
    out = ReportRedactor(guard=_RedactsHandles()).deep({"id": "q1", "why": why, "got": "my login is jane_doe"})
    assert out == {"id": "q1", "why": why, "got": "my login is [ID_NUMBER]"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "text, lang, must_not_contain",
    [
        ("My email is jane.doe@example.org, how long do you keep it?", "en", "jane.doe@example.org"),
        ("Je suis enceinte, combien de temps gardez-vous mes données ?", "fr", "enceinte"),
    ],
)
def test_real_guard_redacts_report_texts(guard, text, lang, must_not_contain):
    redactor = ReportRedactor(guard=guard)
    out = redactor.deep({"id": "x", "lang": lang, "question": text})
    assert must_not_contain not in out["question"]
    assert out["id"] == "x" and out["lang"] == lang

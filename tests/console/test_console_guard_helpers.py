"""Guard tab helpers: highlighting from original offsets, UTF-8 truncation of huge pastes."""

from __future__ import annotations

import pytest

from guards.types import Finding
from ui import console_guard as cg


@pytest.mark.parametrize(
    "text, findings, expected",
    [
        ("I have diabetes", [Finding("HEALTH", 7, 15, 0.9)], [("I have ", None), ("diabetes", "HEALTH")]),
        ("Je suis enceinte, merci", [Finding("HEALTH", 8, 16, 0.9)],
         [("Je suis ", None), ("enceinte", "HEALTH"), (", merci", None)]),
        ("mail a@b.fr now", [Finding("EMAIL_ADDRESS", 5, 11, 1.0), Finding("PERSON", 5, 6, 0.3)],
         [("mail ", None), ("a@b.fr", "EMAIL_ADDRESS"), (" now", None)]),  # overlap: longest first kept
        ("no findings", [], [("no findings", None)]),
        ("short", [Finding("PERSON", 2, 99, 0.5)], [("sh", None), ("ort", "PERSON")]),  # clipped
    ],
)
def test_highlight_segments_cover_the_text_once(text, findings, expected):
    segments = cg.highlight_segments(text, findings)
    assert segments == expected
    assert "".join(s for s, _ in segments) == text


@pytest.mark.parametrize("char", ["a", "é", "€", "😀"])
def test_truncate_utf8_never_exceeds_the_limit_or_splits_a_character(char):
    text = char * 30_000
    cut, truncated = cg.truncate_utf8(text, 50_000)
    assert len(cut.encode("utf-8")) <= 50_000
    assert truncated == (len(text.encode("utf-8")) > 50_000)
    assert set(cut) <= {char}


def test_empty_paste_gives_a_friendly_message_without_calling_the_guard():
    class NoGuard:
        def inspect(self, *a, **k):
            raise AssertionError("guard must not be called")

    out = cg.inspect_paste(NoGuard(), "   \n ")
    assert "empty" in out["status"] and out["segments"] == [] and out["redacted"] == ""

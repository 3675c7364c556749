"""Answer units: exact slices of the source; lists keep their intro and items; an example sentence
carries the sentence it depends on; label + value blocks and table rows stay whole."""

from __future__ import annotations

import pytest

from knowledge import units
from knowledge.types import Chunk


def _chunk(text: str, heading: str = "Heading") -> Chunk:
    return Chunk("kb:s:0", "kb", "general/s", "general", "", heading, text, 100, 100 + len(text))


def _split(text: str, context: str = ""):
    source = " " * 100 + text
    got = units.split(_chunk(text), context)
    for u in got:
        assert source[u.start:u.end] == u.text
    return source, got


def test_list_intro_quotes_its_items_and_items_know_their_intro():
    text = "We send your data to:\n\n  • our schools;\n  • service providers;\n  • the authorities.\n\nThat is all."
    source, got = _split(text)
    intro = next(u for u in got if u.kind == "intro")
    assert source[intro.quote_start:intro.quote_end].endswith("the authorities.")
    bullets = [u for u in got if u.kind == "bullet"]
    assert [b.text for b in bullets] == ["our schools;", "service providers;", "the authorities."]
    assert all("We send your data to:" in b.context for b in bullets)
    assert all(source[b.group_start:b.group_end].startswith("We send") for b in bullets)


@pytest.mark.parametrize("dependent", ["For example, the alumni directory.", "These are kept for one year.",
                                       "Such data is never sold."])
def test_a_dependent_sentence_carries_its_antecedent(dependent):
    text = f"We keep some data after you graduate. {dependent}"
    source, got = _split(text)
    last = got[-1]
    assert last.text == dependent
    assert "We keep some data after you graduate." in last.context
    assert source[last.quote_start:last.quote_end] == text


def test_label_and_value_lines_are_one_unit():
    text = "The site is hosted by :\n\nPLATFORM.SH\n\nAnother sentence of the notice."
    _source, got = _split(text)
    assert got[0].kind == "label" and got[0].text.endswith("PLATFORM.SH")


def test_a_table_row_stays_whole():
    text = "Cookie Editors : Tradelab\nType of Cookies: Advertising Cookies\nPrivacy Policy: http://x.test/p/"
    _source, got = _split(text)
    assert len(got) == 1 and got[0].kind == "row"


def test_heading_and_part_title_are_context_not_quote():
    _source, got = _split("Data is stored for thirty (30) days.", context="Video surveillance")
    assert got[0].context.splitlines() == ["Video surveillance", "Heading"]
    assert "Video surveillance" not in got[0].text

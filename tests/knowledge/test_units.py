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


CUT_LISTS = {
    "en": ("We collect your data for several reasons.\n\nHowever, we only collect personal data from you when:",
           "  • you have agreed to it;\n  • it is necessary to perform a contract with you;\n"
           "  • we have a legal obligation.\n\nWe never sell your data."),
    "fr": ("Nous collectons vos données pour plusieurs raisons.\n\nNous ne collectons vos données que lorsque :",
           "  • vous y avez consenti ;\n  • c'est nécessaire à l'exécution d'un contrat ;\n"
           "  • la loi nous y oblige.\n\nNous ne vendons jamais vos données."),
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_list_cut_by_a_chunk_boundary_is_one_list_again(lang):
    head, tail = CUT_LISTS[lang]
    source = head + "\n\n" + tail
    first = Chunk("kb:s:0", "kb", "general/s", "general", "", "Legal basis", head, 0, len(head))
    second = Chunk("kb:s:1", "kb", "general/s", "general", "", "Legal basis", tail, len(head) + 2, len(source))
    alone = [u for c in (first, second) for u in units.split(c)]
    assert next(u for u in alone if u.kind == "intro").quote_end == len(head)  # cut: the intro quotes nothing
    got = units.split_all([first, second])
    intro = next(u for u in got if u.kind == "intro")
    items = [u for u in got if u.kind == "bullet"]
    assert len(items) == 3
    assert source[intro.quote_start:intro.quote_end] == source[intro.start:items[-1].end]
    assert all(intro.text in u.context and u.group_start == intro.start for u in items)
    last = got[-1]
    assert last.kind == "sentence" and last.group_start == last.start  # the sentence after the list stays alone


def test_items_of_another_section_are_never_linked():
    head, tail = CUT_LISTS["en"]
    first = Chunk("kb:a:0", "kb", "general/a", "general", "", "A", head, 0, len(head))
    second = Chunk("kb:b:0", "kb", "general/b", "general", "", "B", tail, len(head) + 2, len(head) + 2 + len(tail))
    got = units.split_all([first, second])
    intro = next(u for u in got if u.kind == "intro")
    assert intro.quote_end == intro.end
    assert all(intro.text not in u.context for u in got if u.kind == "bullet")

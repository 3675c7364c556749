"""The OMNES policy parses into its real structure; offsets index the source exactly; the
generic parser handles another layout (Markdown, HTML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.chunking import chunk_sections
from knowledge.parsing import parse
from knowledge.profile import load_profile
from knowledge.sources import DEFAULT_SOURCE, load_source

FIXTURES = Path(__file__).parent / "fixtures"
PARTS = ("prospects", "students", "alumni", "staff", "partners", "cctv")
ROMAN_SLUGS = load_profile("omnes").sections


@pytest.fixture(scope="module")
def omnes():
    src = load_source(DEFAULT_SOURCE)
    sections, parser, _profile = parse(src)
    return src, sections, parser, chunk_sections(src.text, sections, "omnes")


def test_omnes_layout_is_recognised_by_its_profile(omnes):
    _src, _sections, parser, _chunks = omnes
    assert parser == "numbered-parts-v2"
    assert parse(load_source(DEFAULT_SOURCE))[2].name == "omnes"


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("slug", list(ROMAN_SLUGS.values()))
def test_every_audience_part_has_sections_I_to_VIII(omnes, part, slug):
    _src, _sections, _parser, chunks = omnes
    got = [c for c in chunks if c.section_id == f"{part}/{slug}"]
    assert got, f"missing {part}/{slug}"
    assert {c.audience for c in got} == {part}
    assert {c.section for c in got} == {slug.split("-")[0]}


@pytest.mark.parametrize(
    "section_id, must_contain",
    [
        ("general/legal-notice", "PLATFORM.SH"),
        ("general/controller", "Organisation et Développement"),
        ("general/representatives", "United Kingdom"),
        ("general/dpo", "dpo@omneseducation.com"),
        ("general/contact", "update the present Confidentiality Policy"),
        ("cookies/what-is-a-cookie", "small files"),
        ("cookies/duration", "13 months"),
        ("cookies/management", "browser"),
        ("cookies/types", "Session Cookies"),
        ("cookies/tables-2024", "_ga, _gid"),
        ("cookies/purposes-2024", "geolocation"),
        ("cctv/VII-storage", "thirty (30) days"),
        ("alumni/VII-storage", "fifty (50) years"),
        ("staff/VII-storage", "résumé will be kept for a period of one (1) year"),
        ("partners/VII-storage", "ten (10) years"),
        ("students/VIII-transfers", "partner institution"),
    ],
)
def test_sections_hold_their_own_text(omnes, section_id, must_contain):
    _src, _sections, _parser, chunks = omnes
    text = " ".join(c.text for c in chunks if c.section_id == section_id)
    assert must_contain in text


def test_offsets_index_the_source_exactly(omnes):
    _src, _sections, _parser, chunks = omnes
    source = DEFAULT_SOURCE.read_text(encoding="utf-8")
    assert chunks
    for c in chunks:
        assert source[c.start:c.end] == c.text, c.chunk_id
        assert c.text.strip() == c.text and c.text


def test_chunks_are_small_unique_and_in_order(omnes):
    _src, _sections, _parser, chunks = omnes
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert max(len(c.text) for c in chunks) <= 1300
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    # a storage question's answer is not mixed with another audience's text
    assert all(c.end <= n.start for c, n in zip(chunks, chunks[1:], strict=False))


@pytest.mark.parametrize(
    "name, sections, must_have",
    [
        ("other_school.md", {"general/who-we-are", "general/how-long-we-keep-your-data", "general/your-rights"},
         ("general/how-long-we-keep-your-data", "ten (10) years")),
        ("other_school.html", {"general/data-retention", "general/cookies"},
         ("general/data-retention", "Exam papers: five years.")),
    ],
)
def test_generic_parser_on_other_layouts(name, sections, must_have):
    src = load_source(FIXTURES / name)
    parsed, parser, profile = parse(src)
    assert parser == "generic-v1" and profile.name == "generic"
    chunks = chunk_sections(src.text, parsed, "other")
    ids = {c.section_id for c in chunks}
    assert sections <= ids
    assert {c.audience for c in chunks} == {"general"}
    sid, text = must_have
    assert any(c.section_id == sid and text in c.text for c in chunks)
    assert all(src.text[c.start:c.end] == c.text for c in chunks)
    assert "tracking" not in src.text and "color: red" not in src.text  # script/style dropped


def test_plain_text_of_another_layout_falls_back_to_generic(tmp_path):
    p = tmp_path / "policy.txt"
    p.write_text("Our privacy promise\n\nWe keep emails for one year.\n\nYour choices\n\nYou may unsubscribe.\n",
                 encoding="utf-8")
    sections, parser, _profile = parse(load_source(p))
    assert parser == "generic-v1"
    assert [s.section_id for s in sections] == ["general/our-privacy-promise", "general/your-choices"]

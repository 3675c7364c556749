"""Policy → sections. Tries the layout-aware parser first (the OMNES layout: legal notice,
controller, audience parts with numbered sections I–VIII, contact, cookies) and falls back to a
generic heading/paragraph split for any other policy."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.sources import SourceText

ROMAN_SLUGS = {
    "I": "I-source",
    "II": "II-purposes",
    "III": "III-legal-basis",
    "IV": "IV-recipients",
    "V": "V-rights",
    "VI": "VI-security",
    "VII": "VII-storage",
    "VIII": "VIII-transfers",
}


@dataclass(frozen=True)
class Section:
    """A contiguous span of the source. Several spans may share one `section_id`."""

    section_id: str
    audience: str
    section: str  # roman numeral or ""
    heading: str
    start: int  # body start (after the heading line)
    end: int
    context: str = ""  # part title etc., used to enrich embeddings (not part of chunk text)


def slugify(text: str, max_len: int = 48) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:max_len].rstrip("-") or "section"


def parse(source: SourceText) -> tuple[list[Section], str]:
    """Return (sections, parser_name). parser_name is 'omnes-v1' or 'generic-v1'."""
    from knowledge import parse_generic, parse_omnes

    if source.kind == "text":
        sections = parse_omnes.parse(source.text)
        if sections:
            return sections, parse_omnes.NAME
    return parse_generic.parse(source), parse_generic.NAME

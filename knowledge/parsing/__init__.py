"""Policy → sections, one strategy per file (like langchain_text_splitters):

- `numbered.py`: a layout with audience parts, each with numbered sections (driven by a profile,
  e.g. `profiles/omnes.yaml`); returns [] when the text is not laid out that way;
- `generic.py`: headings (Markdown, HTML, heading-like lines);
- `segment.py`: plain text without headings, split by topic (sentence embeddings).

`parse()` tries the layout-specific profiles first and falls back to the generic strategies."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.profile import Profile, builtin_profiles, load_profile
from knowledge.sources import SourceText


@dataclass(frozen=True)
class Section:
    """A contiguous span of the source. Several spans may share one `section_id`."""

    section_id: str
    audience: str
    section: str  # numeral ("VII") or ""
    heading: str
    start: int  # body start (after the heading line)
    end: int
    context: str = ""  # part title etc., used to enrich embeddings (not part of chunk text)

    @property
    def kind(self) -> str:
        """What the section is about, whatever the audience: 'VII-storage', 'dpo', 'retention'."""
        return self.section_id.rsplit("/", 1)[-1]


def parse(source: SourceText, profile: str | Profile | None = None, embed=None) -> tuple[list[Section], str, Profile]:
    """(sections, parser name, profile used). `embed(texts) -> array` names segmented topics."""
    from knowledge.parsing import generic, numbered, segment

    candidates = [load_profile(profile) if isinstance(profile, str) else profile] if profile else builtin_profiles()
    for prof in candidates:
        if prof.layout == "numbered-parts" and source.kind == "text":
            sections = numbered.parse(source.text, prof)
            if sections:
                return sections, numbered.NAME, prof
    generic_profile = next((p for p in candidates if p.layout == "generic"), None) or load_profile("generic")
    sections = generic.parse(source)
    if len(sections) <= 1 and embed is not None and len(source.text) > 1500:
        return segment.parse(source.text, generic_profile, embed), segment.NAME, generic_profile
    return sections, generic.NAME, generic_profile

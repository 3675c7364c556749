"""Generic parser for a policy of any other layout: Markdown `#` headings, HTML `<h1-6>`, or in
plain text short standalone lines that look like headings. One section per heading, ids
`general/<slug>` (made unique), audience 'general'. Offsets index the source text exactly.

LangChain's Markdown/HTML header splitters do the same split, but return new strings; the
citations need exact offsets into the source (`source[start:end] == text`), hence this parser."""

from __future__ import annotations

import re

from knowledge.parsing import Section
from knowledge.sources import SourceText
from knowledge.text import lines, slugify

NAME = "generic-v1"
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def _line_spans(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b, _ in lines(text)]


def _text_heading(prev: str, cur: str, nxt: str) -> bool:
    s = cur.strip()
    if not (2 < len(s) <= 80) or prev.strip() or nxt.strip():
        return False
    if s.endswith((".", ",", ";", ":", "!", "?")) or s.startswith(("•", "-", "*")):
        return False
    words = s.split()
    return len(words) <= 12 and (s[0].isupper() or s[0].isdigit())


def headings(source: SourceText) -> list[tuple[int, int, int, str]]:
    """(line_start, line_end, level, title) of each heading, in order."""
    text = source.text
    if source.kind == "html":
        return [(a, b, lvl, " ".join(text[a:b].split())) for a, b, lvl in source.headings]
    spans = _line_spans(text)
    out = []
    for i, (a, b) in enumerate(spans):
        cur = text[a:b]
        if source.kind == "markdown":
            m = _MD_HEADING.match(cur)
            if m:
                out.append((a, b, len(m.group(1)), m.group(2).strip()))
        else:
            prev = text[spans[i - 1][0]:spans[i - 1][1]] if i else ""
            nxt = text[spans[i + 1][0]:spans[i + 1][1]] if i + 1 < len(spans) else ""
            if _text_heading(prev, cur, nxt):
                out.append((a, b, 1, cur.strip()))
    return out


def parse(source: SourceText) -> list[Section]:
    text = source.text
    heads = headings(source)
    sections: list[Section] = []
    used: dict[str, int] = {}
    path: list[tuple[int, str]] = []

    def add(title: str, start: int, end: int, context: str) -> None:
        body = text[start:end]
        lead = len(body) - len(body.lstrip())
        s, e = start + lead, start + len(body.rstrip())
        if e <= s:
            return
        slug = slugify(title)
        used[slug] = used.get(slug, 0) + 1
        sid = f"general/{slug}" if used[slug] == 1 else f"general/{slug}-{used[slug]}"
        sections.append(Section(sid, "general", "", title, s, e, context))

    first = heads[0][0] if heads else len(text)
    if text[:first].strip():
        add("Introduction", 0, first, "")
    for idx, (_a, b, level, title) in enumerate(heads):
        end = heads[idx + 1][0] if idx + 1 < len(heads) else len(text)
        while path and path[-1][0] >= level:
            path.pop()
        context = " > ".join(t for _, t in path)
        path.append((level, title))
        add(title, b, end, context)
    return sections

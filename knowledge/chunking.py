"""Sections → chunks: paragraph groups of at most MAX_CHARS, each a contiguous span of the
source (so `source[chunk.start:chunk.end] == chunk.text`) carrying its section's id."""

from __future__ import annotations

import re

from knowledge.parsing import Section
from knowledge.types import Chunk

VERSION = "chunk-v2"  # v2: an over-long paragraph is cut at line ends first
MAX_CHARS = 800
MIN_CHARS = 200
_PARA_BREAK = re.compile(r"\n[ \t]*\n")


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paragraph spans in text[start:end] (blank-line separated), trimmed."""
    out, pos = [], start
    body = text[start:end]
    for m in list(_PARA_BREAK.finditer(body)) + [None]:
        stop = start + (m.start() if m else len(body))
        seg = text[pos:stop]
        lead = len(seg) - len(seg.lstrip())
        a, b = pos + lead, pos + len(seg.rstrip())
        if b > a:
            out.append((a, b))
        if m:
            pos = start + m.end()
    return out


def _split_long(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Split one over-long paragraph at line ends; at a sentence end only when no line end came for
    MAX_CHARS (a list item of two sentences stays in one chunk: its second sentence is not a new
    paragraph, and a list cut there loses its items)."""
    pieces, pos = [], a
    for m in re.finditer(r"\n|(?<=[.;:])\s+", text[a:b]):
        cut = a + m.start()
        if cut - pos >= MAX_CHARS * 0.5 and ("\n" in m.group() or cut - pos >= MAX_CHARS):
            pieces.append((pos, cut))
            pos = a + m.end()
    pieces.append((pos, b))
    out = []
    for x, y in pieces:  # last resort: hard cut at a space
        while y - x > MAX_CHARS * 1.5:
            cut = text.rfind(" ", x, x + MAX_CHARS)
            cut = cut if cut > x else x + MAX_CHARS
            out.append((x, cut))
            x = cut + 1
        out.append((x, y))
    return [(x, y) for x, y in out if text[x:y].strip()]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    seg = text[a:b]
    return a + len(seg) - len(seg.lstrip()), a + len(seg.rstrip())


def chunk_sections(text: str, sections: list[Section], kb: str) -> list[Chunk]:
    chunks: list[Chunk] = []
    counters: dict[str, int] = {}
    for sec in sections:
        blocks: list[tuple[int, int]] = []
        for a, b in _blocks(text, sec.start, sec.end):
            blocks.extend(_split_long(text, a, b) if b - a > MAX_CHARS else [(a, b)])
        groups: list[list[int]] = []
        for a, b in blocks:
            if groups and (b - groups[-1][0] <= MAX_CHARS or groups[-1][1] - groups[-1][0] < MIN_CHARS):
                groups[-1][1] = b
            else:
                groups.append([a, b])
        # a short tail joins the previous group
        if len(groups) > 1 and groups[-1][1] - groups[-1][0] < MIN_CHARS:
            tail = groups.pop()
            groups[-1][1] = tail[1]
        for a, b in groups:
            a, b = _trim(text, a, b)
            n = counters.get(sec.section_id, 0)
            counters[sec.section_id] = n + 1
            chunks.append(Chunk(chunk_id=f"{kb}:{sec.section_id}:{n}", kb=kb, section_id=sec.section_id,
                                audience=sec.audience, section=sec.section, heading=sec.heading,
                                text=text[a:b], start=a, end=b))
    return chunks


def context_of(sections: list[Section]) -> dict[str, str]:
    """section_id → part title (for embedding/BM25 context)."""
    out: dict[str, str] = {}
    for s in sections:
        out.setdefault(s.section_id, s.context)
    return out

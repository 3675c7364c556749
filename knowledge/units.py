"""Chunks → answer units: the sentences, bullets, label + value blocks and table rows a question
can be answered with. Each unit is an exact slice of the source (`source[start:end]`) and knows:

- `quote_start`/`quote_end`: what to quote when it answers (a list intro with its items; a
  sentence that depends on the previous one — "For example…", "These…" — with that sentence or the
  list item just before it);
- `context`: text it is embedded with but not quoted with (section heading and part title; a
  bullet's list intro; the sentence an example depends on), so "Tradelab" and "For example, …"
  are understood where they stand.
Splitting rules are about text layout (lines, bullets, sentence ends), never about one policy."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from knowledge.text import lines as _lines
from knowledge.types import Chunk

VERSION = "units-v7"  # v7: a label's quote runs over all its short value lines (the host's address); v6: a list item's later sentence that depends on its first ("For example, …") quotes it; v5: a list item's second sentence ending with ":" stays an item; v4: an example after a list item carries that item; v3: a list cut by a chunk boundary is one list again
_SENT_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[A-Z“\"(«])")
_BULLET = re.compile(r"^\s*(?:[•\-*–]|\d+[.)])\s+")
_BREADCRUMB = re.compile(r"^\s*[\w' -]{1,30}\s[»›>]\s")
# Sentences that only make sense with the one before them (English discourse markers).
_DEPENDENT = re.compile(r"^\s*(for (example|instance)|e\.g\.|this|these|those|such|thus|in (this|that|such) case|"
                        r"it|they|in addition|however|otherwise)\b", re.I)
SHORT_LINE = 90
MIN_CHARS = 12


@dataclass(frozen=True)
class Unit:
    unit_id: str
    chunk_id: str
    section_id: str
    audience: str
    section: str
    heading: str
    kind: str  # sentence | bullet | intro | label | row
    start: int  # exact source offsets of the unit
    end: int
    quote_start: int  # what to quote when this unit answers
    quote_end: int
    group_start: int  # the whole list (intro + every bullet) this unit belongs to; else = quote span
    group_end: int
    context: str  # embedded with the unit, never quoted (heading, part title, list intro, antecedent)
    text: str

    def embed_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text


def _is_label(line: str) -> bool:
    """A short label line: "The site is hosted by :" or an upper-case sub-heading ("SITE DESIGN")."""
    body = line.strip()
    if not body or len(body) > 60 or _BULLET.match(line):
        return False
    return body.endswith(":") or (len(body) <= 40 and body.upper() == body and any(c.isalpha() for c in body))


def _sentences(body: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for piece in _SENT_SPLIT.split(body):
        idx = body.find(piece, pos)
        if idx < 0:
            continue
        spans.append((idx, idx + len(piece.rstrip())))
        pos = idx + len(piece)
    return spans


def _record_block(block: list[tuple[int, int, str]]) -> bool:
    """A paragraph of several short lines that are not sentences: a table row or a record."""
    return len(block) >= 2 and all(len(ln.strip()) <= SHORT_LINE and not _BULLET.match(ln)
                                   and not ln.rstrip().endswith((".", ";")) for _, _, ln in block)


def split(chunk: Chunk, context: str = "") -> list[Unit]:
    """The units of a chunk, in order, with offsets into the source."""
    text, base = chunk.text, chunk.start
    all_lines = _lines(text)
    heading = "\n".join(p for p in (context, chunk.heading) if p)
    raw: list[tuple[str, int, int]] = []  # (kind, start, end) relative to the chunk
    continued: set[int] = set()  # starts of a list item's later sentences (one ending with ":" is no list intro)
    blocks: list[list[tuple[int, int, str]]] = [[]]
    for ln in all_lines:
        (blocks[-1].append(ln) if ln[2].strip() else blocks.append([]))
    for block in (b for b in blocks if b):
        if _record_block(block) and not block[0][2].rstrip().endswith(":"):
            raw.append(("row", block[0][0] + len(block[0][2]) - len(block[0][2].lstrip()), block[-1][1]))
            continue
        for a, _b, line in block:
            if _BREADCRUMB.match(line):
                continue
            m = _BULLET.match(line)
            offset = m.end() if m else len(line) - len(line.lstrip())
            body = line.rstrip()[offset:]
            kind = "bullet" if m else "sentence"
            for n, (x, y) in enumerate(_sentences(body)):
                raw.append((kind, a + offset + x, a + offset + y))
                if m and n:
                    continued.add(a + offset + x)
    raw, values_end = _merge_labels(text, raw)  # values_end: a label's start -> the end of its last value line
    units: list[Unit] = []
    for i, (kind, a, b) in enumerate(raw):
        piece = text[a:b]
        if len(piece.strip()) < MIN_CHARS and kind not in ("label", "row") or piece.strip() == chunk.heading.strip():
            continue
        qa, qb, extra = a, b, ""
        ga, gb = _group(text, raw, i)
        if kind == "label":
            qb = values_end.get(a, b)
        elif piece.rstrip().endswith(":") and a not in continued:
            kind = "intro"
            qb = _list_end(raw, i, b)
        elif kind == "bullet":
            intro = _intro_of(text, raw, i)
            extra = intro or ""
            if a in continued and _DEPENDENT.match(piece) and units and units[-1].kind == "bullet":
                prev = units[-1]  # an item's later sentence that illustrates its first ("…a contract. For example, …")
                qa = prev.quote_start - base
                extra = "\n".join(p for p in (extra, prev.text) if p)
        elif kind == "sentence" and _DEPENDENT.match(piece) and units and units[-1].kind in ("sentence", "bullet"):
            prev = units[-1]  # the sentence before, or the list item it illustrates ("…a contract" / "For example, …")
            qa = prev.start - base
            extra = prev.text
        ctx = "\n".join(p for p in (heading, extra) if p)
        units.append(Unit(unit_id=f"{chunk.chunk_id}#{len(units)}", chunk_id=chunk.chunk_id,
                          section_id=chunk.section_id, audience=chunk.audience, section=chunk.section,
                          heading=chunk.heading, kind=kind, start=base + a, end=base + b,
                          quote_start=base + qa, quote_end=base + qb, group_start=base + min(ga, qa),
                          group_end=base + max(gb, qb), context=ctx, text=piece))
    return units


def split_all(chunks: Iterable[Chunk], context_of: Callable[[Chunk], str] = lambda c: "") -> list[Unit]:
    """The units of a document's chunks, in order, lists cut by chunk boundaries linked again."""
    return link_lists([u for c in chunks for u in split(c, context_of(c))])


def link_lists(units: list[Unit], gap: int = 8, max_chars: int = 2400) -> list[Unit]:
    """A list whose intro ("we only collect your data when:") ends one chunk and whose items open
    the next ones is one list: the intro quotes its items, each item is embedded with the intro and
    belongs to the intro's group. Items follow each other with at most `gap` characters between
    them (line breaks and bullet marks), within one section, up to `max_chars` after the intro."""
    out = list(units)
    for i, intro in enumerate(out):
        if intro.kind != "intro":
            continue
        j, last = i + 1, intro.end
        while j < len(out) and out[j].kind == "bullet" and out[j].section_id == intro.section_id \
                and out[j].start - last <= gap and out[j].end - intro.end <= max_chars:
            last = out[j].end
            j += 1
        if j == i + 1 or all(u.chunk_id == intro.chunk_id for u in out[i + 1:j]):
            continue  # no item, or the list never left the intro's chunk (split() linked it)
        end = max(last, intro.quote_end)
        out[i] = replace(intro, quote_end=end, group_end=max(end, intro.group_end))
        for k in range(i + 1, j):
            u = out[k]
            ctx = u.context if intro.text in u.context else "\n".join(p for p in (u.context, intro.text) if p)
            out[k] = replace(u, group_start=min(u.group_start, intro.start), group_end=max(u.group_end, end), context=ctx)
    return out


def _merge_labels(text: str, raw: list[tuple[str, int, int]]) -> tuple[list[tuple[str, int, int]], dict[int, int]]:
    """A label line followed by short value lines ("The site is hosted by :" / "PLATFORM.SH") is one unit: the
    label and its first value are what is embedded (the name a question asks for), and the returned
    `values_end[start]` records where its further value lines end (the address, the phone), which its quote
    runs to. Those lines stay units of their own ("what is the host's phone number?")."""
    out: list[tuple[str, int, int]] = []
    values_end: dict[int, int] = {}
    i = 0
    while i < len(raw):
        kind, a, b = raw[i]
        line = text[a:b]
        if kind == "sentence" and _is_label(line) and i + 1 < len(raw) and raw[i + 1][0] == "sentence" \
                and len(text[raw[i + 1][1]:raw[i + 1][2]]) <= 60 and "\n" in text[b:raw[i + 1][1]]:
            j = i + 1
            while j + 1 < len(raw) and text[raw[j][1]:raw[j][2]].rstrip().endswith(":") and raw[j + 1][0] == "sentence" \
                    and len(text[raw[j + 1][1]:raw[j + 1][2]]) <= 60:
                j += 1
            out.append(("label", a, raw[j][2]))
            i = j = j + 1
            while j < len(raw) and _value_line(text, raw[j - 1][2], raw[j]):
                j += 1  # the value's further lines (the host's company form, address, phone): units of their own too
            values_end[a] = raw[j - 1][2]
            continue
        out.append((kind, a, b))
        i += 1
    return out, values_end


def _value_line(text: str, after: int, item: tuple[str, int, int]) -> bool:
    """`item` goes on a label's value: a short line of its own that is no sentence (no closing "." or ";"),
    no label and no list item ("131 Boulevard de Sebastopol – 75002 Paris" under "The site is hosted by :")."""
    kind, a, b = item
    line = text[a:b].strip()
    return kind == "sentence" and "\n" in text[after:a] and 0 < len(line) <= SHORT_LINE \
        and not line.endswith((".", ";", ":", "!", "?")) and not _is_label(line)


def _list_end(raw, i: int, end: int, max_chars: int = 2400) -> int:
    """End offset of the bullet list introduced by unit i (its own end when none follows)."""
    last = end
    for kind, _a, b in raw[i + 1:]:
        if kind != "bullet" or b - end > max_chars:
            break
        last = b
    return last


def _group(text: str, raw, i: int) -> tuple[int, int]:
    """(start, end) of the list unit i belongs to (intro + bullets), or its own span."""
    kind, a, b = raw[i]
    if kind == "bullet":
        j = i
        while j > 0 and raw[j - 1][0] == "bullet":
            j -= 1
        if j > 0 and text[raw[j - 1][1]:raw[j - 1][2]].rstrip().endswith(":"):
            j -= 1
        return raw[j][1], max(b, _list_end(raw, j, raw[j][2]))
    if text[a:b].rstrip().endswith(":"):
        return a, _list_end(raw, i, b)
    return a, b


def _intro_of(text: str, raw, i: int) -> str | None:
    """The list intro ("…in order to:") a bullet belongs to, if any precedes it in the chunk."""
    j = i - 1
    while j >= 0 and raw[j][0] == "bullet":
        j -= 1
    if j >= 0 and text[raw[j][1]:raw[j][2]].rstrip().endswith(":"):
        return text[raw[j][1]:raw[j][2]]
    return None

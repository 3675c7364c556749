"""Topic segmentation for a plain-text policy without headings: each paragraph is placed on the
closest topic of the profile (sentence-embedding similarity to the topic descriptions), isolated
low-confidence labels are smoothed towards their neighbours, and each run of one topic becomes a
section named after it ("How long we keep your data") instead of one "Introduction" section."""

from __future__ import annotations

import re

import numpy as np

from knowledge.parsing import Section
from knowledge.profile import Profile
from knowledge.text import trim

NAME = "segmented-v1"
_PARA_BREAK = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
MAX_BLOCK = 900  # a single huge paragraph is cut at sentence ends into blocks of about this size


def _blocks(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in list(_PARA_BREAK.finditer(text)) + [None]:
        stop = m.start() if m else len(text)
        a, b = trim(text, pos, stop)
        if b > a:
            spans.extend(_cut(text, a, b))
        if m:
            pos = m.end()
    return spans


def _cut(text: str, a: int, b: int) -> list[tuple[int, int]]:
    if b - a <= MAX_BLOCK:
        return [(a, b)]
    out, start = [], a
    for m in _SENTENCE_END.finditer(text, a, b):
        if m.start() - start >= MAX_BLOCK // 2:
            out.append(trim(text, start, m.start()))
            start = m.end()
    out.append(trim(text, start, b))
    return [s for s in out if s[1] > s[0]]


def title_of(description: str) -> str:
    """'How long we keep your data: retention periods' -> 'How long we keep your data'."""
    return description.split(":", 1)[0].strip()


def parse(text: str, profile: Profile, embed) -> list[Section]:
    blocks = _blocks(text)
    if not blocks or not profile.topics:
        return []
    slugs = list(profile.topics)
    topic_vecs = np.asarray(embed([profile.topics[s] for s in slugs]), dtype=np.float32)
    block_vecs = np.asarray(embed([text[a:b] for a, b in blocks]), dtype=np.float32)
    sims = block_vecs @ topic_vecs.T
    labels = sims.argmax(axis=1)
    confidence = sims.max(axis=1)
    # a block whose neighbours agree on another topic it is nearly as close to joins them
    for i in range(1, len(blocks) - 1):
        left, right = labels[i - 1], labels[i + 1]
        if left == right != labels[i] and sims[i, left] >= confidence[i] - 0.05:
            labels[i] = left
    sections: list[Section] = []
    used: dict[str, int] = {}
    start = 0
    for i in range(1, len(blocks) + 1):
        if i < len(blocks) and labels[i] == labels[start]:
            continue
        slug = slugs[int(labels[start])]
        used[slug] = used.get(slug, 0) + 1
        sid = f"general/{slug}" if used[slug] == 1 else f"general/{slug}-{used[slug]}"
        sections.append(Section(sid, "general", "", title_of(profile.topics[slug]), blocks[start][0],
                                blocks[i - 1][1], ""))
        start = i
    return sections

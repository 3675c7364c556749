"""The policy of a knowledge base as a document the UI can render: the exact source text and its
sections (id, heading, audience, offsets), so each citation links to its passage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicySection:
    section_id: str
    heading: str
    audience: str
    start: int
    end: int


@dataclass(frozen=True)
class PolicyDoc:
    kb: str
    build_id: str
    text: str
    sections: tuple[PolicySection, ...]

    @property
    def title(self) -> str:
        """The policy's first non-empty line (its title), or the knowledge base's name."""
        return next((line.strip()[:200] for line in self.text.splitlines() if line.strip()), self.kb)


def document(retriever) -> PolicyDoc:
    spans: dict[str, list] = {}
    for c in retriever.chunks:
        s = spans.setdefault(c.section_id, [c.heading, c.audience, c.start, c.end])
        s[2], s[3] = min(s[2], c.start), max(s[3], c.end)
    sections = tuple(PolicySection(sid, h, a, start, end) for sid, (h, a, start, end) in
                     sorted(spans.items(), key=lambda kv: kv[1][2]))
    return PolicyDoc(retriever.kb, retriever.build_id, retriever.source_text, sections)

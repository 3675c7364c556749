"""Typed results of the knowledge package."""

from __future__ import annotations

from dataclasses import dataclass, field

AUDIENCES = ("general", "prospects", "students", "alumni", "staff", "partners", "cctv", "cookies")


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage of a policy. `start`/`end` are character offsets into the source."""

    chunk_id: str
    kb: str
    section_id: str  # stable, e.g. "students/VII-storage"
    audience: str  # one of AUDIENCES (or "general" for a generic policy)
    section: str  # e.g. "VII" ("" when the part has no numbered sections)
    heading: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its scores (fused is what ranks; dense/bm25 are for explanation)."""

    chunk: Chunk
    score: float
    dense: float = 0.0
    bm25: float = 0.0
    rank: int = 0
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict:
        c = self.chunk
        return {
            "section_id": c.section_id,
            "audience": c.audience,
            "heading": c.heading,
            "text": c.text,
            "score": round(self.score, 6),
        }

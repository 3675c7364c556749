"""Audience detection from a question (EN + FR), lexicon in `audience_lexicon.yaml`.

`detect(question)` returns one of 'prospects', 'students', 'alumni', 'staff', 'partners', 'cctv',
'cookies', or None when the question carries no (or an ambiguous) audience cue: the answer
engine should then ask, and retrieval spans the audiences instead of silently picking one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.errors import ConfigError
from bot.yamlfile import load_mapping
from knowledge.textnorm import fold
from knowledge.types import AUDIENCES

LEXICON_FILE = Path(__file__).with_name("audience_lexicon.yaml")
PART_AUDIENCES = ("prospects", "students", "alumni", "staff", "partners", "cctv")


@dataclass(frozen=True)
class Lexicon:
    min_score: float
    margin: float
    rules: tuple[tuple[str, re.Pattern, float], ...]


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    data = load_mapping(path, "audience lexicon", fix="Fix the YAML.")
    rules = []
    for audience, entries in (data.get("audiences") or {}).items():
        if audience not in AUDIENCES or audience == "general":
            raise ConfigError(f"Audience lexicon {path.name}: unknown audience {audience!r}; use one of {AUDIENCES[1:]}.")
        for entry in entries or []:
            try:
                rules.append((audience, re.compile(entry["pattern"]), float(entry.get("weight", 1))))
            except (KeyError, TypeError, re.error) as exc:
                raise ConfigError(f"Audience lexicon {path.name}: bad entry for {audience} ({exc}).") from None
    if not rules:
        raise ConfigError(f"Audience lexicon {path.name} has no rules under 'audiences:'.")
    return Lexicon(float(data.get("min_score", 2)), float(data.get("margin", 1)), tuple(rules))


def scores(question: str) -> dict[str, float]:
    """Cue weight per audience found in the question (audiences without cues are absent)."""
    text = fold(question)
    out: dict[str, float] = {}
    for audience, pattern, weight in load_lexicon().rules:
        if pattern.search(text):
            out[audience] = out.get(audience, 0.0) + weight
    return out


def detect(question: str) -> str | None:
    """The audience a question is about, or None if there is no clear cue."""
    lex = load_lexicon()
    ranked = sorted(scores(question).items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < lex.min_score:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < lex.margin:
        return None
    return ranked[0][0]

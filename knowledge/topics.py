"""Section-topic detection (EN + FR) from `topic_lexicon.yaml`: which kind of section a question
asks about ('VII-storage', 'V-rights', 'duration'...). The audience says *whose* policy part;
the topic says *which* section of it. Retrieval uses it as a gentle boost, never a filter."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.errors import ConfigError
from knowledge.textnorm import fold

LEXICON_FILE = Path(__file__).with_name("topic_lexicon.yaml")


@lru_cache(maxsize=2)
def load_topics(path: Path = LEXICON_FILE) -> tuple[tuple[str, re.Pattern], ...]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return tuple((topic, re.compile(p)) for topic, pats in data["topics"].items() for p in pats)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, re.error) as exc:
        raise ConfigError(f"Topic lexicon {path.name} is invalid ({exc.__class__.__name__}); fix the YAML file.") from None


def detect(question: str) -> set[str]:
    """Section-id suffixes the question asks about (may be empty or several)."""
    text = fold(question)
    return {topic for topic, pattern in load_topics() if pattern.search(text)}


def matches(section_id: str, topics: set[str]) -> bool:
    return section_id.rsplit("/", 1)[-1] in topics

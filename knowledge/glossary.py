"""French → English query expansion for BM25, from `glossary_fr_en.yaml` (data, validated at load)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from bot.errors import ConfigError
from bot.yamlfile import load_mapping
from knowledge.textnorm import fold

GLOSSARY_FILE = Path(__file__).with_name("glossary_fr_en.yaml")


@lru_cache(maxsize=4)
def load_glossary(path: Path = GLOSSARY_FILE) -> tuple[tuple[re.Pattern, tuple[str, ...]], ...]:
    data = load_mapping(path, "glossary", fix="Fix the YAML file.")
    terms = data.get("terms")
    if not isinstance(terms, dict) or not terms:
        raise ConfigError(f"Glossary {path.name} must have a non-empty 'terms:' mapping of french: [english, ...].")
    out = []
    for key, values in terms.items():
        if not isinstance(key, str) or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"Glossary {path.name}: entry {key!r} must map a string to a list of strings.")
        k = re.escape(fold(key.strip()))
        # short keys are whole words; longer keys match at a word start (conserv -> conservez)
        pattern = rf"(?<![a-z0-9]){k}(?![a-z0-9])" if len(key) <= 3 else rf"(?<![a-z0-9]){k}"
        out.append((re.compile(pattern), tuple(values)))
    return tuple(out)


def expand(question: str) -> list[str]:
    """English words for the French terms found in `question` (empty if none)."""
    folded = fold(question)
    words: list[str] = []
    for pattern, values in load_glossary():
        if pattern.search(folded):
            words.extend(values)
    return words

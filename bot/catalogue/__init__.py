"""The one EN/FR catalogue of every string the bot shows a person.

Strings are data: `bot/catalogue/*.yaml`, one file per area (bot.yaml, guard.yaml, ui.yaml, ...),
each a mapping `key: {en: "...", fr: "..."}` with `{placeholders}` for str.format. Validated at
load: every key has both languages, the same placeholders in both, and no key is defined twice.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from bot.errors import ConfigError
from bot.yamlfile import load_mapping

LANGS = ("en", "fr")
_DIR = Path(__file__).parent


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def load_catalogue(directory: Path = _DIR) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = load_mapping(path, "catalogue file", shape=" of key: {en, fr}")
        for key, entry in data.items():
            if key in merged:
                raise ConfigError(f"Catalogue key '{key}' is defined in both {origin[key]} and {path.name}; keep one.")
            if not isinstance(entry, dict) or any(not isinstance(entry.get(lang), str) for lang in LANGS):
                raise ConfigError(f"{path.name}: key '{key}' needs both 'en' and 'fr' strings.")
            if _fields(entry["en"]) != _fields(entry["fr"]):
                raise ConfigError(f"{path.name}: key '{key}' has different placeholders in en and fr.")
            merged[key] = {lang: entry[lang] for lang in LANGS}
            origin[key] = path.name
    return merged


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    return load_catalogue()


def t(key: str, lang: str | None = "en", **values) -> str:
    """The string `key` in `lang` (anything but 'fr' gets English), formatted with `values`."""
    try:
        entry = catalogue()[key]
    except KeyError:
        raise KeyError(f"Unknown catalogue key '{key}'; add it to a bot/catalogue/*.yaml file.") from None
    text = entry["fr" if lang == "fr" else "en"]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in catalogue()

"""The guard's one YAML loader: every config or data file of `guards/` is read here, and a bad file
raises `ConfigError` naming the file, what is wrong and how to fix it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from guards.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG_DIR = PACKAGE_DIR / "config"
LEXICON_DIR = PACKAGE_DIR / "lexicons"
LANGS = ("en", "fr")  # languages the guard has lexicons and spaCy models for


def load_mapping(path: str | Path, what: str = "guard config", *, required: tuple[str, ...] = ()) -> dict:
    """The mapping in YAML file `path`; `required` keys must be present."""
    path = Path(path)
    fix = f"Fix {_short(path)}."
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"The {what} {_short(path)} is missing; restore it from the repository.") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the {what} {_short(path)} ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The {what} {_short(path)} is not UTF-8 text. {fix}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"The {what} {_short(path)} is not valid YAML{where} ({exc.__class__.__name__}). {fix}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"The {what} {_short(path)} must be a YAML mapping. {fix}")
    missing = [k for k in required if k not in data]
    if missing:
        raise ConfigError(f"The {what} {_short(path)} lacks {', '.join(map(repr, missing))}. {fix}")
    return data


def word_list(data: dict, key: str, where: str) -> list[str]:
    """`data[key]` as a list of strings (an absent key is an empty list)."""
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of words (quote words YAML reads as booleans).")
    return [str(v) for v in value]


@cache
def guard_config() -> dict:
    """`guards/config/guard.yaml`, validated."""
    data = load_mapping(CONFIG_DIR / "guard.yaml", required=("score_threshold", "person"))
    where = "guards/config/guard.yaml"
    try:
        threshold = float(data["score_threshold"])
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: score_threshold must be a number between 0 and 1.") from None
    if not 0 <= threshold <= 1:
        raise ConfigError(f"{where}: score_threshold must be between 0 and 1 (it is {threshold}).")
    person = data.get("person")
    if not isinstance(person, dict):
        raise ConfigError(f"{where}: 'person' must be a mapping with not_names, titles and min_score.")
    word_list(person, "not_names", where)
    word_list(person, "titles", where)
    return data


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(PACKAGE_DIR.parent))
    except ValueError:
        return str(path)

"""Reading YAML data files (settings, sites, guard config, lexicons, catalogue) the same way
everywhere: one ConfigError that names the file, what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.errors import ConfigError


def load_mapping(path: str | Path, what: str, *, shape: str = "", fix: str = "", empty_ok: bool = True) -> dict:
    """The mapping in the YAML file `path`. `what` names the file for a person ("sites file");
    `shape` completes "must be a mapping…"; `fix` is appended to every message. An empty file is
    `{}` when `empty_ok`, else an error."""
    path = Path(path)
    hint = f" {fix}" if fix else ""
    label = what[:1].upper() + what[1:]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read {what} {path}: {exc.strerror}.{hint}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label} {path} is not UTF-8 text.{hint}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label} {path} is not valid YAML ({exc.__class__.__name__}).{hint}") from None
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{label} {path} must be a mapping{shape}.{hint}")
    return data

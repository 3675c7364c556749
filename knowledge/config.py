"""Reading the knowledge package's data files (profiles, training examples, model artefacts'
metadata): one loader, one error that names the file, what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.errors import ConfigError


def load_yaml(path: str | Path, what: str, *, fix: str = "Fix the YAML file.") -> dict:
    """The mapping in the YAML file `path` (`{}` for an empty file)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read the {what} {path}: {exc.strerror}. {fix}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The {what} {path} is not UTF-8 text. {fix}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"The {what} {path} is not valid YAML ({exc.__class__.__name__}). {fix}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"The {what} {path} must be a mapping at the top level. {fix}")
    return data


def require(data: dict, key: str, kind: type, where: str):
    """data[key] checked to be of `kind` (ConfigError naming `where` otherwise)."""
    value = data.get(key)
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: '{key}' must be a {kind.__name__}. Fix the file.")
    return value

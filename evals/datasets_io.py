"""Evaluation datasets: JSONL files validated line by line, and their sha256 for the report.

A bad line raises `DatasetError` naming the file, the line number and what is wrong, before any
suite runs, so a typo in a dataset never turns into a silently lower score."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from bot.errors import InputError

DATASETS_DIR = Path(__file__).parent / "datasets"
POLICIES_DIR = Path(__file__).parent / "policies"
LANGS = ("en", "fr")


class DatasetError(InputError):
    """An evaluation dataset line cannot be used (file, line number and the fix in the message)."""

    code = "bad_dataset"


# A field check returns None when the value is fine, else a short description of what is wrong.
Check = Callable[[object], str | None]


def text(value: object) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def ident(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    return text(value)


def lang(value: object) -> str | None:
    return None if value in LANGS else f"must be one of {', '.join(LANGS)}"


def str_list(value: object) -> str | None:
    if isinstance(value, list) and all(isinstance(x, str) and x.strip() for x in value):
        return None
    return "must be a list of non-empty strings"


def nonempty_str_list(value: object) -> str | None:
    return str_list(value) or (None if value else "must list at least one id")


def boolean(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def one_of(*choices: str) -> Check:
    def check(value: object) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"

    return check


def obj_list(value: object) -> str | None:
    return None if isinstance(value, list) and all(isinstance(x, dict) for x in value) else "must be a list of objects"


def load_jsonl(path: Path | str, required: dict[str, Check], optional: dict[str, Check] | None = None) -> list[dict]:
    """Read and validate every line of `path`. Ids must be unique."""
    path = Path(path)
    optional = optional or {}
    try:
        raw_text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DatasetError(f"Dataset {path} does not exist. Restore it from git or pass the right --kb/suite.") from None
    except UnicodeDecodeError:
        raise DatasetError(f"Dataset {path} is not UTF-8 text. Save it as UTF-8 JSON lines.") from None
    except OSError as exc:
        raise DatasetError(f"Cannot read dataset {path}: {exc.strerror}.") from None
    records: list[dict] = []
    seen: dict[object, int] = {}
    for lineno, line in enumerate(raw_text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path} line {lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}). Fix or remove the line.") from None
        if not isinstance(record, dict):
            raise DatasetError(f"{where}: expected a JSON object with fields {', '.join(required)}.")
        for key, check in required.items():
            if key not in record:
                raise DatasetError(f"{where}: field '{key}' is missing (required: {', '.join(required)}).")
            problem = check(record[key])
            if problem:
                raise DatasetError(f"{where}: field '{key}' {problem}.")
        for key, check in optional.items():
            if key in record and record[key] is not None:
                problem = check(record[key])
                if problem:
                    raise DatasetError(f"{where}: field '{key}' {problem}.")
        rid = record.get("id", lineno)
        if rid in seen:
            raise DatasetError(f"{where}: id {rid!r} is already used on line {seen[rid]}; ids must be unique.")
        seen[rid] = lineno
        records.append(record)
    if not records:
        raise DatasetError(f"Dataset {path} has no records. Add JSON lines or restore it from git.")
    return records


def sha256_file(path: Path | str) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


# Schemas of the datasets this package reads directly (others are read by the bench modules).
# `section_ids` may be empty: an unanswerable question (the bot should refuse); retrieval skips it.
RETRIEVAL_REQUIRED = {"id": ident, "question": text, "lang": lang, "section_ids": str_list}
RETRIEVAL_OPTIONAL = {"audience": text}


def load_retrieval_set(path: Path | str) -> list[dict]:
    return load_jsonl(path, RETRIEVAL_REQUIRED, RETRIEVAL_OPTIONAL)

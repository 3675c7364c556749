"""Evaluation datasets: the only JSONL reader, every line validated against a schema.

A bad line raises `DatasetError` naming the file, the line number and what is wrong, before any
suite runs, so a typo in a dataset never turns into a silently lower score. A schema is a pair
(required fields, optional fields), each a mapping field -> check; a check returns None when the
value is fine, else a short description of what is wrong."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from bot.catalogue import LANGS
from bot.errors import InputError

DATASETS_DIR = Path(__file__).parent / "datasets"
POLICIES_DIR = Path(__file__).parent / "policies"
KINDS = ("answer", "refusal", "rights_request", "clarification", "greeting")

Check = Callable[[object], str | None]
__all__ = ["DATASETS_DIR", "POLICIES_DIR", "DatasetError", "ident", "lang", "load_jsonl", "obj_list", "text"]


class DatasetError(InputError):
    """An evaluation dataset line cannot be used (file, line number and the fix in the message)."""

    code = "bad_dataset"


def text(value: object) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def ident(value: object) -> str | None:
    return None if isinstance(value, int) and not isinstance(value, bool) else text(value)


def one_of(*choices: str) -> Check:
    return lambda value: None if value in choices else f"must be one of {', '.join(choices)}"


lang = one_of(*LANGS)


def str_list(value: object) -> str | None:
    ok = isinstance(value, list) and all(isinstance(x, str) and x.strip() for x in value)
    return None if ok else "must be a list of non-empty strings"


def regex_list(value: object) -> str | None:
    """A list of regular expressions (facts): each must compile."""
    problem = str_list(value)
    for pattern in [] if problem else value:
        try:
            re.compile(pattern)
        except re.error as exc:
            return f"holds an invalid regular expression {pattern!r} ({exc})"
    return problem


def obj(value: object) -> str | None:
    return None if isinstance(value, dict) else "must be an object"


def obj_list(value: object) -> str | None:
    return None if isinstance(value, list) and all(isinstance(x, dict) for x in value) else "must be a list of objects"


def problem_in(record: dict, required: dict[str, Check], optional: dict[str, Check]) -> str | None:
    """What is wrong with one object (None when it is fine)."""
    for key, check in required.items():
        if key not in record:
            return f"field '{key}' is missing (required: {', '.join(required)})"
        if problem := check(record[key]):
            return f"field '{key}' {problem}"
    for key, check in optional.items():
        if record.get(key) is not None and (problem := check(record[key])):
            return f"field '{key}' {problem}"
    return None


def load_jsonl(path: Path | str, required: dict[str, Check], optional: dict[str, Check] | None = None) -> list[dict]:
    """Read and validate every line of `path`. Ids must be unique."""
    path = Path(path)
    try:
        raw_text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DatasetError(f"Dataset {path} does not exist. Restore it from git or pass the right --kb/suite.") from None
    except UnicodeDecodeError:
        raise DatasetError(f"Dataset {path} is not UTF-8 text. Save it as UTF-8 JSON lines.") from None
    except OSError as exc:
        raise DatasetError(f"Cannot read dataset {path}: {exc.strerror}.") from None
    records, seen = [], {}
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
        if problem := problem_in(record, required, optional or {}):
            raise DatasetError(f"{where}: {problem}.")
        rid = record.get("id", lineno)
        if rid in seen:
            raise DatasetError(f"{where}: id {rid!r} is already used on line {seen[rid]}; ids must be unique.")
        seen[rid] = lineno
        records.append(record)
    if not records:
        raise DatasetError(f"Dataset {path} has no records. Add JSON lines or restore it from git.")
    return records


def turns(value: object) -> str | None:
    """Dialogue turns: [{"user": text, "expect": {"kind", "facts"?, "section_ids"?, "audience"?}}, ...]."""
    if not isinstance(value, list) or not value or not all(isinstance(t, dict) for t in value):
        return "must be a non-empty list of {\"user\", \"expect\"} objects"
    problems = ((i, problem_in(t, {"user": text, "expect": obj}, {}) or problem_in(t["expect"], *EXPECT))
                for i, t in enumerate(value, 1))
    return next((f"turn {i}: {p}" for i, p in problems if p), None)


# Schemas. `section_ids` may be empty: an unanswerable question (the bot should refuse).
RETRIEVAL = ({"id": ident, "question": text, "lang": lang, "section_ids": str_list}, {"audience": text})
ANSWERS = ({"id": ident, "question": text, "lang": lang, "kind": one_of(*KINDS)},
           {"facts": regex_list, "section_ids": str_list, "session": text, "audience": text, "note": text})
EXPECT = ({"kind": one_of(*KINDS)}, {"facts": regex_list, "section_ids": str_list, "audience": text})
DIALOGUES = ({"id": ident, "lang": lang, "turns": turns}, {"note": text})

"""Batch I/O shared by `search --jsonl`, `ask --jsonl` and `redact --jsonl`.

Input: a path or `-` (stdin), one JSON object per line. A bad line raises InputError naming
the source, the line number and what is wrong; nothing has been written for it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from bot.errors import InputError


def _open(source: str) -> tuple[IO[str], str, bool]:
    if source == "-":
        return sys.stdin, "<stdin>", False
    path = Path(source)
    try:
        return path.open(encoding="utf-8"), str(path), True
    except FileNotFoundError:
        raise InputError(f"Batch file {path} does not exist. Pass an existing JSONL file or '-' for stdin.") from None
    except OSError as exc:
        raise InputError(f"Cannot read batch file {path}: {exc.strerror}.") from None


def read_jsonl(source: str, *, required: tuple[str, ...], optional: dict[str, type]) -> Iterator[dict]:
    """Yield validated records. `required` fields must be non-empty strings (id may be int)."""
    stream, name, close = _open(source)
    try:
        for lineno, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            where = f"{name} line {lineno}"
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}). Fix or remove the line.") from None
            except UnicodeDecodeError:
                raise InputError(f"{where}: not UTF-8 text.") from None
            if not isinstance(record, dict):
                raise InputError(f"{where}: expected a JSON object like {{\"id\": ..., \"{required[-1]}\": ...}}.")
            for key in required:
                value = record.get(key)
                if key == "id" and isinstance(value, int) and not isinstance(value, bool):
                    continue
                if not isinstance(value, str) or not value.strip():
                    raise InputError(f"{where}: field '{key}' is missing or empty; it must be a non-empty string.")
            for key, typ in optional.items():
                if key in record and record[key] is not None and not isinstance(record[key], typ):
                    raise InputError(f"{where}: field '{key}' must be of type {typ.__name__}.")
            yield record
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text. Save the batch file as UTF-8 JSON lines.") from None
    finally:
        if close:
            stream.close()


def write_line(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def check_single_or_batch(value: str | None, jsonl: str | None, lang: str | None, *, what: str, example: str) -> bool:
    """Shared argument rules of `ask`, `search` and `redact`: an optional --lang of en/fr, and
    exactly one of the positional `what` or --jsonl. Returns True for batch mode."""
    if lang is not None and lang not in ("en", "fr"):
        raise InputError(f"Unknown language '{lang}'; use --lang en or --lang fr, or omit it to detect the language.")
    if jsonl is not None:
        if value is not None:
            raise InputError(f"Give either {what} or --jsonl FILE, not both.")
        return True
    if value is None:
        raise InputError(f"Missing {what}; e.g. {example} (or --jsonl FILE, '-' for stdin).")
    return False

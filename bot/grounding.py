"""Grounding check for generated text: every figure, email and link it states must appear in
the policy quotes or in the extractive answer it was built from. Otherwise it is rejected."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge import facts

_URL_RE = re.compile(r"https?://\S+|www\.\S+", re.I)
MAX_CHARS = 1500


@dataclass(frozen=True)
class Grounding:
    ok: bool
    problems: tuple[str, ...] = field(default_factory=tuple)


def check(text: str, quotes: list[str], extractive: str) -> Grounding:
    """Is `text` supported by `quotes` + `extractive`? Problems name what is unsupported (no text)."""
    problems: list[str] = []
    if not text or not text.strip():
        return Grounding(False, ("empty",))
    if len(text) > MAX_CHARS:
        problems.append("too_long")
    support = "\n".join([*quotes, extractive])
    numbers = facts.numbers_in(text) - facts.numbers_in(support)
    if numbers:
        problems.append(f"unsupported_numbers:{len(numbers)}")
    known_emails = {e.lower() for e in facts.emails(support)}
    if any(e.lower() not in known_emails for e in facts.emails(text)):
        problems.append("unsupported_email")
    known_urls = set(_URL_RE.findall(support))
    if any(u.rstrip(".,)") not in {k.rstrip(".,)") for k in known_urls} for u in _URL_RE.findall(text)):
        problems.append("unsupported_url")
    return Grounding(not problems, tuple(problems))

"""Test helper: make `Redacted` values the way production does, through the real guard.

`guarded(text)` calls `guards.guard.get_guard().redact(text)` when the guard is importable.
Only while the guard package is still being built does it fall back to wrapping the text as-is
(`USING_REAL_GUARD` is False then); store tests use texts without personal data so both give the
same stored text. The canary test never uses the fallback (it requires the real guard).
"""

from __future__ import annotations

import importlib.util

from guards.types import Redacted

USING_REAL_GUARD = importlib.util.find_spec("guards.guard") is not None


def guarded(text: str) -> Redacted:
    if USING_REAL_GUARD:
        from guards.guard import get_guard

        return get_guard().redact(text)
    from guards.types import _GUARD_TOKEN  # fallback until guards/guard.py lands

    return Redacted(text, _token=_GUARD_TOKEN)

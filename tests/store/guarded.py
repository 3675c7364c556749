"""Test helper: `guarded(text)` is guard output (`Redacted`) for store tests.

The store's contract is the type: it takes only `Redacted` values, which only the guard makes.
Store tests use texts without personal data, so the fake guard's output (the text as is,
tests/store_fixtures.FakeGuard) is what the real guard would return; tests that need real
redaction use the `guard` fixture (slow tier)."""

from __future__ import annotations

from tests.store_fixtures import fake_redacted


def guarded(text: str):
    return fake_redacted(text)

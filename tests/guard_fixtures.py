"""Shared pytest fixtures (registered in tests/conftest.py)."""

import pytest


@pytest.fixture(scope="session")
def guard():
    """The real guard (Presidio + spaCy en/fr), loaded once per test session."""
    from guards.guard import get_guard

    return get_guard()

"""Engine fixtures (registered in tests/conftest.py), usable by every area.

- `engine` (session): the real answer engine on the session's knowledge base (`retriever` from
  tests/kb_fixtures.py) and the real guard (`guard` from tests/guard_fixtures.py), no store,
  no LLM. Each test should start its own session (`engine.start_session()`), so tests stay
  independent even though the engine is shared.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def engine(kb_settings, retriever, guard):
    from bot.engine import Engine

    return Engine(kb_settings, retriever=retriever, guard=guard)

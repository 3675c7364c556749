"""Engine fixtures (registered in tests/conftest.py), usable by every area.

- `fake_engine`: the engine on the fake-embedded OMNES index with a fake guard (no model loaded):
  routing, conversation, composition and rendering all run for real.
- `engine` (session, slow): the real engine on the real index and the real guard, no store.
Each test should start its own session (`engine.start_session()`)."""

from __future__ import annotations

import pytest


@pytest.fixture
def fake_engine(fake_kb):
    from bot.engine import Engine
    from tests.fakes import FakeGuard

    settings, retriever = fake_kb
    return Engine(settings, retriever=retriever, guard=FakeGuard())


@pytest.fixture(scope="session")
def engine(kb_settings, retriever, guard):
    from bot.engine import Engine

    return Engine(kb_settings, retriever=retriever, guard=guard)


def converse(engine, lang: str, turns: list[str]):
    """Send `turns` in one session (nothing recorded) and return the last answer."""
    sid, answer = None, None
    for text in turns:
        answer = engine.ask(text, session_id=sid, lang=lang, record=False)
        sid = answer.session_id
    return answer

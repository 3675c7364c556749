"""Shared fixtures. Every test runs with PRIVACYBOT_HOME in a fresh temp dir (nothing touches
./var), offline switches on, and settings rebuilt from the environment."""

from __future__ import annotations

import os

import pytest

from bot import offline  # noqa: F401
from bot.settings import get_settings, load_settings

# Area fixtures live in their own modules (one owner each): knowledge index, guard, store, engine.
pytest_plugins = ["tests.kb_fixtures", "tests.guard_fixtures", "tests.store_fixtures", "tests.engine_fixtures"]


@pytest.fixture(autouse=True)
def privacybot_home(tmp_path, monkeypatch):
    """A temporary data dir for each test (like simonw/llm's user_path fixture)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PRIVACYBOT_HOME", str(home))
    for key in list(os.environ):
        if key.startswith("PRIVACYBOT_") and key not in ("PRIVACYBOT_HOME",):
            monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _isolated_logging():
    """Each test starts and ends with the same logging setup: a test (or a CLI command it runs)
    that calls configure_logging must not leave handlers or levels behind for the next one."""
    import logging

    root = logging.getLogger()
    manager = logging.Logger.manager
    saved_levels = {name: lg.level for name, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    saved_handlers = {name: list(lg.handlers) for name, lg in manager.loggerDict.items()
                      if isinstance(lg, logging.Logger)}
    root_state = (root.level, list(root.handlers))
    factory = logging.getLogRecordFactory()
    yield
    for handler in root.handlers:
        if handler not in root_state[1] and getattr(handler, "_privacybot", False):
            handler.close()
    if root.level != root_state[0]:
        root.setLevel(root_state[0])
    root.handlers[:] = root_state[1]
    # Only what changed is restored: each setLevel() clears the cache of every logger (torch and
    # transformers register hundreds), so restoring them all cost ~25 ms per test.
    for name, lg in list(manager.loggerDict.items()):
        if isinstance(lg, logging.Logger) and name in saved_levels:
            if lg.level != saved_levels[name]:
                lg.setLevel(saved_levels[name])
            if lg.handlers != saved_handlers[name]:
                lg.handlers[:] = saved_handlers[name]
    logging.setLogRecordFactory(factory)


@pytest.fixture
def settings(privacybot_home):
    return load_settings()

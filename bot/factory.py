"""The process-wide engines: one per (settings, knowledge base), with the shared conversation store
and, when a database URL is set, conversation state every server process can read."""

from __future__ import annotations

import logging
from functools import lru_cache

from bot.engine import Engine
from bot.settings import Settings, get_settings

log = logging.getLogger("bot.engine")


@lru_cache(maxsize=16)
def _cached_engine(settings: Settings, kb: str) -> Engine:
    store = states = None
    try:
        from bot.store import shared_store
        from bot.store.state import state_store

        store = shared_store(settings)  # one store and writer for every school's engine
        states = state_store(settings, store=store)  # shared by every process when a database URL is set
    except Exception as exc:  # noqa: BLE001 - the engine answers without a store
        log.warning("conversation store not available: %s", exc.__class__.__name__)
    return Engine(settings, kb=kb, store=store, states=states)


def get_engine(settings: Settings | None = None, kb: str | None = None) -> Engine:
    """The process-wide engine for these settings and knowledge base (models and indexes load once;
    `kb=None` and the default kb share one engine)."""
    settings = settings or get_settings()
    return _cached_engine(settings, kb or settings.kb)

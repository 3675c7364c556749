"""State that several server processes share through the database: the engine's conversation
state (bot/store/state.py) and rate limits (bot/store/buckets.py). Two ConversationStore objects
on one database stand in for two processes."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError, InputError, StoreError
from bot.store import ConversationStore, SafeStore
from bot.store.buckets import SqlBuckets
from bot.store.state import SqlStateStore, state_store
from ui.ratelimit import RateLimiter, SharedRateLimiter


@pytest.fixture
def second(any_store):
    """Another 'process' on the same database and key store."""
    other = ConversationStore(any_store._engine.url.render_as_string(hide_password=False), keys=any_store.keys)
    yield other
    other.close()


@pytest.mark.parametrize("state", [
    {"audience": "students", "pending": {"question": "Combien de temps gardez-vous mes données ?"}},
    {"audience": None, "last_question": "How long do you keep [EMAIL_ADDRESS]'s data?", "turns": 3},
])
def test_state_saved_by_one_process_is_read_by_another(any_store, second, state):
    sid, _ = any_store.open_session("demo", "fr")
    SqlStateStore(any_store).save(sid, state)
    assert SqlStateStore(second).load(sid) == state
    SqlStateStore(second).forget(sid)
    assert SqlStateStore(any_store).load(sid) is None


def test_state_is_erased_with_its_session_in_every_process(any_store, second):
    sid, _ = any_store.open_session("demo", "en")
    SqlStateStore(any_store).save(sid, {"audience": "alumni"})
    second.delete_session(sid)
    assert SqlStateStore(any_store).load(sid) is None
    SqlStateStore(any_store).save(sid, {"audience": "alumni"})  # ignored: the session is gone
    assert SqlStateStore(second).load(sid) is None and not any_store.session_exists(sid)


@pytest.mark.parametrize("data, match", [({"x": "é" * 3000}, "4096"), ({"x": {1, 2}}, "JSON"), (["list"], "dict")])
def test_state_is_small_json(store, data, match):
    sid, _ = store.open_session("demo", "fr")
    with pytest.raises(InputError, match=match):
        SqlStateStore(store).save(sid, data)


def test_state_store_never_raises_a_database_failure(store, monkeypatch):
    sid, _ = store.open_session("demo", "en")
    states = SqlStateStore(SafeStore(store))
    states.save(sid, {"audience": "staff"})

    def down(*a, **k):
        raise StoreError("down")

    monkeypatch.setattr(store, "load_state", down)
    monkeypatch.setattr(store, "write", down)
    assert states.load(sid) is None  # the turn is answered without context
    states.save(sid, {"audience": "students"})  # best effort, logged
    states.forget(sid)


def test_state_store_is_only_used_with_a_database_url(settings, privacybot_home):
    from bot.settings import load_settings

    assert state_store(settings) is None  # embedded SQLite default: the engine keeps its own memory
    url = load_settings({"PRIVACYBOT_HOME": str(privacybot_home),
                         "PRIVACYBOT_DATABASE_URL": f"sqlite:///{privacybot_home / 'shared.sqlite3'}"})
    assert isinstance(state_store(url), SqlStateStore)


@pytest.mark.postgres
def test_rate_limits_are_global_across_processes(pg_store):
    other = ConversationStore(pg_store._engine.url.render_as_string(hide_password=False), keys=pg_store.keys)
    try:
        a, b = SqlBuckets(pg_store), SqlBuckets(other)
        waits = [(a if i % 2 else b).hit("ip", "203.0.113.7", per_minute=6, burst=4) for i in range(6)]
        assert waits[:4] == [0.0] * 4 and all(w > 0 for w in waits[4:])
        assert 5.0 < waits[4] <= 10.5  # one request every 10 s once the burst is spent
        assert a.hit("ip", "198.51.100.1", per_minute=6, burst=4) == 0.0  # keys are independent
        with pg_store._engine.connect() as conn:
            keys = [r[0] for r in conn.exec_driver_sql("SELECT key FROM rate_buckets")]
        assert keys and not any("203.0.113.7" in k for k in keys)  # addresses are not stored
    finally:
        other.close()


def test_shared_buckets_need_postgresql_and_fall_back_in_process(store):
    with pytest.raises(ConfigError, match="PostgreSQL"):
        SqlBuckets(store)

    class Down:
        def hit(self, *a, **k):
            raise StoreError("down")

    limiter = SharedRateLimiter(Down(), "ip", RateLimiter(60, 2))
    assert [limiter.hit("x") for _ in range(2)] == [0.0, 0.0] and limiter.hit("x") > 0

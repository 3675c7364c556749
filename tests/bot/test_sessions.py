import pytest

from bot.sessions import SessionMemory


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("idle_s, alive", [(10.0, True), (61.0, False)])
def test_sessions_expire_after_idle_ttl(idle_s, alive):
    clock = Clock()
    mem = SessionMemory(ttl_s=60, clock=clock)
    sid = mem.new(lang="fr").session_id
    clock.now += idle_s
    assert (mem.get(sid) is not None) is alive


def test_memory_is_bounded_and_evicts_least_recently_used():
    mem = SessionMemory(max_sessions=3)
    ids = [mem.new().session_id for _ in range(3)]
    mem.get(ids[0])  # touch the oldest
    mem.new()
    assert len(mem) == 3
    assert mem.get(ids[0]) is not None and mem.get(ids[1]) is None


def test_session_ids_are_unique_and_store_compatible():
    mem = SessionMemory()
    ids = {mem.new().session_id for _ in range(200)}
    assert len(ids) == 200
    assert all(8 <= len(i) <= 64 and all(c.isalnum() or c in "-_" for c in i) for i in ids)

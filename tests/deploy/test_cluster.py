"""Several processes serving one conversation (issue 16), for real: PostgreSQL, three app
processes and nginx on loopback (deploy/cluster.py). Consecutive turns land on different
processes and the conversation follows (one session id, the state every process sees), rate
limits are global, an erasure is seen by every process, and killing a process mid-load loses
nothing that was acknowledged."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest

from deploy.cluster import Cluster
from tests.deploy.conftest import fake_app_cmd, require_deploy_tools
from tests.store_fixtures import NOT_SAVED

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
LIMITS = {"per_ip": {"per_minute": 60, "burst": 20}, "per_session": {"per_minute": 600, "burst": 100}}


@pytest.fixture(scope="module")
def cluster(cluster_home):
    require_deploy_tools()
    # max_fails=0: the rotation itself is under test; a 2 s connect timeout on a busy 2-core CI machine
    # must not rest an upstream for 10 s (production keeps max_fails=1)
    c = Cluster(3, home=cluster_home, app_cmd=fake_app_cmd, limits=LIMITS, expose_upstream=True, max_fails=0)
    try:
        c.start(ready_timeout=120)
        yield c
    finally:
        c.stop()


async def _turn(client, url, ip, message, auth):
    r = await client.post(f"{url}/api/chat", json={"message": message, "site": "demo", **auth},
                          headers={"X-Forwarded-For": ip})
    return r


def test_consecutive_turns_land_on_different_processes_and_the_conversation_follows(cluster):
    async def run():
        async with httpx.AsyncClient(timeout=20) as c:
            async def conversation(n):
                auth, seen = {}, []
                for turn in range(1, 7):
                    r = await _turn(c, cluster.url, f"10.1.0.{n}", f"Question {turn} of visitor {n}", auth)
                    assert r.status_code == 200, r.text
                    body = r.json()
                    assert body["text"].startswith(f"Turn {turn}:")  # the state saved by the previous process
                    auth = {"session_id": body["session_id"], "session_token": body["session_token"]}
                    seen.append((body["session_id"], r.headers["x-upstream"]))
                return seen
            return await asyncio.gather(*[conversation(n) for n in range(8)])

    moves = pairs = spread = 0
    conversations = asyncio.run(run())
    for seen in conversations:
        assert len({sid for sid, _ in seen}) == 1  # one session id per conversation
        processes = [up for _, up in seen]
        spread += len(set(processes)) >= 2
        moves += sum(a != b for a, b in zip(processes, processes[1:], strict=False))
        pairs += len(processes) - 1
    # Round robin under 8 concurrent conversations: the interleaving can keep one conversation on one
    # process (seen once in CI), so the claim is about the whole: most conversations crossed processes
    # and most next turns were answered by another process than the last one.
    assert spread >= len(conversations) * 3 // 4
    assert moves / pairs >= 0.4


def test_rate_limits_are_global_not_per_process(cluster):
    allowed = 0
    with httpx.Client(timeout=20) as c:
        for i in range(45):
            r = c.post(f"{cluster.url}/api/chat", json={"message": f"Q{i}", "site": "demo"},
                       headers={"X-Forwarded-For": "203.0.113.50"})
            allowed += r.status_code == 200
            assert r.status_code in (200, 429)
    # burst 20 + at most a few refilled (1/s) over the run; per-process buckets would allow 3 x 20
    assert 20 <= allowed <= 26


def test_an_erasure_is_seen_by_every_process_at_once(cluster):
    with httpx.Client(timeout=20) as c:
        body = c.post(f"{cluster.url}/api/chat", json={"message": "My email is jean@example.com", "site": "demo"},
                      headers={"X-Forwarded-For": "10.2.0.1"}).json()
        own = {"X-Session-Token": body["session_token"], "X-Forwarded-For": "10.2.0.1"}
        url = f"/api/sessions/{body['session_id']}"
        assert c.delete(f"{cluster.url}{url}", params={"site": "demo"}, headers=own).status_code == 200
        for app in cluster.apps:  # every process, directly
            assert c.get(f"{app.url}{url}", params={"site": "demo"}, headers=own).status_code == 404
            again = c.post(f"{app.url}/api/chat", json={"message": "Still there?", "site": "demo",
                                                         "session_id": body["session_id"],
                                                         "session_token": body["session_token"]}).json()
            assert again["session_id"] != body["session_id"] and again["text"].startswith("Turn 1:")


def _stored(cluster, sessions: list[str]) -> dict[str, int]:
    from bot.store import ConversationStore

    with ConversationStore(cluster.database_url, keys="sqlite://") as store:
        return store.exchange_counts(sessions)


def test_killing_a_process_mid_load_loses_nothing_acknowledged(cluster):
    acked: dict[str, int] = {}
    outcomes: list = []
    split: list = []

    async def visitor(c, n, deadline):
        rng = random.Random(n)
        auth, k = {}, 0
        while time.monotonic() < deadline:
            k += 1  # a fresh address per request: this test is not about the per-address rate limit
            try:
                r = await _turn(c, cluster.url, f"10.{3 + k // 250}.{n}.{k % 250}", f"Load question {rng.random()}",
                                auth)
            except httpx.HTTPError as exc:
                outcomes.append(type(exc).__name__)
                continue
            outcomes.append(r.status_code)
            if r.status_code != 200:
                continue
            body = r.json()
            if auth and body["session_id"] != auth["session_id"]:
                split.append(auth["session_id"])
            auth = {"session_id": body["session_id"], "session_token": body["session_token"]}
            if NOT_SAVED not in body["text"]:
                acked[body["session_id"]] = acked.get(body["session_id"], 0) + 1

    async def run():
        async with httpx.AsyncClient(timeout=20) as c:
            deadline = time.monotonic() + 8
            tasks = [asyncio.create_task(visitor(c, n, deadline)) for n in range(20)]
            await asyncio.sleep(3)
            cluster.kill(0)  # SIGKILL mid-load: in-flight requests fail, nothing else may
            killed_at = len(outcomes)
            await asyncio.gather(*tasks)
            return killed_at

    killed_at = asyncio.run(run())
    after = outcomes[killed_at + 40:]  # once nginx has noticed, every request is answered
    assert after and all(o == 200 for o in after), [o for o in after if o != 200][:20]
    assert sum(o != 200 for o in outcomes) <= 20  # at most the requests in flight at the kill
    assert not split  # no conversation was split into two session ids
    stored = _stored(cluster, list(acked))
    lost = {sid: n - stored.get(sid, 0) for sid, n in acked.items() if stored.get(sid, 0) < n}
    assert sum(acked.values()) > 100 and lost == {}

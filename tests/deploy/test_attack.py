"""One client sending 2,000-character accented messages as fast as its rate limit allows must not
starve the others (issue 16): their p95 stays within 2x the baseline, and once the attack stops
the server's threads and memory are back to their baseline within 10 s. Real engine (slow)."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from evals.stats import percentile
from tests.store_fixtures import LiveApp, sites_for_tests

pytestmark = pytest.mark.slow
WORDS = ("données", "étudiants", "conservées", "écoles", "procédure", "intérêt", "sécurité", "accès", "à", "où",
         "délai", "fiançailles", "coût", "élève", "bibliothèque", "réclamation")
QUESTIONS = ["How long do you keep my data?", "Qui est le DPO ?", "Can I delete my data?",
             "Combien de temps gardez-vous les images de vidéosurveillance ?", "Who receives my data?"]


def _rss_mb() -> float:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024


def _heavy(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(400))[:2000]


async def _victims(url: str, seconds: float, latencies: list[float], n: int = 6) -> None:
    async def one(i):
        rng = random.Random(i)
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(timeout=60) as c:
            k = 0
            while time.monotonic() < deadline:
                k += 1
                start = time.monotonic()
                r = await c.post(f"{url}/api/chat", json={"message": f"{rng.choice(QUESTIONS)} ({i}.{k})",
                                                          "site": "demo"}, headers={"X-Forwarded-For": f"10.5.0.{i}"})
                assert r.status_code == 200, r.text
                latencies.append((time.monotonic() - start) * 1000)
                await asyncio.sleep(rng.uniform(0.5, 1.5))
    await asyncio.gather(*[one(i) for i in range(n)])


async def _attacker(url: str, stop: asyncio.Event, sent: list[int]) -> None:
    rng = random.Random(66)
    async with httpx.AsyncClient(timeout=60) as c:
        async def one():
            while not stop.is_set():
                r = await c.post(f"{url}/api/chat", json={"message": _heavy(rng), "site": "demo"},
                                 headers={"X-Forwarded-For": "203.0.113.66"})
                sent.append(r.status_code)
                if r.status_code == 429:
                    await asyncio.sleep(min(2.0, float(r.headers.get("Retry-After", "1"))))
        await asyncio.gather(*[one() for _ in range(4)])  # several at once, as an attacker would


def test_one_heavy_client_does_not_starve_the_others(engine, kb_settings, tmp_path, monkeypatch):
    from bot.engine import Engine
    from bot.settings import load_settings
    from bot.store import shared_store
    from ui.server import create_app, limit_threads

    limit_threads(1)  # as `privacybot serve` does
    monkeypatch.setenv("PRIVACYBOT_KEYSTORE_URL", f"sqlite:///{tmp_path / 'keys.sqlite3'}")
    monkeypatch.setenv("PRIVACYBOT_EXPORTS_DIR", str(tmp_path / "exports"))
    settings = load_settings({"PRIVACYBOT_HOME": str(kb_settings.home),
                              "PRIVACYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"})
    store = shared_store(settings)
    bot = Engine(settings, retriever=engine.retriever, guard=engine.guard, store=store)
    limits = sites_for_tests().limits.model_dump()
    limits["per_ip"] = {"per_minute": 60, "burst": 20}  # the shipped per-address limit
    app = create_app(settings, engine=bot, guard=bot.guard, store=store, sites=sites_for_tests(**limits),
                     engine_concurrency=4)
    with LiveApp(app) as live:
        warm: list[float] = []
        asyncio.run(_victims(live.url, 5, warm))
        baseline: list[float] = []
        asyncio.run(_victims(live.url, 15, baseline))
        threads0, rss0 = threading.active_count(), _rss_mb()

        async def attack():
            stop, sent, under = asyncio.Event(), [], []
            task = asyncio.create_task(_attacker(live.url, stop, sent))
            await asyncio.sleep(2)
            await _victims(live.url, 20, under)
            stop.set()
            await task
            return sent, under

        sent, under = asyncio.run(attack())
        time.sleep(10)
        threads1, rss1 = threading.active_count(), _rss_mb()
    p95_base, p95_attack = percentile(baseline, 95), percentile(under, 95)
    seen = {"p95_base": round(p95_base), "p95_attack": round(p95_attack), "attacker": {s: sent.count(s) for s in
            set(sent)}, "threads": (threads0, threads1), "rss_mb": (round(rss0), round(rss1))}
    print(seen)
    # the attacker is served (one engine slot at a time, within its CPU budget), not locked out
    assert sent.count(200) >= 2, seen
    assert p95_attack <= 2 * p95_base, seen
    assert threads1 <= threads0 + 1, seen
    assert rss1 <= rss0 * 1.10 + 50, seen

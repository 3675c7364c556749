"""Store fixtures (registered in tests/conftest.py), usable by every area:

- `store`: a ConversationStore on a fresh SQLite file under the test's PRIVACYBOT_HOME.
- `pg_url` (session-scoped): URL of a throwaway PostgreSQL server started for the test run
  (initdb in a tmp dir, run as the `postgres` user when we are root, free local port, unix
  socket in the tmp dir), stopped at the end. `PRIVACYBOT_TEST_PG_URL` uses an existing server
  instead. Binaries absent: skipped with a clear message, or a failure when `CI` is set.
- `pg_store`: a ConversationStore on that server, with all tables dropped afterwards.
"""

from __future__ import annotations

import os
import time

import pytest

from bot.types import new_session_id
from deploy.postgres import PgServer, as_postgres, find_bin  # noqa: E402 (the one local-PostgreSQL helper)
from deploy.postgres import free_port as _free_port  # noqa: E402

_pg_bin = find_bin
_as_postgres = as_postgres


@pytest.fixture(scope="session")
def pg_url():
    """URL of a real PostgreSQL database for this test run (see module doc)."""
    existing = os.environ.get("PRIVACYBOT_TEST_PG_URL")
    if existing:
        yield existing
        return
    bin_dir = _pg_bin()
    if bin_dir is None:
        message = ("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian 'postgresql' "
                   "(scripts/setup-system.sh), set PG_BIN, or set PRIVACYBOT_TEST_PG_URL.")
        if os.environ.get("CI"):
            pytest.fail(message + " CI is set, so this is a failure, not a skip.")
        pytest.skip(message)
    server = PgServer(bin_dir)
    try:
        url = server.start()
    except Exception:
        server.stop()
        raise
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def store(privacybot_home):
    """A ConversationStore on a fresh SQLite database under PRIVACYBOT_HOME."""
    from bot.store import ConversationStore

    s = ConversationStore(f"sqlite:///{privacybot_home / 'conversations.sqlite3'}", lock_timeout_s=1.0)
    yield s
    s.close()


def drop_tables(url: str) -> None:
    """Drop every conversation-store table of that database (tests share one PostgreSQL)."""
    from sqlalchemy import create_engine

    from bot.store import models
    from bot.store.db import parse_url

    engine = create_engine(parse_url(url))
    with engine.begin() as conn:
        models.metadata.drop_all(conn)
    engine.dispose()


@pytest.fixture
def pg_clean_url(pg_url):
    """The shared test database's URL, left without conversation tables afterwards (for tests
    that write through an app rather than `pg_store`)."""
    yield pg_url
    drop_tables(pg_url)


@pytest.fixture
def pg_store(pg_url):
    """A ConversationStore on the test PostgreSQL server; tables dropped afterwards."""
    from bot.store import ConversationStore

    s = ConversationStore(pg_url, lock_timeout_s=2.0)
    yield s
    s.close()
    drop_tables(pg_url)


# ---------------------------------------------------------------------------------- fakes
# A fake guard and a fake engine for store, API, load and fault tests (no models). The engine
# returns real `bot.types.Answer` objects and writes through the real store path exactly as the
# engine must: `store.log_exchange(..., exchange_id=answer.exchange_id)`, True once committed,
# StoreError/NotFoundError when not saved (then the visitor is told in that answer).

import hashlib  # noqa: E402
import re  # noqa: E402

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NOT_SAVED = "(Note: this exchange could not be saved.)"


def fake_redacted(text: str):
    """A `Redacted` made the way the fake guard makes it (tests only)."""
    from guards.types import _GUARD_TOKEN, Redacted

    return Redacted(text, _token=_GUARD_TOKEN)


class FakeGuard:
    """Redacts e-mail addresses (enough to see redaction in stored text); French if asked or if
    the text has a French marker word."""

    def inspect(self, text: str, lang: str | None = None):
        from guards.types import Finding, Inspection

        findings = tuple(Finding("EMAIL_ADDRESS", m.start(), m.end(), 1.0) for m in EMAIL.finditer(text))
        guessed = lang or ("fr" if re.search(r"\b(le|la|les|des|vous|je)\b", text, re.I) else "en")
        return Inspection(redacted=fake_redacted(EMAIL.sub("[EMAIL_ADDRESS]", text)), findings=findings,
                          lang=guessed)

    def redact(self, text: str, lang: str | None = None):
        return self.inspect(text, lang).redacted


def burn_cpu(seconds: float) -> None:
    """Spend CPU outside the GIL, like the real engine's math libraries do."""
    block = b"x" * (1 << 20)
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        hashlib.sha256(block).digest()


class FakeEngine:
    """`ask(...)` like bot.engine.Engine: guard first, conversation state through a StateStore
    (`states`, e.g. bot.store.state.SqlStateStore: the turn number proves which state a
    process saw), a real Answer, then the exchange logged durably. `cpu_per_char_s`: CPU cost
    per message character (attack tests)."""

    def __init__(self, store=None, guard=None, *, states=None, cpu_s: float = 0.0, cpu_per_char_s: float = 0.0):
        self.store, self.guard, self.states = store, guard or FakeGuard(), states
        self.cpu_s, self.cpu_per_char_s = cpu_s, cpu_per_char_s
        self.memory: dict[str, dict] = {}
        self.asked = 0

    def start_background_writes(self, **kwargs) -> bool:
        from bot.engine import Engine

        return Engine.start_background_writes(self, **kwargs)  # the engine's own wiring

    def forget_session(self, session_id: str) -> bool:
        return self.memory.pop(session_id, None) is not None

    def _load(self, sid: str) -> dict:
        return (self.states.load(sid) if self.states is not None else self.memory.get(sid)) or {}

    def _save(self, sid: str, state: dict) -> None:
        if self.states is not None:
            self.states.save(sid, state)
        else:
            self.memory[sid] = state

    def ask(self, message: str, *, session_id=None, lang=None, site=None, audience=None, record=True):
        from bot.errors import InputError
        from bot.types import Answer

        if not isinstance(message, str) or not message.strip():
            raise InputError("The message is empty; type a question.")
        self.asked += 1
        burn_cpu(self.cpu_s + self.cpu_per_char_s * len(message))
        inspection = self.guard.inspect(message, lang)
        sid = session_id or new_session_id()
        state = self._load(sid)
        state["turns"] = state.get("turns", 0) + 1
        state["last"] = inspection.text[:200]
        self._save(sid, state)
        out_lang = lang or inspection.lang
        answer = Answer(session_id=sid, kind="answer", lang=out_lang,
                        text=f"Turn {state['turns']}: the policy answers «{inspection.text[:80]}».",
                        disclosure="AI assistant; it may be wrong.", trace={"turns": state["turns"]})
        from bot.types import GuardReport

        answer.guard = GuardReport(inspection.text, inspection.findings, "")
        if record and self.store is not None:
            try:
                self.store.log_exchange(sid, visitor=inspection.redacted, findings=inspection.findings,
                                        bot=self.guard.redact(answer.text, lang=out_lang), kind=answer.kind,
                                        citations=(), latency_ms=1.0, exchange_id=answer.exchange_id)
                answer.trace["store"] = "ok"
            except Exception as exc:  # noqa: BLE001 - tell the visitor, keep answering
                answer.trace["store"] = type(exc).__name__
                answer.text = f"{answer.text}\n\n{NOT_SAVED}"
        return answer


def fake_app(settings=None, *, store=None, sites=None, engine_concurrency: int = 4, cpu_s: float = 0.0,
             cpu_per_char_s: float = 0.0, shared_state: bool | None = None):
    """The real FastAPI app on a FakeEngine and the real store (the settings' database)."""
    from bot.settings import get_settings
    from bot.store import shared_store
    from bot.store.state import SqlStateStore
    from ui.server import create_app

    settings = settings or get_settings()
    store = store or shared_store(settings)
    if shared_state is None:
        shared_state = bool(settings.database_url)
    engine = FakeEngine(store, states=SqlStateStore(store) if shared_state else None, cpu_s=cpu_s,
                        cpu_per_char_s=cpu_per_char_s)
    return create_app(settings, engine=engine, guard=engine.guard, store=store, sites=sites,
                      engine_concurrency=engine_concurrency)


def fake_app_from_env():
    """uvicorn --factory tests.store_fixtures:fake_app_from_env (fault tests, bench_load --engine fake)."""
    from bot.logsafe import configure_logging
    from bot.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)
    return fake_app(settings, engine_concurrency=int(os.environ.get("PRIVACYBOT_SERVE_ENGINE_THREADS", "4")),
                    cpu_s=float(os.environ.get("PRIVACYBOT_FAKE_CPU_S", "0")),
                    cpu_per_char_s=float(os.environ.get("PRIVACYBOT_FAKE_CPU_PER_CHAR_S", "0")))


@pytest.fixture
def fake_guard():
    return FakeGuard()


@pytest.fixture
def safe_store(store):
    """A SafeStore with its background writer on the test's SQLite store."""
    from bot.store import SafeStore

    safe = SafeStore(store)
    safe.start_writer(redact=FakeGuard().redact)
    yield safe
    safe.close_writer(5)


def sites_for_tests(**limits):
    """The shipped sites with high limits (overridable), trusting 127.0.0.1 as a proxy so that
    tests can be several clients (X-Forwarded-For), and two sites whose origins tests use."""
    import yaml

    from ui.sites import DEFAULT_SITES_FILE, SitesConfig

    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data["limits"] = {**data.get("limits", {}), "per_ip": {"per_minute": 100_000, "burst": 10_000},
                      "per_session": {"per_minute": 100_000, "burst": 10_000}, **limits}
    data.setdefault("server", {})["trusted_proxies"] = ["127.0.0.1"]
    return SitesConfig(**data)


class LiveApp:
    """The app under uvicorn on a free loopback port, in a thread (tests/ui's LiveServer), as a
    context manager: `with LiveApp(app) as live: httpx.get(live.url + "/healthz")`."""

    def __init__(self, app):
        from tests.ui.conftest import LiveServer

        self.server = LiveServer(app, _free_port())
        self.url, self.port = self.server.url, self.server.port

    def __enter__(self) -> LiveApp:
        self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()

"""Console fixtures: a running console (real engine, guard and store) on a free local port."""

from __future__ import annotations

import socket

import pytest

from bot.settings import load_settings

STAFF_PASSWORD = "test-staff-password-8d1f"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def console_home(tmp_path_factory):
    return tmp_path_factory.mktemp("console-home")


@pytest.fixture(scope="module")
def console_settings(console_home):
    return load_settings({}, home=str(console_home), console_password=STAFF_PASSWORD, mode="production")


@pytest.fixture(scope="module")
def console_store(console_settings):
    from bot.store import ConversationStore

    s = ConversationStore(console_settings.effective_database_url, lock_timeout_s=2.0)
    yield s
    s.close()


@pytest.fixture(scope="module")
def console_engine(console_settings, retriever, guard, console_store):
    """The real engine (shared index and guard) logging to this module's store, as in production."""
    from bot.engine import Engine

    return Engine(console_settings, retriever=retriever, guard=guard, store=console_store)


@pytest.fixture(scope="module")
def console_url(console_settings, console_engine, guard, console_store):
    """Run the console as `privacybot console` does (security gate, auth) in a background
    thread; yield its URL (http://127.0.0.1:PORT/console/); stop it."""
    from ui.console_app import serve_console

    handle = serve_console(console_settings, host="127.0.0.1", port=free_port(), engine=console_engine,
                           store=console_store, guard=guard, block=False, quiet=True)
    yield handle.url
    handle.close()

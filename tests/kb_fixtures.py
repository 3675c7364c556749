"""Session-scoped knowledge-base fixtures (registered in tests/conftest.py). Other areas use them:
keep the names stable.

- `kb_home`: a data dir where the bundled OMNES policy has been ingested once per session.
- `retriever`: a `knowledge.retrieve.Retriever` over that index."""

from __future__ import annotations

import pytest

from bot.settings import load_settings


@pytest.fixture(scope="session")
def kb_home(tmp_path_factory):
    from knowledge.index import ingest

    home = tmp_path_factory.mktemp("kb_home")
    ingest(settings=load_settings({"PRIVACYBOT_HOME": str(home)}), progress=False)
    return home


@pytest.fixture(scope="session")
def kb_settings(kb_home):
    return load_settings({"PRIVACYBOT_HOME": str(kb_home)})


@pytest.fixture(scope="session")
def retriever(kb_settings):
    from knowledge.retrieve import get_retriever

    return get_retriever(settings=kb_settings)

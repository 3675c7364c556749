"""Knowledge-base and model fixtures (registered in tests/conftest.py). Keep the names stable.

Every test runs on FAKE models unless it is marked `slow`: a hash embedder and classifiers trained
on it from the repo's labelled examples (tests/fakes.py), installed through the public injection
points (`knowledge.embedders.use_factory`, the classifiers' model directories). `slow` tests get
the real, packaged models.

- `fake_kb` (session): the bundled OMNES policy ingested with the fake embedder (a copy of the
  per-machine build: tests/fake_cache.py).
- `kb_home` / `kb_settings` / `retriever` (session, slow): the same with the real models.
"""

from __future__ import annotations

import shutil

import pytest

from bot.settings import load_settings


@pytest.fixture(scope="session")
def fake_models_dir(tmp_path_factory):
    """The classifiers trained on the hash embedder (read-only; cached per machine: tests/fake_cache.py)."""
    from tests.fake_cache import cached
    from tests.fakes import train_fake_classifiers

    return cached("models", train_fake_classifiers, tmp_path_factory.mktemp("fake_models"))


@pytest.fixture(autouse=True)
def _models(request, monkeypatch):
    """Fakes for every test but the `slow` ones (which load the packaged models)."""
    from knowledge import embedders

    if request.node.get_closest_marker("slow"):
        embedders.use_factory(None)
        yield
        return
    from bot import routing
    from knowledge import answerable, query, ranker
    from tests.fakes import HashEmbedder

    models = request.getfixturevalue("fake_models_dir")
    embedders.use_factory(HashEmbedder)
    for module in (query, routing):
        monkeypatch.setattr(module, "MODELS_DIR", models)
    monkeypatch.setattr(ranker, "MODELS_DIR", models)  # no fitted weights there: the defaults
    monkeypatch.setattr(answerable, "MODELS_DIR", models)  # nor an answerability check: not applied
    ranker.load_weights.cache_clear()
    answerable.load.cache_clear()
    yield
    embedders.use_factory(None)
    ranker.load_weights.cache_clear()
    answerable.load.cache_clear()


def _ingest(home, **kw):
    from knowledge.index import ingest

    return ingest(root=home / "kb", progress=False, **kw)


@pytest.fixture(scope="session")
def fake_kb(tmp_path_factory, fake_models_dir):
    """(settings, retriever) of the OMNES policy indexed with the fake embedder."""
    from knowledge import embedders, query
    from knowledge.retrieve import open_retriever
    from tests.fake_cache import cached
    from tests.fakes import HashEmbedder

    def build(home):
        embedders.use_factory(HashEmbedder)
        with pytest.MonkeyPatch.context() as mp:  # session-scoped: built before the per-test fakes apply
            mp.setattr(query, "MODELS_DIR", fake_models_dir)
            try:
                _ingest(home, public_data=lambda text: ["dpo@omneseducation.com"])
            finally:
                embedders.use_factory(None)

    built = cached("kb", build, tmp_path_factory.mktemp("fake_kb_build"))
    home = tmp_path_factory.mktemp("fake_kb")
    shutil.copytree(built / "kb", home / "kb", symlinks=True)  # this worker's own copy (the link is relative)
    settings = load_settings({"PRIVACYBOT_HOME": str(home)})
    return settings, open_retriever(settings.kb_dir("omnes"), "omnes")


@pytest.fixture(scope="session")
def kb_home(tmp_path_factory):
    """A data dir where the bundled policy was ingested with the real models (slow tests only)."""
    from knowledge import embedders

    embedders.use_factory(None)
    home = tmp_path_factory.mktemp("kb_home")
    _ingest(home)
    return home


@pytest.fixture(scope="session")
def kb_settings(kb_home):
    return load_settings({"PRIVACYBOT_HOME": str(kb_home)})


@pytest.fixture(scope="session")
def retriever(kb_settings):
    from knowledge.retrieve import open_retriever

    return open_retriever(kb_settings.kb_dir("omnes"), "omnes")

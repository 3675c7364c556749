"""The per-machine cache of the fake models and index (tests/fake_cache.py): reused only while
every input is unchanged, rebuilt otherwise, bypassed with PRIVACYBOT_TEST_CACHE=off."""

from __future__ import annotations

import pytest

from tests import fake_cache


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVACYBOT_TEST_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _builder(calls):
    def build(out):
        calls.append(out)
        (out / "artefact.txt").write_text(f"build {len(calls)}")
    return build


def test_a_complete_build_is_reused_while_the_inputs_are_unchanged(cache_root, tmp_path):
    calls = []
    first = fake_cache.cached("models", _builder(calls), tmp_path / "fallback")
    again = fake_cache.cached("models", _builder(calls), tmp_path / "fallback")
    assert first == again and len(calls) == 1 and (first / "artefact.txt").read_text() == "build 1"
    assert [p.name for p in cache_root.iterdir()] == [first.name]  # no work directory left behind


def test_a_changed_input_builds_again_and_drops_the_old_build(cache_root, tmp_path, monkeypatch):
    calls = []
    first = fake_cache.cached("kb", _builder(calls), tmp_path / "fallback")
    monkeypatch.setattr(fake_cache, "fingerprint", lambda: "another-input-hash")
    second = fake_cache.cached("kb", _builder(calls), tmp_path / "fallback")
    assert second != first and len(calls) == 2 and not first.exists()


def test_an_interrupted_build_is_never_used(cache_root, tmp_path):
    target = cache_root / f"models-{fake_cache.fingerprint()}"
    target.mkdir(parents=True)  # left by hand, without its completion mark
    (target / "artefact.txt").write_text("half written")
    calls = []
    got = fake_cache.cached("models", _builder(calls), tmp_path / "fallback")
    assert len(calls) == 1 and (got / fake_cache.DONE).exists() and (got / "artefact.txt").read_text() == "build 1"


def test_off_builds_in_the_tests_own_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("PRIVACYBOT_TEST_CACHE", "off")
    calls = []
    fallback = tmp_path / "fallback"
    fallback.mkdir()
    assert fake_cache.cached("models", _builder(calls), fallback) == fallback and calls == [fallback]


def test_the_fingerprint_covers_the_training_data_and_the_fakes():
    covered = {p.split("/")[0] for p in fake_cache.INPUTS}
    assert {"knowledge", "bot", "tests"} <= covered and "tests/fakes.py" in fake_cache.INPUTS

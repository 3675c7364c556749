"""`privacybot ingest` and the index on disk: idempotent, rebuilds on change, atomic, and every
bad input gets a one-line error with a non-zero exit and no index left behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.index import ingest

FIXTURES = Path(__file__).parent / "fixtures"


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: ") and "\n" not in err and "Traceback" not in err
    return err


@pytest.mark.parametrize(
    "make, expect",
    [
        (lambda d: d / "missing.txt", "does not exist"),
        (lambda d: _write(d / "empty.txt", b"   \n\n"), "empty"),
        (lambda d: _write(d / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR"), "binary"),
        (lambda d: _write(d / "latin1.txt", "Données été".encode("latin-1")), "not UTF-8"),
        (lambda d: _write(d / "policy.pdf", b"%PDF-1.4 hello"), "Unsupported source type"),
        (lambda d: d, "Unsupported source type"),
    ],
)
def test_bad_source_is_a_clear_error_and_leaves_no_index(tmp_path, privacybot_home, capsys, make, expect):
    path = make(tmp_path)
    code = main(["ingest", "--source", str(path), "--kb", "badkb", "-q"])
    assert code != 0
    assert expect in _one_line_error(capsys)
    assert not (privacybot_home / "kb" / "badkb").exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_invalid_kb_name_is_rejected(capsys):
    assert main(["ingest", "--source", str(FIXTURES / "other_school.md"), "--kb", "../x", "-q"]) == 2
    assert "Invalid knowledge base name" in _one_line_error(capsys)


def test_ingest_is_idempotent_and_rebuilds_on_change(tmp_path, privacybot_home, capsys):
    policy = tmp_path / "school.md"
    shutil.copy(FIXTURES / "other_school.md", policy)
    assert main(["ingest", "--source", str(policy), "--kb", "school", "-q"]) == 0
    assert "Built knowledge base 'school'" in capsys.readouterr().out
    kb_dir = privacybot_home / "kb" / "school"
    manifest = json.loads((kb_dir / "manifest.json").read_text())
    assert manifest["parser"] == "generic-v1" and manifest["chunks"] >= 3
    first_build = kb_dir.resolve()

    assert main(["ingest", "--source", str(policy), "--kb", "school", "-q"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert kb_dir.resolve() == first_build

    policy.write_text(policy.read_text() + "\n## Cookies\n\nWe use no cookies at all.\n", encoding="utf-8")
    report = ingest(policy, "school", root=privacybot_home / "kb", progress=False)
    assert report.rebuilt and report.chunks == manifest["chunks"] + 1
    assert kb_dir.resolve() != first_build and not first_build.exists()  # old build swapped out
    leftovers = [p.name for p in (privacybot_home / "kb" / ".builds").iterdir()]
    assert leftovers == [kb_dir.resolve().name]


def test_kb_name_defaults_to_the_file_name(tmp_path, privacybot_home, capsys):
    assert main(["ingest", "--source", str(FIXTURES / "other_school.html"), "-q"]) == 0
    assert "'other_school'" in capsys.readouterr().out
    assert (privacybot_home / "kb" / "other_school" / "manifest.json").is_file()


@pytest.fixture
def copied_home(fake_kb, tmp_path, monkeypatch):
    """A private copy of the session's (fake-embedded) index that a test may damage."""
    from bot.settings import get_settings

    home = tmp_path / "copy"
    shutil.copytree(fake_kb[0].home, home, symlinks=True)
    monkeypatch.setenv("PRIVACYBOT_HOME", str(home))
    get_settings.cache_clear()
    return home


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: (b / "manifest.json").unlink(), id="missing-manifest"),
        pytest.param(lambda b: (b / "manifest.json").write_text("{not json"), id="garbled-manifest"),
        pytest.param(lambda b: _truncate(b / "chroma" / "chroma.sqlite3"), id="truncated-sqlite"),
        pytest.param(lambda b: (b / "chroma" / "chroma.sqlite3").unlink(), id="missing-sqlite"),
        pytest.param(lambda b: shutil.rmtree(b), id="dangling-link"),
        pytest.param(lambda b: (b / "units.jsonl").write_text('{"broken'), id="garbled-units"),
        pytest.param(lambda b: (b / "source.txt").write_text("another text"), id="source-changed"),
    ],
)
def test_damaged_index_says_rebuild(copied_home, capsys, damage):
    damage((copied_home / "kb" / "omnes").resolve())
    assert main(["search", "how long do you keep my data", "--json", "--lang", "en"]) == 3
    err = _one_line_error(capsys)
    assert "privacybot ingest --kb omnes" in err and "rebuild" in err


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def test_ingest_repairs_a_damaged_index(copied_home, capsys):
    (copied_home / "kb" / "omnes").resolve().joinpath("manifest.json").unlink()
    report = ingest(root=copied_home / "kb", progress=False)
    assert report.rebuilt
    assert main(["search", "representatives outside the European Union United Kingdom", "--json", "--k", "1",
                 "--lang", "en"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["section_id"] == "general/representatives"

"""`privacybot eval` on bad input: one line that says what to do, no traceback, non-zero exit."""

from __future__ import annotations

import json

import pytest

from bot.cli import main


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["eval", "--suite", "retreival"], 2, "Unknown suite 'retreival'"),
        (["eval", "--suite", "retrieval"], 3, "privacybot ingest"),  # fresh PRIVACYBOT_HOME: no index
        (["eval", "--suite", "answers", "--kb", "nokb"], 3, "privacybot ingest"),
        (["eval", "--suite", "guard", "--baseline", "{tmp}/nowhere"], 2, "has no metrics.json"),
        (["eval", "--suite", "guard", "--thresholds", "{tmp}/bad.toml"], 2, "unknown metric 'speed'"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, capsys, argv, code, message):
    (tmp_path / "bad.toml").write_text("[guard]\nspeed = {min = 1}\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Error: ") and message in err[-1]
    assert not any("Traceback" in line for line in err)


def test_malformed_dataset_line_via_cli(tmp_path, capsys, monkeypatch):
    import evals.suite_guard as sg

    bad = tmp_path / "guard_set.jsonl"
    bad.write_text(json.dumps({"id": "a", "lang": "en", "text": "hi"}) + "\n" + '{"id": "b", "lang": "de", "text": "x"}\n')
    monkeypatch.setattr(sg, "DATASET", bad)
    assert main(["eval", "--suite", "guard", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"Error: {bad} line 2: field 'lang' must be one of en, fr" in err

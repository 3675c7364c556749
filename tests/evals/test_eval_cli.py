"""`privacybot eval` on bad input: one line that says what to do, no traceback, non-zero exit;
`--list` shows the registry for tools that run evaluations as a subprocess (the console)."""

from __future__ import annotations

import json

import pytest

from bot.cli import main

from .conftest import DIALOGUE_SETS


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["eval", "--suite", "retreival"], 2, "Unknown suite 'retreival'"),
        (["eval", "--suite", "retrieval"], 3, "privacybot ingest"),  # fresh PRIVACYBOT_HOME: no index
        (["eval", "--suite", "answers", "--kb", "nokb"], 3, "privacybot ingest"),
        (["eval", "--suite", "answers", "--baseline", "{tmp}/nowhere"], 2, "has no metrics.json"),
        (["eval", "--suite", "answers", "--thresholds", "{tmp}/bad.toml"], 2, "unknown metric 'speed'"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, capsys, argv, code, message):
    (tmp_path / "bad.toml").write_text("[answers]\nspeed = {min = 1}\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Error: ") and message in err[-1]
    assert not any("Traceback" in line for line in err)


def test_malformed_dataset_line_via_cli(tmp_path, capsys, monkeypatch):
    import evals.registry

    bad = tmp_path / "dev_answers.jsonl"
    bad.write_text(json.dumps({"id": "a", "lang": "en", "question": "hi", "kind": "greeting"}) + "\n"
                   + '{"id": "b", "lang": "de", "question": "Hallo", "kind": "greeting"}\n')
    monkeypatch.setattr(evals.registry, "DATASETS_DIR", tmp_path)
    assert main(["eval", "--suite", "answers", "--no-progress"]) == 2
    assert f"Error: {bad} line 2: field 'lang' must be one of en, fr" in capsys.readouterr().err


def test_list_prints_every_suite_and_alias(capsys):
    assert main(["eval", "--list"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_name = {x["name"]: x for x in lines if "name" in x}
    assert by_name["answers_blind_a"] == {"name": "answers_blind_a", "family": "answers", "default": True,
                                          "blind": True, "dataset": "answers_blind_a.jsonl",
                                          "title": "Answers — blind set A (holdout, not tuned on)"}
    assert by_name["load"]["default"] is False
    assert lines[-1]["aliases"]["dialogues"] == DIALOGUE_SETS

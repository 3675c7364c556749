import json

import pytest

from bot.cli import main
from bot.errors import InputError
from evals.guard_dataset import DATASET, load_guard_set, locate


@pytest.mark.slow
def test_redact_json(capsys, guard):
    assert main(["redact", "I have diabetes", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"redacted": "I have [HEALTH]", "findings": [{"entity": "HEALTH", "start": 7, "end": 15, "score": 0.85}]}


@pytest.mark.slow
def test_redact_jsonl_echoes_ids(tmp_path, capsys, guard):
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "text": "Je suis enceinte"}) + "\n" + json.dumps({"id": 2, "text": "Do you process health data?", "lang": "en"}) + "\n",
        encoding="utf-8",
    )
    assert main(["redact", "--jsonl", str(batch)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["a", 2]
    assert lines[0]["redacted"] == "Je suis [HEALTH]" and lines[1]["findings"] == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["redact"], "Missing TEXT"),
        (["redact", "x", "--lang", "de"], "use --lang en or --lang fr"),
        (["redact", "x", "--jsonl", "-"], "either TEXT or --jsonl"),
        (["redact", "--jsonl", "/nope.jsonl"], "does not exist"),
    ],
)
def test_redact_bad_input_is_one_line_error(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_dataset_is_valid_and_big_enough():
    records = load_guard_set(DATASET)
    assert len(records) >= 300
    assert sum(r["lang"] == "fr" for r in records) >= len(records) // 2
    assert sum(not r["spans"] for r in records) >= 100
    from guards.types import ENTITIES

    labelled = {s["entity"] for r in records for s in r["spans"]}
    assert labelled <= set(ENTITIES) and len(labelled) >= 20


def test_validator_fails_on_a_span_not_in_the_text():
    with pytest.raises(InputError, match="not in the text"):
        locate("I have asthma", [{"entity": "HEALTH", "text": "diabetes"}], "t-1")

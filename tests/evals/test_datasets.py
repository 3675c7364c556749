"""The one dataset loader: a malformed line is an error naming the file, the line and what is
wrong, before any suite runs; every shipped dataset is valid."""

from __future__ import annotations

import json

import pytest

from evals import datasets as ds
from evals.registry import SUITES

QUESTION = {"id": "q1", "question": "How long do you keep my data?", "lang": "en", "section_ids": ["students/VII-storage"]}
ANSWER = {"id": "a1", "question": "Combien de temps gardez-vous mes données ?", "lang": "fr", "kind": "answer",
          "facts": ["6 ans|six"], "section_ids": ["students/VII-storage"]}
TURN = {"user": "I'm a student", "expect": {"kind": "clarification", "facts": [], "section_ids": [], "audience": None}}
DIALOGUE = {"id": "d1", "lang": "en", "turns": [TURN]}


@pytest.mark.parametrize(
    "schema, good, bad, message",
    [
        (ds.RETRIEVAL, QUESTION, "{not json", "line 2: not valid JSON"),
        (ds.RETRIEVAL, QUESTION, '["a list"]', "line 2: expected a JSON object"),
        (ds.RETRIEVAL, QUESTION, {**QUESTION, "id": "q2", "question": ""},
         "line 2: field 'question' must be a non-empty string"),
        (ds.RETRIEVAL, QUESTION, {"id": "q2", "question": "Et mes données ?", "lang": "fr"},
         "line 2: field 'section_ids' is missing"),
        (ds.RETRIEVAL, QUESTION, {**QUESTION, "id": "q2", "section_ids": ["x", 7]},
         "line 2: field 'section_ids' must be a list of non-empty strings"),
        (ds.RETRIEVAL, QUESTION, {**QUESTION, "id": "q2", "lang": "de"}, "line 2: field 'lang' must be one of en, fr"),
        (ds.RETRIEVAL, QUESTION, QUESTION, "line 2: id 'q1' is already used on line 1"),
        (ds.ANSWERS, ANSWER, {**ANSWER, "id": "a2", "kind": "chat"}, "line 2: field 'kind' must be one of answer"),
        (ds.ANSWERS, ANSWER, {**ANSWER, "id": "a2", "facts": ["6 (ans"]},
         "line 2: field 'facts' holds an invalid regular expression '6 (ans'"),
        (ds.DIALOGUES, DIALOGUE, {**DIALOGUE, "id": "d2", "turns": []}, "line 2: field 'turns' must be a non-empty list"),
        (ds.DIALOGUES, DIALOGUE, {**DIALOGUE, "id": "d2", "turns": [{"user": "Bonjour"}]},
         "line 2: field 'turns' turn 1: field 'expect' is missing"),
        (ds.DIALOGUES, DIALOGUE, {**DIALOGUE, "id": "d2", "turns": [TURN, {**TURN, "expect": {"kind": "oui"}}]},
         "line 2: field 'turns' turn 2: field 'kind' must be one of"),
        (ds.DIALOGUES, DIALOGUE, {**DIALOGUE, "id": "d2", "turns": [{**TURN, "expect": {**TURN["expect"], "facts": ["("]}}]},
         "turn 1: field 'facts' holds an invalid regular expression"),
    ],
)
def test_malformed_line_names_file_line_and_problem(tmp_path, schema, good, bad, message):
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps(good) + "\n" + (bad if isinstance(bad, str) else json.dumps(bad)) + "\n", encoding="utf-8")
    with pytest.raises(ds.DatasetError) as err:
        ds.load_jsonl(path, *schema)
    assert str(path) in str(err.value) and message in str(err.value)


@pytest.mark.parametrize("content, message", [(None, "does not exist"), (b"", "has no records"),
                                              (b"\xff\xfe{}", "not UTF-8")])
def test_unusable_files(tmp_path, content, message):
    path = tmp_path / "d.jsonl"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ds.DatasetError, match=message):
        ds.load_jsonl(path, *ds.RETRIEVAL)


def test_blank_lines_are_skipped_and_line_numbers_stay_true(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("\n" + json.dumps(QUESTION) + "\n\n{oops\n", encoding="utf-8")
    with pytest.raises(ds.DatasetError, match="line 4"):
        ds.load_jsonl(path, *ds.RETRIEVAL)


@pytest.mark.parametrize("name", [s.name for s in SUITES.values() if s.dataset and s.module != "guard"])
def test_every_shipped_dataset_is_valid(make_context, name):
    """Validation only: the lines are not printed (some sets are blind)."""
    suite = SUITES[name]
    if suite.absent(make_context()):
        pytest.skip(f"{suite.dataset} is not shipped yet")
    suite.scoring.validate(make_context(), suite)


def test_old_import_path_reads_the_same_records():
    from evals.datasets_io import load_retrieval_set

    path = ds.DATASETS_DIR / "dev_questions.jsonl"
    assert load_retrieval_set(path) == ds.load_jsonl(path, *ds.RETRIEVAL)

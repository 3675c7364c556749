"""Malformed dataset lines: the error names the file, the line number and what is wrong."""

from __future__ import annotations

import json

import pytest

from evals.datasets_io import DatasetError, load_retrieval_set, sha256_file

GOOD = {"id": "q1", "question": "How long do you keep my data?", "lang": "en", "section_ids": ["students/VII-storage"]}


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("{not json", "line 2: not valid JSON"),
        ('["a list"]', "line 2: expected a JSON object"),
        (json.dumps({**GOOD, "id": "q2", "question": ""}), "line 2: field 'question' must be a non-empty string"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "section_ids"} | {"id": "q2"}),
         "line 2: field 'section_ids' is missing"),
        (json.dumps({**GOOD, "id": "q2", "section_ids": "students/VII-storage"}),
         "line 2: field 'section_ids' must be a list of non-empty strings"),
        (json.dumps({**GOOD, "id": "q2", "section_ids": ["students/VII-storage", 7]}),
         "line 2: field 'section_ids' must be a list of non-empty strings"),
        (json.dumps({**GOOD, "id": "q2", "lang": "de"}), "line 2: field 'lang' must be one of en, fr"),
        (json.dumps({**GOOD, "id": "q2", "lang": "fr", "question": "Combien de temps ?", "audience": 3}),
         "line 2: field 'audience' must be a non-empty string"),
        (json.dumps(GOOD), "line 2: id 'q1' is already used on line 1"),
    ],
)
def test_malformed_line_error_names_file_line_and_problem(tmp_path, bad_line, message):
    path = tmp_path / "dev_questions.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + bad_line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        load_retrieval_set(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "does not exist"),
        (b"", "has no records"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_unusable_dataset_files(tmp_path, content, message):
    path = tmp_path / "d.jsonl"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        load_retrieval_set(path)


def test_blank_lines_are_skipped_and_line_numbers_stay_true(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("\n" + json.dumps(GOOD) + "\n\n{oops\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="line 4"):
        load_retrieval_set(path)


def test_shipped_question_sets_are_valid_and_generic_is_half_french():
    from evals.datasets_io import DATASETS_DIR

    generic = load_retrieval_set(DATASETS_DIR / "generic_questions.jsonl")
    assert len(generic) == 30
    assert sum(r["lang"] == "fr" for r in generic) == 15


def test_generic_question_ids_are_sections_the_generic_parser_produces():
    from evals.datasets_io import DATASETS_DIR, POLICIES_DIR
    from knowledge.parsing import parse
    from knowledge.sources import load_source

    sections, parser = parse(load_source(POLICIES_DIR / "lumen_library.md"))
    ids = {s.section_id for s in sections}
    assert parser.startswith("generic")
    for rec in load_retrieval_set(DATASETS_DIR / "generic_questions.jsonl"):
        assert set(rec["section_ids"]) <= ids, rec["id"]


def test_sha256_changes_with_content(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("x")
    b.write_text("y")
    assert sha256_file(a) != sha256_file(b) and len(sha256_file(a)) == 64

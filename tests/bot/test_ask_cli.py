"""`privacybot ask` end to end on the real models (kb_home from tests/kb_fixtures.py)."""

import json

import pytest

from bot.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture
def on_kb(kb_home, monkeypatch):
    monkeypatch.setenv("PRIVACYBOT_HOME", str(kb_home))
    from bot.settings import get_settings

    get_settings.cache_clear()


@pytest.mark.parametrize(
    "question, lang, kind, fact",
    [
        ("How long do you keep CCTV footage?", "en", "answer", "30 days"),
        ("Combien de temps conservez-vous les images de vidéosurveillance ?", "fr", "answer", "30 jours"),
        ("Write me a poem", "en", "refusal", None),
    ],
)
def test_ask_json_prints_one_answer(on_kb, capsys, question, lang, kind, fact):
    assert main(["ask", question, "--lang", lang, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["kind"] == kind and answer["lang"] == lang and answer["disclosure"]
    assert set(answer["timings_ms"]) >= {"guard", "embed", "answer", "total"}
    if fact:
        assert fact in answer["text"]


def test_ask_jsonl_echoes_ids_and_groups_sessions(on_kb, tmp_path, capsys):
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "question": "How long do you keep my data?", "session_id": "g"},
        {"id": "b", "question": "alumni", "session_id": "g"},
        {"id": "c", "question": "Hello", "lang": "fr"},
    ]) + "\n")
    assert main(["ask", "--jsonl", str(batch)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["kind"] == "clarification" and rows[1]["kind"] == "answer"
    assert rows[0]["session_id"] == rows[1]["session_id"] != rows[2]["session_id"]
    assert rows[2]["lang"] == "fr"


@pytest.mark.parametrize("args, message", [(["ask"], "Missing QUESTION"), (["ask", "hi", "--lang", "de"], "--lang en")])
def test_ask_bad_usage_is_one_line(capsys, args, message):
    assert main(args) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("question, lang", [
    ("I graduated from ESCE. To whom may my data be disclosed?", "en"),
    ("Je suis ancien élève de l'ESCE : à qui mes données peuvent-elles être communiquées ?", "fr"),
])
def test_a_list_question_prints_the_whole_list_once(on_kb, capsys, question, lang):
    assert main(["ask", question, "--lang", lang]) == 0
    out = capsys.readouterr().out
    items = [ln for ln in out.splitlines() if ln.startswith("• ")]
    assert len(items) >= 5  # every recipient, one per line
    assert "Companies to facilitate your recruitment" in out and out.count("Companies to facilitate") == 1
    assert "(quoted above)" in out

"""Retrieval behaviour a visitor would notice, and the `privacybot search` contract."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.errors import IndexMissingError, InputError
from knowledge.retrieve import get_retriever

PARTS = {"prospects", "students", "alumni", "staff", "partners", "cctv"}


@pytest.mark.parametrize(
    "question, section_id, within",
    [
        ("How long do you keep CCTV footage?", "cctv/VII-storage", 1),
        ("Combien de temps conservez-vous les images de vidéosurveillance ?", "cctv/VII-storage", 1),
        ("combien de temps gardez-vous les données des anciens élèves", "alumni/VII-storage", 3),
        ("I'm an alumnus: how long do you keep my alumni account?", "alumni/VII-storage", 1),
        ("As a student, who do you share my data with?", "students/IV-recipients", 3),
        ("En tant qu'étudiante, à qui transmettez-vous mes données ?", "students/IV-recipients", 3),
        ("Our company hosts an intern, how long do you keep our data?", "partners/VII-storage", 1),
        ("Notre entreprise accueille un stagiaire : combien de temps gardez-vous nos données ?", "partners/VII-storage", 3),
        ("If my job application fails, do you keep my CV?", "staff/VII-storage", 3),
        ("Who hosts the website?", "general/legal-notice", 3),
        ("Qui héberge le site ?", "general/legal-notice", 3),
        ("Do you have a representative in the UK?", "general/representatives", 1),
        ("How long does a cookie last?", "cookies/duration", 3),
        ("Quelle est la durée de vie des cookies ?", "cookies/duration", 3),
        ("How can I block cookies in my browser?", "cookies/management", 3),
    ],
)
def test_right_section_comes_first(retriever, question, section_id, within):
    ids = [h.chunk.section_id for h in retriever.search(question, k=5)]
    assert section_id in ids[:within], ids


@pytest.mark.parametrize(
    "question", ["How long do you keep my data?", "Combien de temps gardez-vous mes données ?"]
)
def test_question_without_audience_spans_audiences(retriever, question):
    assert retriever.detect_audience(question) is None
    hits = retriever.search(question, k=5)
    audiences = {h.chunk.audience for h in hits}
    assert len(audiences & PARTS) >= 3, audiences
    assert all(h.chunk.section_id.endswith("VII-storage") for h in hits[:3])


def test_explicit_audience_steers_results(retriever):
    hits = retriever.search("How long do you keep my data?", k=3, audience="staff")
    assert hits[0].chunk.section_id == "staff/VII-storage"


def test_hits_carry_fused_dense_and_bm25_scores(retriever):
    hits = retriever.search("How long are log files kept?", k=5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert all(0 < h.score <= 1 and h.dense > 0 for h in hits)
    assert any(h.bm25 > 0 for h in hits)
    assert hits[0].score >= hits[-1].score


def test_section_helpers(retriever):
    assert "students/VII-storage" in retriever.section_ids and "general/dpo" in retriever.section_ids
    chunks = retriever.section("alumni/VII-storage")
    assert chunks and [c.start for c in chunks] == sorted(c.start for c in chunks)
    assert "fifty (50) years" in " ".join(c.text for c in chunks)
    assert retriever.section("nope/none") == []
    assert retriever.source_text[chunks[0].start:chunks[0].end] == chunks[0].text


@pytest.mark.parametrize("question, message", [("   ", "empty"), ("x" * 100_000, "too long")])
def test_bad_questions(retriever, question, message):
    with pytest.raises(InputError, match=message):
        retriever.search(question)


def test_unknown_kb_is_index_missing(kb_settings):
    with pytest.raises(IndexMissingError, match="privacybot ingest"):
        get_retriever("no-such-kb", kb_settings)


@pytest.fixture
def on_kb(kb_home, monkeypatch):
    from bot.settings import get_settings

    monkeypatch.setenv("PRIVACYBOT_HOME", str(kb_home))
    get_settings.cache_clear()
    return kb_home


def test_cli_search_json_shape(on_kb, capsys):
    assert main(["search", "How long do you keep CCTV footage?", "--k", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 3
    assert all(set(h) == {"section_id", "audience", "heading", "text", "score"} for h in out)
    assert out[0]["section_id"] == "cctv/VII-storage" and out[0]["audience"] == "cctv"
    assert out[0]["score"] >= out[1]["score"] >= out[2]["score"]


def test_cli_search_jsonl_batch(on_kb, tmp_path, capsys):
    batch = tmp_path / "q.jsonl"
    lines = [{"id": "a", "question": "Who is the data controller?", "k": 2},
             {"id": 7, "question": "Qui est le délégué à la protection des données ?", "lang": "fr"}]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    assert main(["search", "--jsonl", str(batch)]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == ["a", 7]
    assert len(rows[0]["chunks"]) == 2 and rows[0]["chunks"][0]["section_id"] == "general/controller"
    assert len(rows[1]["chunks"]) == 5 and rows[1]["chunks"][0]["section_id"] == "general/dpo"


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["search", "", "--json"], 2, "empty"),
        (["search", "x" * 100_000, "--json"], 2, "too long"),
        (["search", "hello", "--kb", "nosuchkb", "--json"], 3, "privacybot ingest"),
        (["search", "hello", "--lang", "de"], 2, "--lang en"),
        (["search", "--jsonl", "/nonexistent/q.jsonl"], 2, "does not exist"),
    ],
)
def test_cli_search_bad_input(on_kb, capsys, argv, code, message):
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: ") and message in err and "\n" not in err


def test_cli_search_jsonl_bad_line_names_the_line(on_kb, tmp_path, capsys):
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": 1, "question": "ok"}\n{"id": 2}\n', encoding="utf-8")
    assert main(["search", "--jsonl", str(batch)]) == 2
    assert "line 2" in capsys.readouterr().err


@pytest.mark.parametrize(
    "question, section_id",
    [
        ("Who hosts the website?", "general/legal-notice"),
        ("Qui héberge le site ?", "general/legal-notice"),
        ("How will I know if the privacy policy is updated?", "general/contact"),
        ("Comment saurai-je si la politique de confidentialité est mise à jour ?", "general/contact"),
        ("Je pars en échange à l'étranger, mes données peuvent-elles être transférées à l'université partenaire ?",
         "students/VIII-transfers"),
        ("I'm going on an exchange semester at a partner university: is my data transferred there?",
         "students/VIII-transfers"),
    ],
)
def test_the_section_the_question_names_ranks_first(retriever, question, section_id):
    hits = retriever.search(question, k=5)
    assert hits[0].chunk.section_id == section_id, [h.chunk.section_id for h in hits]


@pytest.mark.parametrize("question", ["How long do you keep CCTV footage?", "Combien de temps gardez-vous les images ?"])
def test_a_repeated_query_reuses_its_embedding(retriever, question):
    from knowledge import embedders

    model = "minilm" if question.startswith("How") else "e5"
    first = embedders.embed_query(model, question)
    before = embedders.query_cache_info().hits
    again = embedders.embed_query(model, f"  {question}  ")  # same question, other whitespace
    assert embedders.query_cache_info().hits == before + 1
    assert again is first and not again.flags.writeable

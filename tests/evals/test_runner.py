"""`run_eval` end to end over fakes (tests/evals/conftest.py): report files and their layout,
blind sets, optional suites without a dataset, redaction, baselines and the no-regression gate,
interrupted runs, bad input."""

from __future__ import annotations

import json
import re

import pytest

from bot.errors import ERRORS, InputError
from evals.datasets import DatasetError
from evals.registry import SUITES
from evals.runner import resolve_suites, run_eval

from .conftest import CANARY_EMAIL, CANARY_STRINGS, DIALOGUE_SETS, FakeEngine

DPO = "dpo@omneseducation.com"
REPLIES = {
    "How long do you keep CCTV footage?": ("answer", "30 days.", [("cctv/VII-storage", "kept for 30 days")]),
    "Combien de temps gardez-vous les images ?": ("answer", "Un mois.", [("cctv/VII-storage", "30 jours")]),
    "Delete my data": ("rights_request", f"Write to {DPO}.", [("general/V-rights", "right to erasure")]),
    "Hello": ("greeting", "Hello! Ask me about the policy.", []),
    "I'm a student": ("answer", "As a student...", [("students/VII-storage", "six years")]),
}
ANSWERS = [
    {"id": "en-1", "lang": "en", "kind": "answer", "question": "How long do you keep CCTV footage?",
     "facts": ["30 days"], "section_ids": ["cctv/VII-storage"]},
    {"id": "fr-1", "lang": "fr", "kind": "answer", "question": "Combien de temps gardez-vous les images ?",
     "facts": ["30 jours"], "section_ids": ["cctv/VII-storage"]},
    {"id": "en-2", "lang": "en", "kind": "rights_request", "question": "Delete my data", "section_ids": ["general/V-rights"]},
    {"id": "en-3", "lang": "en", "kind": "answer", "facts": ["6 years"], "section_ids": ["students/VII-storage"],
     "question": f"My email is {CANARY_EMAIL} and I have HIV, how long do you keep my file?"},
]
DIALOGUES = [
    {"id": "d-1", "lang": "en", "turns": [
        {"user": "Hello", "expect": {"kind": "greeting", "facts": [], "section_ids": [], "audience": None}},
        {"user": "I'm a student", "expect": {"kind": "answer", "facts": ["six years"], "section_ids": [],
                                             "audience": "partners"}}]},
]
QUESTIONS = [{"id": "q1", "lang": "en", "question": "How long do you keep CCTV footage?", "section_ids": ["cctv/VII-storage"]},
             {"id": "q2", "lang": "fr", "question": "Qui voit mes notes ?", "section_ids": ["students/IV-recipients"]}]
RANKINGS = {"How long do you keep CCTV footage?": ["cctv/VII-storage"],
            "Qui voit mes notes ?": ["staff/IV-recipients", "students/IV-recipients"]}
SUITES_RUN = ["answers", "answers_holdout", "answers_blind_a", "answers_blind_b", "dialogues", "retrieval"]


@pytest.fixture
def run(make_context, tmp_path):
    def go(suites=SUITES_RUN, engine=None, out="report", blind_a=ANSWERS, **kw):
        ctx = make_context(engine=engine or FakeEngine(REPLIES), rankings=RANKINGS, datasets={
            "answers": ANSWERS, "answers_holdout": ANSWERS, "answers_blind_a": blind_a,
            "dialogues_blind_1": DIALOGUES, "retrieval": QUESTIONS})
        ctx.dataset_overrides.update(answers_blind_b=tmp_path / "absent.jsonl", dialogues_blind_2=tmp_path / "no.jsonl")
        report = run_eval(suites, settings=ctx.settings, out_dir=tmp_path / out, context=ctx, **kw)
        return report, tmp_path / out, ctx

    return go


def test_report_files_sections_and_side_by_side_tables(run):
    report, out, _ctx = run()
    assert {p.name for p in out.iterdir()} >= {"report.md", "report.html", "metrics.json",
                                               "retrieval_recall_curve.png"}
    md = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("**Status: COMPLETE**", "## Summary", "## Side by side (value [95% CI])",
                    "### answers: dev | holdout | A | B (skipped)", "| metric | dev | holdout | A | B (skipped) |",
                    "### dialogues: 1 | 2 (skipped)", "## Run", "### Datasets (sha256)",
                    "## Answers — blind set A (holdout, not tuned on)", "| metric | value | 95% CI | n | gate |"):
        assert heading in md, heading
    assert re.search(r"\| fact_accuracy \| 0\.667 \[\d\.\d+, \d\.\d+\] \| 0\.667 ", md)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["complete"] and metrics["suites_done"][:3] == ["answers", "answers_holdout", "answers_blind_a"]
    b = metrics["suites"]["answers_blind_b"]
    assert b["status"] == "skipped" and "absent.jsonl is not in evals/datasets/ yet" in b["notes"][0]
    d = metrics["suites"]["dialogues_blind_1"]["metrics"]
    assert d["turn_accuracy"]["value"] == 0.5 and d["wrong_audience_turns"]["value"] == 1.0
    r = metrics["suites"]["retrieval"]["metrics"]
    assert r["recall_at_1"]["value"] == 0.5 and r["mrr_fr"]["value"] == 0.5
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<style>" in html and "<script" not in html.lower() and not re.search(r"(src|href)=\"?(https?:)?//", html)
    images = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert len(images) == len(list(out.glob("*.png"))) >= 1 and all(i.startswith("data:image/png;base64,") for i in images)


def test_engine_is_called_with_record_false_and_dialogues_keep_their_session(run):
    engine = FakeEngine(REPLIES)
    run(["answers", "dialogues_blind_1"], engine=engine)
    assert engine.calls and all(c["record"] is False for c in engine.calls)
    dialogue = [c for c in engine.calls if c["message"] in ("Hello", "I'm a student")]
    assert [c["lang"] for c in dialogue] == [None, None]  # detected, not given
    assert dialogue[0]["session_id"] is None and dialogue[1]["session_id"] == "s5"  # the first turn's session


def test_blind_sets_show_ids_and_failure_classes_never_texts(run):
    _report, out, _ctx = run(["answers_blind_a", "dialogues_blind_1"])
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for name in ("answers_blind_a", "dialogues_blind_1"):
        suite = metrics["suites"][name]
        assert suite["failures"] and all(set(f) <= {"id", "lang", "why"} for f in suite["failures"])
        assert suite["failure_classes"]
    assert metrics["suites"]["dialogues_blind_1"]["failures"] == [
        {"id": "d-1#2", "lang": "en", "why": "cited another audience's part (students)"}]
    for path in out.iterdir():
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for question in ["I'm a student", "how long do you keep my file", "As a student"]:
            assert question not in text, (question, path.name)


def test_canary_never_reaches_a_report_file_but_its_failure_is_listed_redacted(run):
    _report, out, _ctx = run(["answers"])
    for path in out.iterdir():
        data = path.read_bytes().decode("utf-8", errors="ignore")
        for canary in CANARY_STRINGS:
            assert canary not in data, f"{canary!r} leaked into {path.name}"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "[EMAIL_ADDRESS]" in md and "[HEALTH]" in md and "| en-3 |" in md


def test_save_baseline_then_the_no_regression_gate(run):
    first, _out, ctx = run(["answers_blind_a"], save_baseline=True, out="first", blind_a=ANSWERS[:3])
    assert "[answers_blind_a] no baseline for the no-regression gate" in first["gates"]["failed"][0]
    saved = json.loads((ctx.baselines_dir / "answers_blind_a.json").read_text(encoding="utf-8"))
    assert saved["metrics"]["kind_accuracy"]["value"] == 1.0 and saved["dataset_sha256"]

    same, _out, _ctx = run(["answers_blind_a"], out="same", blind_a=ANSWERS[:3])
    assert same["gates"]["failed"] == [] and same["gates"]["total"] > 2  # fixed + regression gates
    worse = FakeEngine({**REPLIES, "Delete my data": ("refusal", "No.", [])})
    report, out, _ctx = run(["answers_blind_a"], engine=worse, out="worse", blind_a=ANSWERS[:3])
    failed = "\n".join(report["gates"]["failed"])
    assert "kind_accuracy" not in failed  # one case of three flipped: inside the baseline's 95% interval
    assert "[answers_blind_a] rights_precision = missing" in failed  # a metric that vanished fails
    assert "fact_accuracy " not in failed
    assert "(vs baseline)" in (out / "report.md").read_text(encoding="utf-8")


def test_a_changed_dataset_invalidates_the_baseline(run):
    run(["answers_blind_a"], save_baseline=True, out="first")
    report, _out, _ctx = run(["answers_blind_a"], out="second", blind_a=ANSWERS[:2])
    assert "the dataset changed since the baseline was saved" in report["gates"]["failed"][0]


class _Breaks(FakeEngine):
    def __init__(self, exc, after):
        super().__init__(REPLIES)
        self.exc, self.after = exc, after

    def ask(self, message, **kw):
        if len(self.calls) >= self.after:
            raise self.exc
        return super().ask(message, **kw)


@pytest.mark.parametrize("exc, propagates, error_text", [
    (KeyboardInterrupt(), KeyboardInterrupt, "interrupted (Ctrl-C)"),
    (RuntimeError("index file vanished"), None, "RuntimeError: index file vanished"),
])
def test_interrupted_or_failing_suite_keeps_partial_results_marked_incomplete(run, tmp_path, exc, propagates,
                                                                             error_text):
    engine = _Breaks(exc, after=len(ANSWERS) + 2)  # `answers` completes, `answers_holdout` breaks on its 3rd case
    if propagates:
        with pytest.raises(propagates):
            run(["answers", "answers_holdout"], engine=engine)
    else:
        assert run(["answers", "answers_holdout"], engine=engine)[0]["complete"] is False
    metrics = json.loads((tmp_path / "report" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["suites_done"] == ["answers"] and metrics["suites_missing"] == ["answers_holdout"]
    assert error_text in metrics["errors"]["answers_holdout"]
    for name in ("report.md", "report.html"):
        assert "INCOMPLETE — missing suites: answers_holdout" in (tmp_path / "report" / name).read_text()


def test_missing_index_says_to_run_ingest(tmp_path):
    from bot.settings import load_settings

    settings = load_settings({"PRIVACYBOT_HOME": str(tmp_path / "empty")})
    with pytest.raises(ERRORS) as err:
        run_eval(["answers"], settings=settings, kb="nokb", out_dir=tmp_path / "out", progress=False)
    assert err.value.code == "index_missing" and "privacybot ingest" in str(err.value)
    assert not (tmp_path / "out").exists()  # nothing written for a run that cannot start


def test_malformed_dataset_line_stops_the_run_before_anything_is_written(make_context, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ANSWERS[0]) + '\n{"id": "b", "question": 3}\n')
    ctx = make_context(dataset_overrides={"answers_holdout": bad})
    with pytest.raises(DatasetError, match=f"{bad} line 2: field 'question' must be a non-empty string"):
        run_eval(["answers", "answers_holdout"], settings=ctx.settings, out_dir=tmp_path / "out", context=ctx)
    assert not (tmp_path / "out").exists()


def test_a_metric_beyond_its_gate_fails_and_the_report_says_which(run, tmp_path):
    strict = tmp_path / "strict.toml"
    strict.write_text("[answers]\nfact_accuracy_en = {min = 1.0}\nuncited_answers = {max = -1}\n", encoding="utf-8")
    report, out, _ctx = run(["answers"], thresholds_path=strict)
    assert report["gates"]["total"] == 2 and report["gates"]["passed"] == 0
    assert "[answers] fact_accuracy_en = 0.5, gate ≥ 1 (thresholds.toml)" in report["gates"]["failed"]
    assert "FAIL [answers] fact_accuracy_en" in (out / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "asked, expected",
    [
        ("dialogues", DIALOGUE_SETS),
        (["answers", "answers"], ["answers"]),
        ("guard,load", ["guard", "load"]),
        (["all", "load"], [*[s.name for s in SUITES.values() if s.default], "load"]),
    ],
)
def test_suite_selection(asked, expected):
    assert resolve_suites(asked) == expected


def test_all_runs_every_holdout_but_not_load():
    names = resolve_suites("all")
    assert {"answers", "answers_holdout", "answers_blind_a", "answers_blind_b", "dialogues_blind_1",
            "dialogues_blind_2", "latency", "retrieval", "generic", "guard", "guard_blind"} <= set(names)
    assert "load" not in names


def test_unknown_suite_is_a_clear_error():
    with pytest.raises(InputError, match="Unknown suite 'retreival'. Use one of: retrieval"):
        resolve_suites(["retreival"])


def test_latency_summary_answer_latency_is_over_questions_expecting_an_answer():
    from evals.suites.latency import summarize

    samples = [{"expected": "answer", "timings": {"guard": 1, "embed": 10, "answer": 2, "total": t}}
               for t in (20, 30, 40)] + [{"expected": "greeting", "timings": {"guard": 1, "total": 2}}]
    result = summarize(samples, "latency")
    assert result.metrics["answer_latency_p50_ms"].value == 30
    assert result.metrics["total_p50_ms"].value == 25 and result.metrics["total_p95_ms"].n == 4
    assert result.metrics["embed_p50_ms"].n == 3

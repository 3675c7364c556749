"""The suites against the real engine and guard (slow: models load): the engine's real `Answer`
objects go through the answer and dialogue scoring, and the latency benchmark runs in its own
process. Small sets cut from the dev data (never the blind sets)."""

from __future__ import annotations

import json

import pytest

from evals.context import EvalContext
from evals.datasets import ANSWERS, DATASETS_DIR, load_jsonl
from evals.runner import run_eval

pytestmark = pytest.mark.slow
DIALOGUE = {"id": "dev-d1", "lang": "en", "turns": [
    {"user": "Hello!", "expect": {"kind": "greeting", "facts": [], "section_ids": [], "audience": None}},
    {"user": "How long do you keep CCTV footage?", "expect": {"kind": "answer", "facts": ["30 days|thirty"],
                                                              "section_ids": ["cctv/VII-storage"], "audience": None}},
]}


@pytest.fixture
def small_sets(tmp_path):
    cases = load_jsonl(DATASETS_DIR / "dev_answers.jsonl", *ANSWERS)
    single = [c for c in cases if not c.get("session")]
    picked = [c for c in single if c["lang"] == "en"][:3] + [c for c in single if c["lang"] == "fr"][:3]
    (tmp_path / "answers.jsonl").write_text("".join(json.dumps(c) + "\n" for c in picked), encoding="utf-8")
    (tmp_path / "dialogues.jsonl").write_text(json.dumps(DIALOGUE) + "\n", encoding="utf-8")
    return {"answers": tmp_path / "answers.jsonl", "dialogues_blind_1": tmp_path / "dialogues.jsonl",
            "latency": tmp_path / "answers.jsonl"}, len(picked)


def test_answers_and_dialogues_score_real_answers(tmp_path, kb_settings, guard, engine, small_sets):
    overrides, n = small_sets
    ctx = EvalContext(settings=kb_settings, kb="omnes", progress=False, guard_obj=guard, engine_obj=engine,
                      dataset_overrides=overrides, baselines_dir=tmp_path / "baselines")
    report = run_eval(["answers", "dialogues_blind_1"], settings=kb_settings, out_dir=tmp_path / "r", context=ctx)
    assert report["complete"], report["errors"]
    answers = report["suites"]["answers"]["metrics"]
    assert answers["kind_accuracy"]["n"] == n and 0.0 <= answers["kind_accuracy"]["value"] <= 1.0
    assert answers["total_p50_ms"]["value"] > 0 and answers["refusal_citations"]["value"] == 0
    dialogue = report["suites"]["dialogues_blind_1"]["metrics"]
    assert dialogue["turn_accuracy"]["n"] == 2 and dialogue["conversation_accuracy"]["n"] == 1


def test_latency_benchmark_runs_in_a_fresh_process(tmp_path, kb_settings, small_sets):
    overrides, n = small_sets
    ctx = EvalContext(settings=kb_settings, kb="omnes", progress=False, dataset_overrides=overrides,
                      retriever_factory=lambda kb: object(), guard_obj=object())
    report = run_eval(["latency"], settings=kb_settings, out_dir=tmp_path / "r", context=ctx)
    assert report["complete"], report["errors"]
    m = report["suites"]["latency"]["metrics"]
    assert m["total_p50_ms"]["n"] == n and m["total_p50_ms"]["value"] > 0
    assert m["answer_latency_p95_ms"]["value"] >= m["answer_latency_p50_ms"]["value"] > 0
    assert 0 < m["cold_start_s"]["value"] < 600

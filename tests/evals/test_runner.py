"""`run_eval` end to end on the real pipeline (Lumen knowledge base, real guard): report files,
self-contained HTML, baseline deltas, interrupted and failing runs, missing index, canary."""

from __future__ import annotations

import json
import re

import pytest

from bot.errors import IndexMissingError
from evals.datasets_io import DatasetError
from evals.runner import resolve_suites, run_eval

from .conftest import CANARY_STRINGS

SECTIONS_MD = [
    "# privacybot evaluation report",
    "**Status: COMPLETE**",
    "## Summary",
    "## Run",
    "### Models and packages",
    "### Datasets (sha256)",
    "## Retrieval (OMNES policy)",
    "## Generic policy (second, fictional organisation)",
    "| metric | value | 95% CI | n | gate | result | baseline | Δ |",
    "### Worst failures",
]


@pytest.fixture
def two_suite_run(tmp_path, lumen_settings, make_context, small_generic_set):
    ctx = make_context(dataset_overrides={"retrieval": small_generic_set, "generic": small_generic_set})
    out = tmp_path / "report"
    report = run_eval(["retrieval", "generic"], settings=lumen_settings, kb="lumen", out_dir=out, context=ctx)
    return report, out


def test_report_files_have_every_section(two_suite_run):
    report, out = two_suite_run
    assert {p.name for p in out.iterdir()} >= {
        "report.md", "report.html", "metrics.json", "retrieval_recall_curve.png", "generic_recall_curve.png"
    }
    md = (out / "report.md").read_text(encoding="utf-8")
    for heading in SECTIONS_MD:
        assert heading in md, heading
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["complete"] is True and metrics["suites_missing"] == []
    header = metrics["header"]
    assert re.fullmatch(r"[0-9a-f]{40}|unknown", header["git_commit"])
    assert header["models"]["presidio-analyzer"] and header["models"]["chromadb"]
    assert header["machine"]["cpu_count"] >= 1
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in header["datasets"].values())
    m = metrics["suites"]["generic"]["metrics"]
    for key in ("recall_at_1", "recall_at_5_en", "recall_at_5_fr", "mrr", "ndcg_at_5"):
        assert 0.0 <= m[key]["value"] <= 1.0
        assert m[key]["ci"][0] <= m[key]["value"] <= m[key]["ci"][1]
    assert m["recall_at_5"]["threshold"] == {"min": 0.8}
    assert m["recall_at_5"]["passed"] == (m["recall_at_5"]["value"] >= 0.8)
    # the canary items point at a section that does not exist: always listed as failures
    assert {"canary-en", "canary-fr"} <= {f["id"] for f in metrics["suites"]["generic"]["failures"]}


def test_html_report_is_self_contained(two_suite_run):
    _report, out = two_suite_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<style>" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<link" not in html.lower() and "<script" not in html.lower()
    images = re.findall(r'<img[^>]+src="([^"]+)"', html)
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(images) == len(pngs) >= 2  # every plot is embedded, none is linked
    assert all(src.startswith("data:image/png;base64,") for src in images)


def test_canary_never_reaches_any_report_file(two_suite_run):
    _report, out = two_suite_run
    for path in out.iterdir():
        data = path.read_bytes().decode("utf-8", errors="ignore")
        for canary in CANARY_STRINGS:
            assert canary not in data, f"{canary!r} leaked into {path.name}"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "[EMAIL_ADDRESS]" in md and "[HEALTH]" in md  # the failures are there, redacted


def test_baseline_delta_and_save_baseline(tmp_path, lumen_settings, make_context, small_generic_set, two_suite_run):
    _first, first_out = two_suite_run
    baseline = json.loads((first_out / "metrics.json").read_text(encoding="utf-8"))
    baseline["suites"]["generic"]["metrics"]["mrr"]["value"] = 0.25
    baseline["header"]["git_commit"] = "b" * 40
    base_dir = tmp_path / "base"
    base_dir.mkdir()
    (base_dir / "metrics.json").write_text(json.dumps(baseline), encoding="utf-8")

    ctx = make_context(dataset_overrides={"generic": small_generic_set})
    report = run_eval(["generic"], settings=lumen_settings, out_dir=tmp_path / "second", context=ctx,
                      baseline_dir=base_dir, save_baseline=True)
    mrr = report["suites"]["generic"]["metrics"]["mrr"]
    assert mrr["baseline"] == 0.25
    assert mrr["delta"] == pytest.approx(mrr["value"] - 0.25, abs=1e-6)
    assert report["baseline"]["git_commit"] == "b" * 40
    md = (tmp_path / "second" / "report.md").read_text(encoding="utf-8")
    assert f"{mrr['delta']:+.3f}" in md
    saved = lumen_settings.reports_dir / "baseline" / "metrics.json"
    assert json.loads(saved.read_text())["suites"]["generic"]["metrics"]["mrr"]["value"] == mrr["value"]


class _Breaks:
    """Wraps the real retriever; raises `exc` on the n-th search (an interruption mid-suite)."""

    def __init__(self, inner, exc, after):
        self.inner, self.exc, self.after, self.calls = inner, exc, after, 0

    def search(self, *args, **kwargs):
        self.calls += 1
        if self.calls > self.after:
            raise self.exc
        return self.inner.search(*args, **kwargs)


@pytest.mark.parametrize(
    "exc, propagates, error_text",
    [
        (KeyboardInterrupt(), KeyboardInterrupt, "interrupted (Ctrl-C)"),
        (RuntimeError("index file vanished"), None, "RuntimeError: index file vanished"),
    ],
)
def test_interrupted_or_failing_suite_keeps_partial_results_marked_incomplete(
    tmp_path, monkeypatch, lumen_settings, make_context, small_generic_set, exc, propagates, error_text
):
    import evals.suite_retrieval as sr

    original = sr.score_items

    def breaks_on_third_question(ctx, records, kb, desc):
        # generic (first) completes; retrieval (second) breaks mid-suite on its 3rd search
        ctx._retrievers[kb] = _Breaks(ctx.retriever(kb), exc, after=2)
        return original(ctx, records, kb, desc)

    monkeypatch.setattr(sr, "score_items", breaks_on_third_question)
    ctx = make_context(dataset_overrides={"retrieval": small_generic_set, "generic": small_generic_set})
    out = tmp_path / "partial"
    if propagates:
        with pytest.raises(propagates):
            run_eval(["generic", "retrieval"], settings=lumen_settings, kb="lumen", out_dir=out, context=ctx)
    else:
        report = run_eval(["generic", "retrieval"], settings=lumen_settings, kb="lumen", out_dir=out, context=ctx)
        assert report["complete"] is False

    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["complete"] is False
    assert metrics["suites_done"] == ["generic"] and metrics["suites_missing"] == ["retrieval"]
    assert error_text in metrics["errors"]["retrieval"]
    assert metrics["suites"]["generic"]["metrics"]["mrr"]["value"] is not None  # partial results kept
    for name in ("report.md", "report.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert "INCOMPLETE — missing suites: retrieval" in text


@pytest.mark.parametrize("kb", ["nokb", "omnes-missing"])
def test_missing_index_says_to_run_ingest(tmp_path, kb):
    from bot.settings import load_settings

    settings = load_settings({"PRIVACYBOT_HOME": str(tmp_path / "empty")})
    with pytest.raises(IndexMissingError) as err:
        run_eval(["retrieval"], settings=settings, kb=kb, out_dir=tmp_path / "out", progress=False)
    assert "privacybot ingest" in str(err.value)
    assert not (tmp_path / "out").exists()  # nothing written for a run that cannot start


def test_malformed_dataset_line_stops_the_run_before_anything_is_written(tmp_path, make_context, lumen_settings):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "q?", "lang": "en", "section_ids": ["x"]}\n{"id": "b", "question": 3}\n')
    ctx = make_context(dataset_overrides={"generic": bad})
    with pytest.raises(DatasetError) as err:
        run_eval(["generic"], settings=lumen_settings, out_dir=tmp_path / "out", context=ctx)
    assert f"{bad} line 2: field 'question' must be a non-empty string" in str(err.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "suite, shipped, bad_line",
    [
        ("answers", "dev_answers.jsonl", '{"id": "b", "question": "q?", "lang": "de", "kind": "answer"}'),
        ("answers_holdout", "holdout_answers.jsonl", '{"id": "b", "question": "q?", "lang": "de", "kind": "answer"}'),
        ("guard", "guard_set.jsonl", '{"id": "b", "lang": "en", "text": ""}'),
        ("guard_blind", "guard_blind.jsonl", '{"id": "b", "lang": "en", "text": ""}'),
    ],
)
def test_holdout_suites_reuse_the_adapters_on_their_own_dataset(tmp_path, make_context, suite, shipped, bad_line):
    """Each suite reads its own shipped file, and an override is keyed by the suite's own name
    (so a holdout suite never silently runs on the dev set, nor the other way round)."""
    from evals.runner import suite_module

    mod = suite_module(suite)
    assert [p.name for p in mod.datasets(make_context())] == [shipped]
    mod.validate(make_context())  # the shipped file is valid
    bad = tmp_path / "bad.jsonl"
    bad.write_text(bad_line + "\n", encoding="utf-8")
    other = {"answers": "answers_holdout", "answers_holdout": "answers", "guard": "guard_blind",
             "guard_blind": "guard"}[suite]
    mod.validate(make_context(dataset_overrides={other: bad}))  # another suite's override is ignored
    with pytest.raises(DatasetError, match=f"{bad} line 1"):
        mod.validate(make_context(dataset_overrides={suite: bad}))


@pytest.mark.parametrize(
    "asked, expected",
    [
        ("all", ["retrieval", "answers", "guard", "latency", "generic", "answers_holdout", "guard_blind"]),
        (["retrieval", "retrieval"], ["retrieval"]),
        ("guard,load", ["guard", "load"]),
        ("answers_holdout,guard_blind", ["answers_holdout", "guard_blind"]),
        (["all", "load"], ["retrieval", "answers", "guard", "latency", "generic", "answers_holdout", "guard_blind",
                           "load"]),
    ],
)
def test_suite_selection(asked, expected):
    assert resolve_suites(asked) == expected


def test_unknown_suite_is_a_clear_error():
    from bot.errors import InputError

    with pytest.raises(InputError, match="Unknown suite 'retreival'"):
        resolve_suites(["retreival"])


def test_a_metric_below_its_gate_fails_and_the_report_says_which(tmp_path, lumen_settings, make_context,
                                                                 small_generic_set):
    strict = tmp_path / "strict.toml"
    strict.write_text("[generic]\nrecall_at_10 = {min = 1.0}\nrecall_at_1_fr = {max = -1}\n", encoding="utf-8")
    ctx = make_context(dataset_overrides={"generic": small_generic_set})
    report = run_eval(["generic"], settings=lumen_settings, out_dir=tmp_path / "out", context=ctx,
                      thresholds_path=strict)
    # the two canary items can never be found, so recall@10 < 1.0; recall@1_fr can never be <= -1
    assert report["gates"]["total"] == 2 and report["gates"]["passed"] == 0
    assert any(line.startswith("[generic] recall_at_10 = ") and "gate ≥ 1" in line for line in report["gates"]["failed"])
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "FAIL [generic] recall_at_10" in md and "| recall_at_10 |" in md

"""Retrieval: recall@k, MRR and nDCG@5 per language of the retriever's top 10 (the public
`search` API) on a question set, with bootstrap intervals. The `generic` entry first ingests its
own policy into its own knowledge base; evals/suites/naive_rag.py ranks the same way."""

from __future__ import annotations

from collections.abc import Callable

from evals.datasets import LANGS, POLICIES_DIR, RETRIEVAL, load_jsonl
from evals.metrics import retrieval as scoring
from evals.results import SuiteResult

LANG = r"(_(en|fr))?"
METRICS = [rf"recall_at_\d+{LANG}", rf"mrr{LANG}", rf"ndcg_at_\d+{LANG}"]


def validate(ctx, suite) -> None:
    load_jsonl(suite.path(ctx), *RETRIEVAL)


def run(ctx, suite) -> SuiteResult:
    kb = suite.kb or ctx.kb
    if suite.policy:
        from knowledge.index import ingest

        ingest(POLICIES_DIR / suite.policy, kb, root=ctx.settings.home / "kb", default_kb=ctx.settings.kb,
               chroma_url=ctx.settings.chroma_url, progress=False)
    from knowledge.query import analyse

    retriever = ctx.retriever(kb)
    result = evaluate(ctx, suite, lambda q: [{h.chunk.section_id} for h in
                                             retriever.search(analyse(q["question"], q["lang"]), k=scoring.CUTOFF)])
    if suite.policy:
        result.notes.append(f"Knowledge base '{kb}' built from {suite.policy}.")
    return result


def evaluate(ctx, suite, rank: Callable[[dict], list[set[str]]]) -> SuiteResult:
    """Score `rank(question record) -> ranked results (sets of section ids)` on the suite's questions."""
    records = load_jsonl(suite.path(ctx), *RETRIEVAL)
    items = []
    for rec in ctx.bar([r for r in records if r["section_ids"]], desc=suite.name):
        ranked = rank(rec)[: scoring.CUTOFF]
        items.append({"id": rec["id"], "lang": rec["lang"], "question": rec["question"],
                      "expected": rec["section_ids"], "ranked": scoring.dedupe(ranked),
                      **scoring.score(ranked, set(rec["section_ids"]))})
    result = SuiteResult(suite.name, metrics=scoring.metrics(items), datasets=suite.files(ctx))
    result.series["recall_curve"] = {
        "type": "curve", "title": f"{suite.title}: recall@k", "xlabel": "k",
        "ylabel": "recall@k (any expected section in top k)",
        "lines": {lang.upper(): [[k, sum(i[f"hit@{k}"] for i in g) / len(g)] for k in range(1, scoring.CUTOFF + 1)]
                  for lang in LANGS if (g := [i for i in items if i["lang"] == lang])}}
    bad = sorted((i for i in items if i["rr"] < 1.0), key=lambda i: (i["rr"], i["ndcg@5"]))
    result.failures = [{"id": i["id"], "lang": i["lang"], "question": i["question"], "got": ", ".join(i["ranked"][:3]),
                        "expected": ", ".join(i["expected"]),
                        "why": "not in top 5" if i["hit@5"] == 0.0 else f"first relevant at rank {round(1 / i['rr'])}"}
                       for i in bad]
    if len(records) > len(items):
        result.notes.append(f"{len(records) - len(items)} unanswerable questions (no expected section) are not "
                            "scored here; the answer suites check that the bot refuses them.")
    return result

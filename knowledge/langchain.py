"""The knowledge base as a LangChain retriever, for people who build their own chains on it:

    from knowledge.langchain import PolicyRetriever
    retriever = PolicyRetriever.open(Path("var/kb/omnes"), "omnes", k=4)
    docs = retriever.invoke("How long do you keep CCTV footage?")
    # Document(page_content=<exact policy text>, metadata={section_id, audience, heading, start, end, score})

Each document is the quote an answer would use (an answer unit with its list or antecedent),
ranked by the same fitted ranker as the assistant. Questions are embedded as given: pass redacted
text (the assistant's guard runs before retrieval; a chain of your own should do the same)."""

from __future__ import annotations

from pathlib import Path

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from knowledge.query import analyse
from knowledge.retrieve import Retriever, open_retriever


class PolicyRetriever(BaseRetriever):
    """A LangChain `BaseRetriever` over one knowledge base."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Retriever
    k: int = 4
    lang: str = "en"
    audience: str | None = None

    @classmethod
    def open(cls, kb_dir: Path, kb: str, **kwargs) -> PolicyRetriever:
        return cls(retriever=open_retriever(Path(kb_dir), kb), **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.retriever.rank(analyse(query, self.lang), k=self.k,
                                   audiences={self.audience} if self.audience else None)
        source = self.retriever.source_text
        return [Document(page_content=source[h.unit.quote_start:h.unit.quote_end],
                         metadata={"section_id": h.unit.section_id, "audience": h.unit.audience,
                                   "heading": h.unit.heading, "start": h.unit.quote_start, "end": h.unit.quote_end,
                                   "score": round(h.score, 6), "kb": self.retriever.kb}) for h in hits]

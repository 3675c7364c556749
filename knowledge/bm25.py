"""Lexical side of hybrid retrieval: BM25 (`bm25s`) over the answer units (text + context)."""

from __future__ import annotations

import logging

import numpy as np

from knowledge.text import tokens

logging.getLogger("bm25s").setLevel(logging.WARNING)


class BM25Index:
    def __init__(self, docs: list[str]):
        import bm25s

        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        corpus = [tokens(d) or ["_empty_"] for d in docs]
        self._vocab = {t for doc in corpus for t in doc}
        self._bm25.index(corpus, show_progress=False)
        self.size = len(docs)

    def known(self, toks: list[str]) -> list[str]:
        return [t for t in toks if t in self._vocab]

    def scores(self, toks: list[str]) -> np.ndarray:
        toks = self.known(toks)
        if not toks:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(toks), dtype=np.float32)

"""The assistant's notice is embedded once per model; swapping the embedding model (as the tests'
fake embedder and the real one do in one process) never pairs vectors of two models."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answers.assistant import Notice, _vectors
from knowledge import embedders


class _Fixed:
    def __init__(self, dim: int):
        self.dim = dim

    def documents(self, texts):
        return np.ones((len(texts), self.dim), dtype=np.float32)

    def query(self, text):
        return np.ones(self.dim, dtype=np.float32)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_notice_vectors_follow_the_current_model(lang):
    notice = Notice(30, "sqlite", "dpo@example.org")
    try:
        for dim in (8, 16):
            embedders.use_factory(lambda name, d=dim: _Fixed(d))
            assert _vectors(notice, lang, "e5").shape[1] == dim
    finally:
        embedders.use_factory(None)

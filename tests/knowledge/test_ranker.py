"""The unit ranker's cross-lingual block (knowledge/ranker.py): a question not in the policy's language (English)
gets its own weights for the retrieval signals, fitted with the rest by `scripts/train_ranker.py`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge import ranker

N_UNIT = len(ranker.UNIT_FEATURES)


def _features(n: int, cross_lingual: bool) -> np.ndarray:
    rng = np.random.default_rng(0)
    dense = rng.uniform(0.70, 0.90, n).astype(np.float32)
    bm = rng.uniform(0.0, 5.0, n).astype(np.float32)
    return ranker.features(dense, bm, np.array(["s"] * n), np.zeros((n, N_UNIT), dtype=np.float32), {},
                           cross_lingual=cross_lingual)


@pytest.mark.parametrize("cross_lingual", [False, True])
def test_the_cross_lingual_block_repeats_the_signals_only_for_another_language(cross_lingual):
    f = _features(6, cross_lingual)
    cols = [i for i, name in enumerate(ranker.feature_names()) if name.startswith("xl:")]
    assert f.shape[1] == len(ranker.feature_names()) and len(cols) == len(ranker.SIGNALS)
    sig = f[:, :len(ranker.SIGNALS)]
    if cross_lingual:
        assert np.allclose(f[:, cols], sig)
    else:
        assert not f[:, cols].any()


def test_the_shipped_ranker_weighs_another_language_on_its_own():
    """The fitted weights file carries the block (a ranker trained before it would not load) and uses it: the
    signals are not weighed for a French question as for an English one."""
    data = json.loads((Path(ranker.__file__).with_name("models") / "ranker-e5.json").read_text(encoding="utf-8"))
    assert data["features"] == ranker.feature_names()
    block = [w for name, w in zip(data["features"], data["weights"], strict=True) if name.startswith("xl:")]
    assert len(block) == len(ranker.SIGNALS) and sum(abs(w) > 0.1 for w in block) >= 3

"""The staff console shows `trace["hits"][i]["fused"]`: it must be the score the hits are ranked
by (non-increasing down the list), with the pre-penalty fused score kept as `fused_raw`."""

from __future__ import annotations

import pytest

QUESTIONS = [
    ("How long do you keep my data?", "en"),
    ("What personal data do you collect about job applicants?", "en"),
    ("Do you use cookies on the website?", "en"),
    ("Do you transfer my personal data outside the European Union?", "en"),
    ("Combien de temps conservez-vous mes données ?", "fr"),
    ("Quelles données collectez-vous sur les candidats à l'admission ?", "fr"),
    ("Mes données sont-elles transférées hors de l'Union européenne ?", "fr"),
    ("Qui a accès aux données des étudiants ?", "fr"),
]


@pytest.mark.parametrize("question, lang", QUESTIONS, ids=[f"{lang}-{i}" for i, (_, lang) in enumerate(QUESTIONS)])
def test_trace_hits_are_in_non_increasing_fused_order(engine, question, lang):
    hits = engine.ask(question, lang=lang).trace["hits"]
    assert len(hits) >= 2
    fused = [h["fused"] for h in hits]
    assert fused == sorted(fused, reverse=True), f"ranked hits with fused scores out of order: {hits}"
    for h in hits:  # a repeat penalty only lowers a score
        assert 0 < h["fused"] <= h["fused_raw"] + 1e-9


def test_best_score_is_the_top_hit_fused_score(engine):
    trace = engine.ask("How long do you keep CCTV footage?", lang="en").trace
    assert trace["best_score"] == trace["hits"][0]["fused"] == trace["hits"][0]["fused_raw"]

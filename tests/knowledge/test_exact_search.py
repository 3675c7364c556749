"""Every process of one index finds the same neighbours (index format 8). Chroma's default search
breadth (100) on graphs each process builds from unflushed vectors on several threads gave two
processes of the same index different nearest units, so one question could get two different
answers from two server processes. The collections are now searched exhaustively (exact)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from bot.settings import load_settings
from knowledge.retrieve import open_retriever
from tests.fakes import HashEmbedder
settings = load_settings({"PRIVACYBOT_HOME": sys.argv[1]})
r = open_retriever(settings.kb_dir("omnes"), "omnes")
emb = HashEmbedder()
out = {}
for name in ("collections", "question_collections", "unanswerable_collections", "heading_collections"):
    col = getattr(r.index, name)["e5"]
    got = [col.query(query_embeddings=[emb.query(q).tolist()], n_results=min(20, col.count()),
                     include=["distances"]) for q in json.loads(sys.argv[2])]
    out[name] = [[round(d, 6) for d in g["distances"][0]] for g in got]
print(json.dumps(out))
"""

QUESTIONS = ["How long do you keep my CV?", "Combien de temps gardez-vous les images de vidéosurveillance ?",
             "Who receives my data?", "Qui est le délégué à la protection des données ?",
             "Do you transfer my data outside the EU?", "Puis-je m'opposer à la prospection ?"]


def _collections(retriever):
    index = retriever.index
    return {name: getattr(index, name)["e5"] for name in ("collections", "question_collections",
                                                          "unanswerable_collections", "heading_collections")}


def test_every_collection_is_searched_exhaustively(fake_kb):
    _settings, retriever = fake_kb
    for name, col in _collections(retriever).items():
        hnsw = col.configuration_json["hnsw"]
        assert hnsw["space"] == "cosine", name
        assert hnsw["ef_search"] > col.count(), name


@pytest.mark.slow
def test_two_processes_of_one_index_find_the_same_neighbours(fake_kb):
    settings, _retriever = fake_kb
    runs = [subprocess.run([sys.executable, "-c", PROBE, str(settings.home), json.dumps(QUESTIONS)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120, check=True) for _ in range(2)]
    first, second = (json.loads(r.stdout.strip().splitlines()[-1]) for r in runs)
    assert first == second
    assert all(len(rows) == len(QUESTIONS) and all(rows) for rows in first.values())

"""Session ids come from one place (`bot.types.new_session_id`) and never look like a spreadsheet
formula: a DPO who exports conversations to CSV and pastes an id back into the console finds it.
(An id starting with '-' used to come out of the export as "'-…", escaped against formula injection.)"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.store.writes import check_session_id
from bot.types import new_session_id


def test_ids_are_letters_and_digits_unique_and_valid():
    ids = [new_session_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(i.isalnum() and len(i) == 32 and check_session_id(i) == i for i in ids)


def test_every_kind_of_new_session_exports_its_id_unescaped(store, tmp_path):
    from ui import console_conversations as cc

    made = [store.create_session("ece.fr", "en") for _ in range(40)]
    for sid in made:
        store.add_feedback(sid, "down", None)
    path, _status = cc.export_csv(store, "", "", "", "any", out_dir=tmp_path)
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert {r["session_id"] for r in rows} == set(made)

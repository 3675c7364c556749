"""Labelled questions of a policy: questions people wrote with the sections and facts that answer
them (`profiles/<name>.questions.jsonl`, named by the profile's `labelled_questions`). At ingest each
is tied to the answer units that state its facts and embedded; at run time the labelled questions
closest in meaning to a new one vote for their units (a ranker signal, learned like the others).
A policy without labelled questions simply has no votes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.errors import ConfigError
from knowledge.profile import PROFILES_DIR
from knowledge.units import Unit

NEIGHBOURS = 8


@dataclass(frozen=True)
class Labelled:
    question: str
    lang: str
    units: tuple[str, ...]  # unit ids that answer it


def path_of(profile_data: dict, key: str = "labelled_questions") -> Path | None:
    """The file a profile names under `key` (`labelled_questions` or `unanswerable_questions`)."""
    name = profile_data.get(key)
    if not name:
        return None
    return Path(name) if Path(name).is_absolute() else PROFILES_DIR / name


def read(profile_data: dict, key: str = "labelled_questions") -> list[dict]:
    """The rows of a profile's labelled questions; with `key="unanswerable_questions"`, the near-topic
    questions it does not answer (`question` and `lang` only; `section_ids` not needed)."""
    path = path_of(profile_data, key)
    if path is None:
        return []
    need_sections = key == "labelled_questions"
    rows = []
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    row = json.loads(line)
                    if not isinstance(row.get("question"), str) or \
                            (need_sections and not isinstance(row.get("section_ids"), list)):
                        raise ValueError(f"line {n} needs 'question'" + (" and 'section_ids'" if need_sections else ""))
                    rows.append(row)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Labelled questions {path} are unreadable ({exc}); fix or remove the file.") from None
    return rows


def tie(rows: list[dict], units: list[Unit], source: str) -> list[Labelled]:
    """Each labelled question with the units of its sections whose quote states one of its facts
    (all units of the section when it lists no fact); questions no unit answers are dropped."""
    by_section: dict[str, list[Unit]] = {}
    for u in units:
        by_section.setdefault(u.section_id, []).append(u)
    out = []
    for row in rows:
        facts = [re.compile(f, re.I) for f in row.get("facts") or []]
        hits = [u.unit_id for sid in row["section_ids"] for u in by_section.get(sid, [])
                if not facts or any(f.search(source[u.quote_start:u.quote_end]) for f in facts)]
        if hits:
            out.append(Labelled(row["question"], row.get("lang", "en"), tuple(dict.fromkeys(hits))))
    return out


def votes(sims: np.ndarray, answers: list[tuple[str, ...]]) -> dict[str, tuple[float, float]]:
    """unit id -> (best similarity of a neighbour it answers, sum of those similarities)."""
    out: dict[str, tuple[float, float]] = {}
    for sim, ids in zip(sims.tolist(), answers, strict=True):
        for uid in ids:
            best, total = out.get(uid, (0.0, 0.0))
            out[uid] = (max(best, sim), total + sim)
    return out

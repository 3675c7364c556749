"""The reply to a rights request: which right, whether this audience's part of the policy lists it
(quoted), and how to exercise it (the DPO's email and postal address as the policy writes them)."""

from __future__ import annotations

from bot.answers import Reply, render
from bot.answers.rights import OVERVIEW, list_units, policy_contact, right_unit, rights_section
from bot.catalogue import t
from knowledge.retrieve import Retriever, UnitHit


def cite_units(retriever: Retriever, units, lang: str, score: float = 1.0) -> list:
    """Citations of policy units (adjacent ones merged into one quote)."""
    spans, chosen = [], []
    for u in units:
        a, b = u.quote_start, u.quote_end
        if spans and a - spans[-1][1] <= 12 and not retriever.source_text[spans[-1][1]:a].strip(" \t\n•"):
            spans[-1] = (spans[-1][0], max(b, spans[-1][1]))
        else:
            spans.append((a, b))
        chosen.append(UnitHit(u, score, 0.0, 0.0))
    return render.citations(chosen, spans, retriever.source_text, retriever.kb, lang) if chosen else []


def answer(retriever: Retriever, right: str, audience: str | None, lang: str, base: dict) -> Reply:
    section = rights_section(retriever, audience, right)
    contact = policy_contact(retriever, [section] if section else None)
    trace = dict(base, right=right, audience=audience, section_id=section)
    parts: list[str] = []
    stated = []
    where = ""
    if section:
        first = retriever.section_units(section)[:1]
        where = render.section_label(section, first[0].heading, first[0].audience, lang) if first else section
    if right == OVERVIEW and section:
        stated = list_units(retriever, section)
        parts.append(t("rights_overview_intro", lang, where=where))
    elif section:
        hit = right_unit(retriever, section, right)
        if hit is not None:
            stated = [hit.unit]
            parts.append(t("rights_intro", lang, right=t(f"right_{right}", lang), where=where))
        else:
            parts.append(t("rights_not_listed", lang, right=t(f"right_{right}", lang), where=where))
    parts.append(how_to_exercise(contact, lang))
    cites = cite_units(retriever, stated + [u for u in contact.units if u not in stated], lang)
    trace["chosen"] = [{"section_id": c.section_id, "quote": c.quote[:300]} for c in cites]
    return Reply("rights_request", "\n\n".join(parts), cites, trace=trace)


def how_to_exercise(contact, lang: str) -> str:
    """How to exercise a right: the DPO's e-mail and postal address as the policy writes them."""
    if contact.email and contact.address:
        return t("rights_how", lang, email=contact.email, address=contact.address)
    if contact.email:
        return t("contact_email_only", lang, email=contact.email)
    return t("rights_no_contact", lang)

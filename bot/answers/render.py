"""What the visitor reads: the first sentence answers (the figure, the name, the contact, or the
policy's own sentence), in the visitor's language; the exact quotes travel as citations, each
with a short translated label ("Students · Retention") and offsets into the policy source.

The policy is in English: English answers lead with the policy's sentence itself; French answers
lead with the extracted fact in French when there is one, else with a short French lead-in before
the English quote. Nothing here invents a fact: every figure, name and address is a match on
policy text (`knowledge.facts`)."""

from __future__ import annotations

from bot.answers.compose import LIST_TYPES
from bot.catalogue import t
from bot.types import Citation
from knowledge import facts

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _catalogue(key: str, lang: str) -> str | None:
    try:
        return t(key, lang)
    except KeyError:
        return None


def section_label(section_id: str, heading: str, audience: str, lang: str) -> str:
    """"Students · Retention", "Cookies · Duration", "Legal notice": short, translated, no ids."""
    kind = section_id.rsplit("/", 1)[-1]
    sec = _catalogue(f"sec_{kind}", lang) or heading.split(":", 1)[0].strip(" –-") or kind
    aud = _catalogue(f"audl_{audience}", lang) if audience not in ("general",) else None
    return f"{aud[:1].upper()}{aud[1:]} · {sec}" if aud and aud.lower() not in sec.lower() else sec


def citations(chosen, spans, source: str, kb: str, lang: str) -> list[Citation]:
    """One citation per quoted span; the span holding the best unit first."""
    out: list[Citation] = []
    top = chosen[0].unit
    spans = sorted(spans, key=lambda ab: (not (ab[0] <= top.start and top.end <= ab[1]), ab[0]))
    for a, b in spans:
        hit = next((h for h in chosen if h.unit.start >= a and h.unit.end <= b), chosen[0])
        u = hit.unit
        out.append(Citation(u.section_id, u.audience, u.heading, source[a:b], hit.score,
                            label=section_label(u.section_id, u.heading, u.audience, lang), start=a, end=b, kb=kb))
    return out


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {t('guard_and', lang)} " + items[-1]


def unit_text(unit) -> str:
    """A unit as a sentence: table rows and label blocks on one line, with their sub-heading."""
    text = " ".join(unit.text.split())
    if unit.kind in ("row", "label"):
        sub = unit.heading.split(":", 1)[1].strip() if ":" in unit.heading else ""
        return f"{sub}: {text}" if sub else text
    return text


def direct(answer_type: str | None, chosen, cites: list[Citation], lang: str) -> tuple[str, list[str]]:
    """(the first sentence, the facts it states). Typed facts from the chosen units; else nothing."""
    if answer_type == "duration":
        found = list(dict.fromkeys(d.render(lang) for h in chosen for d in facts.durations(h.unit.text)))
        if found:
            return t("answer_duration", lang, facts=_join(found, lang), where=cites[0].label), found
    text = "\n".join(c.quote for c in cites)
    if answer_type in ("contact", "procedure", "who") and facts.emails(text):
        email = facts.emails(text)[0]
        post = facts.postal_lines(text)
        if post:
            return t("contact_direct", lang, email=email, address=post[0]), [email, post[0]]
        return t("contact_email_only", lang, email=email), [email]
    top = chosen[0].unit
    if answer_type == "who" and top.kind == "label":
        lines = [ln.strip() for ln in top.text.split("\n") if ln.strip()]
        name = next((ln for ln in lines if not ln.endswith(":")), lines[-1])  # the value after the label line(s)
        return t("answer_name", lang, name=name, where=cites[0].label), [name]
    return "", []


def _whole_list(unit, cite: Citation) -> str | None:
    """The list `unit` belongs to, intro first and one item per line ("We may send your personal data to
    the following recipients:" / "• All the … departments" / …), when the citation quotes that whole
    list and it has an intro; else None."""
    if unit.kind not in ("intro", "bullet") or unit.group_end - unit.group_start <= unit.end - unit.start \
            or not (cite.start <= unit.group_start and unit.group_end <= cite.end):
        return None
    lines = [" ".join(ln.split()) for ln in cite.quote[unit.group_start - cite.start:unit.group_end - cite.start]
             .splitlines()]
    lines = [ln for ln in lines if ln]
    return "\n".join(lines) if len(lines) > 1 and lines[0].endswith(":") else None


def text(answer_type: str | None, chosen, cites: list[Citation], lang: str) -> tuple[str, list[str]]:
    """The answer text: the direct answer when a fact can be stated, else the policy's own words for
    the best unit (in French, behind a one-line lead-in naming the section). A question that wants a
    list ("who do you share my data with?") whose whole list is quoted reads that list, intro first,
    one item per line: the list is the answer, not the item that happened to rank first; a question
    about one item ("do recruiters get my data?") reads that item."""
    first, stated = direct(answer_type, chosen, cites, lang)
    if first:
        return first, stated
    whole = _whole_list(chosen[0].unit, cites[0]) if answer_type in LIST_TYPES or chosen[0].unit.kind == "intro" \
        else None
    sentence = whole or unit_text(chosen[0].unit)
    if lang == "fr":
        return t("policy_quote_fr", lang, where=cites[0].label, quote=sentence), []
    return sentence, []

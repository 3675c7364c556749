"""Layout parser for policies with audience parts, each with numbered sections (the OMNES
"Legal notice and privacy policy" page and any policy laid out the same way): preamble (legal
notice, controller, representatives, DPO), audience parts with sections I–VIII, contact, cookie
policy and cookie tables. Everything specific to the layout comes from the profile
(`profiles/omnes.yaml`: part titles → audiences, numeral → section slug, heading patterns).

Returns [] when the layout is not recognised, so the caller falls back to the generic parser."""

from __future__ import annotations

import re

from knowledge.parsing import Section
from knowledge.profile import Profile
from knowledge.text import lines as _split_lines
from knowledge.text import slugify

NAME = "numbered-parts-v2"


def _lines(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b, _ in _split_lines(text)]


def _is_caps_heading(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return 3 <= len(s) <= 60 and len(letters) >= 3 and s.upper() == s and not s.endswith((".", ",", ";"))


def parse(text: str, profile: Profile) -> list[Section]:
    _ROMAN = profile.regex("numeral_heading")
    _SUBHEAD = profile.regex("subheading")
    slugs = profile.sections
    ROMANS = list(slugs)
    known = set(profile.audiences)
    lines = _lines(text)
    line = [text[s:e].strip() for s, e in lines]
    n = len(lines)

    # 1) runs of roman headings I..VIII
    runs: list[list[tuple[int, str, str]]] = []
    for i, s in enumerate(line):
        m = _ROMAN.match(s)
        if not m:
            continue
        numeral = m.group(1)
        if numeral == "I":
            runs.append([])
        elif numeral not in slugs or not runs or ROMANS.index(numeral) != ROMANS.index(runs[-1][-1][1]) + 1:
            continue  # out of sequence: not a section heading
        runs[-1].append((i, numeral, s))
    runs = [r for r in runs if len(r) >= 4]
    if len(runs) < 2:
        return []

    # 2) part titles: short non-sentence lines just above each "I –"
    titles: list[tuple[int, str]] = []
    for run in runs:
        j, title_lines = run[0][0] - 1, []
        while j >= 0:
            s = line[j]
            if not s:
                j -= 1
                continue
            if len(s) > 200 or s.endswith((".", ":", ";", ",")) or _ROMAN.match(s):
                break
            title_lines.insert(0, j)
            j -= 1
        if not title_lines:
            return []
        titles.append((title_lines[0], " / ".join(line[k] for k in title_lines)))

    def find(pred, lo: int, hi: int) -> int | None:
        return next((k for k in range(lo, hi) if pred(line[k])), None)

    last_heading = runs[-1][-1][0]
    cookie_start, contact_rx = profile.regex("cookies", "start"), profile.regex("contact_heading")
    cookie_i = find(lambda s: bool(cookie_start.search(s.upper())), last_heading, n)
    contact_i = find(lambda s: bool(contact_rx.search(s.lower())), last_heading, cookie_i or n)
    parts_end = contact_i if contact_i is not None else (cookie_i if cookie_i is not None else n)

    sections: list[Section] = []

    def add(section_id: str, audience: str, numeral: str, heading: str, a: int, b: int, context: str = "") -> None:
        """Add the span from line a (first body line) to line b (exclusive), trimmed of blank edges."""
        if a >= b:
            return
        start, end = lines[a][0], lines[b - 1][1]
        body = text[start:end]
        lead = len(body) - len(body.lstrip())
        start, end = start + lead, start + len(body.rstrip())
        if end > start:
            sections.append(Section(section_id, audience, numeral, heading, start, end, context))

    # 3) preamble: legal notice, controller, representatives, DPO
    _preamble(line, titles[0][0], add, profile)

    # 4) audience parts
    seen: set[str] = set()
    for idx, (run, (_tl, title)) in enumerate(zip(runs, titles, strict=True)):
        audience = profile.part_audience(title) or f"part{idx + 1}"
        if audience in seen:
            audience = f"{audience}{idx + 1}"
        seen.add(audience)
        run_end = titles[idx + 1][0] if idx + 1 < len(runs) else parts_end
        for k, (hi, numeral, heading) in enumerate(run):
            sec_end = run[k + 1][0] if k + 1 < len(run) else run_end
            sid = f"{audience}/{slugs[numeral]}"
            # sub-headings "1) PERSONAL DATA PROVIDED BY YOU" become their own spans
            cuts = [hi + 1] + [j for j in range(hi + 1, sec_end) if _SUBHEAD.match(line[j])] + [sec_end]
            for a, b in zip(cuts, cuts[1:], strict=False):
                sub = line[a] if _SUBHEAD.match(line[a]) else ""
                body_start = a + 1 if sub else a
                add(sid, audience if audience in known else "general", numeral,
                    f"{heading}: {sub}" if sub else heading, body_start, b, title)

    # 5) contact
    if contact_i is not None:
        add("general/contact", "general", "", line[contact_i], contact_i + 1, cookie_i or n)

    # 6) cookie policy (caps headings), then the 2024 tables and purposes
    if cookie_i is not None:
        _cookies(line, cookie_i, n, add, profile)
    return sections


def _preamble(line, end_i, add, profile: Profile) -> None:
    ctrl_rx = profile.regex("preamble", "controller_heading")
    rep_rx, dpo_rx = profile.regex("preamble", "representatives"), profile.regex("preamble", "dpo")
    ctrl_i = next((k for k in range(end_i) if ctrl_rx.search(line[k].lower())), None)
    legal_end = ctrl_i if ctrl_i is not None else end_i
    # legal notice: split at caps sub-headings, one section id
    def is_sub(s: str) -> bool:  # "EMBEDDERS", "SITE DESIGN"; not names like "NIJI" or "PLATFORM.SH"
        return _is_caps_heading(s) and len(s) >= 6 and "." not in s

    cuts = [0] + [k for k in range(legal_end) if is_sub(line[k])] + [legal_end]
    for a, b in zip(cuts, cuts[1:], strict=False):
        head = line[a] if is_sub(line[a]) else (line[a] or "Legal notice")
        add("general/legal-notice", "general", "", head, a + 1 if is_sub(line[a]) else a, b)
    if ctrl_i is None:
        return
    heading = line[ctrl_i]
    # paragraphs after the controller heading, classified by what they say
    k, current = ctrl_i + 1, None
    paras: list[tuple[int, int]] = []
    while k < end_i:
        while k < end_i and not line[k]:
            k += 1
        a = k
        while k < end_i and line[k]:
            k += 1
        if a < k:
            paras.append((a, k))
    groups: list[tuple[str, int, int]] = []
    for a, b in paras:
        first = line[a]
        block = " ".join(line[a:b])
        if rep_rx.search(block.lower()) and not first.startswith("•"):
            kind = "representatives"
        elif dpo_rx.search(first.lower()) and len(block) < 400:
            kind = "dpo"
        elif first.startswith("•") and current == "representatives":
            kind = "representatives"
        else:
            kind = "controller"
        if groups and groups[-1][0] == kind and kind != "dpo":
            groups[-1] = (kind, groups[-1][1], b)
        else:
            groups.append((kind, a, b))
        current = kind
    names = {"controller": heading, **(profile.data.get("preamble", {}).get("headings") or {})}
    for kind, a, b in groups:
        add(f"general/{kind}", "general", "", names.get(kind, kind.capitalize()), a, b)


def _cookies(line, cookie_i, n, add, profile: Profile) -> None:
    _UPDATED, _TABLE_ROW = profile.regex("cookies", "updated"), profile.regex("cookies", "table_row")
    start_rx = profile.regex("cookies", "start")
    slugs = list((profile.data.get("cookies", {}).get("headings") or {}).items())
    updated = [j for j in range(cookie_i, n) if _UPDATED.match(line[j])]
    first_end = updated[0] + 1 if updated else n
    # 2020 policy: caps headings
    heads = [j for j in range(cookie_i, first_end) if _is_caps_heading(line[j])]
    for idx, j in enumerate(heads):
        nxt = heads[idx + 1] if idx + 1 < len(heads) else first_end
        slug = next((s for key, s in slugs if key in line[j]), None)
        if slug is None:
            if start_rx.search(line[j].upper()):
                continue
            slug = slugify(line[j])
        add(f"cookies/{slug}", "cookies", "", line[j].capitalize(), j + 1, nxt)
    if not updated or first_end >= n:
        return
    # updated tables: sub-headings are short standalone lines without final punctuation
    k = first_end
    end2 = updated[1] + 1 if len(updated) > 1 else n
    rows = [j for j in range(k, end2) if _TABLE_ROW.search(line[j])]
    split_at = rows[-1] + 1 if rows else k
    year = re.search(r"(\d{4})\s*$", line[end2 - 1]) if end2 > k else None
    suffix = f"-{year.group(1)}" if year else "-updated"

    def is_sub(j: int) -> bool:
        s = line[j]
        return (0 < len(s) <= 90 and not s.endswith((".", ":", ";", ",")) and not s.startswith("•")
                and not _TABLE_ROW.search(s) and (j == 0 or not line[j - 1]) and (j + 1 >= n or not line[j + 1]))

    for sid, lo, hi, default in ((f"cookies/tables{suffix}", k, split_at, "Cookie tables"),
                                 (f"cookies/purposes{suffix}", split_at, end2, "Cookie purposes")):
        subs = [j for j in range(lo, hi) if is_sub(j)]
        cuts = [lo] + [j for j in subs if j > lo] + [hi]
        for a, b in zip(cuts, cuts[1:], strict=False):
            if is_sub(a):
                add(sid, "cookies", "", f"{default} ({suffix[1:]}): {line[a]}", a + 1, b)
            else:
                add(sid, "cookies", "", f"{default} ({suffix[1:]})", a, b)

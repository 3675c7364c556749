"""GET /policy/{kb}: a knowledge base's policy as a readable HTML page, one anchor per section,
the quoted span highlighted, so that a citation in the widget opens the exact passage:

    /policy/omnes?hl=27984-28102&lang=fr#students-VII-storage

`hl=start-end` are character offsets into the policy source (a citation's `start`/`end`);
the section anchor comes from the section id (`section_anchor`). No script; the inline style
is allowed by its hash in the page's Content-Security-Policy (`POLICY_CSP`).

The page is built from `Engine.policy_document()` when the engine has it, else from the
retriever's source text and chunks (`policy_document`, the one place to switch).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass, field

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ui.api_errors import ApiError
from ui.i18n import citation_labels, tr
from ui.sites import KB_NAME

router = APIRouter(tags=["policy"])
_ANCHOR = re.compile(r"[^A-Za-z0-9_-]+")
_HL = re.compile(r"^(\d{1,9})-(\d{1,9})$")
_STYLE = """
body{margin:0;font:17px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1f;background:#fff}
main{max-width:46rem;margin:0 auto;padding:1.5rem 1.25rem 4rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.3rem;margin:2.5rem 0 .5rem;padding-top:.5rem;border-top:2px solid #1f3a5f}
h3{font-size:1.1rem;margin:1.75rem 0 .25rem}
.meta{color:#4a4f57;font-size:.95rem}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
section:target h3{background:#eef1f5;outline:3px solid #1f3a5f;outline-offset:4px}
mark{background:#ffe58a;color:#1b1b1f;padding:.1em 0;outline:2px solid #8a5a00}
a{color:#1f3a5f}
nav.toc ul{padding-left:1.2rem}
""".strip()
POLICY_CSP = ("default-src 'none'; style-src 'sha256-" + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
              + "'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@dataclass(frozen=True)
class Section:
    section_id: str
    heading: str
    start: int
    end: int
    audience: str


@dataclass(frozen=True)
class PolicyDoc:
    kb: str
    title: str
    text: str
    sections: list[Section] = field(default_factory=list)


def section_anchor(section_id: str) -> str:
    """'students/VII-storage' -> 'students-VII-storage' (the widget builds the same)."""
    return _ANCHOR.sub("-", section_id).strip("-") or "section"


def policy_document(engine) -> PolicyDoc:
    """The policy of `engine`'s knowledge base: Engine.policy_document() when available, else
    `bot.policy_page.document` of its retriever (source text + one section per section id)."""
    make = getattr(engine, "policy_document", None)
    if callable(make):
        doc = make()
    else:
        from bot.policy_page import document

        doc = document(engine.retriever)
    sections = [s if isinstance(s, Section) else Section(*s) if isinstance(s, tuple | list) else
                Section(s.section_id, s.heading, s.start, s.end, s.audience) for s in doc.sections]
    return PolicyDoc(doc.kb, doc.title, doc.text, sections)


def parse_hl(value: str | None, length: int) -> tuple[int, int] | None:
    """'start-end' -> (start, end) inside the text, else None (ignored, never an error)."""
    m = _HL.match(value or "")
    if not m:
        return None
    start, end = int(m.group(1)), int(m.group(2))
    return (start, end) if 0 <= start < end <= length else None


def _marked(text: str, offset: int, hl: tuple[int, int] | None) -> str:
    """Escape text[...] (which starts at absolute `offset`), wrapping the hl span in <mark>."""
    if hl is None:
        return html.escape(text)
    a, b = max(hl[0] - offset, 0), min(hl[1] - offset, len(text))
    if a >= b:
        return html.escape(text)
    first = ' id="hl"' if hl[0] >= offset else ""
    return (html.escape(text[:a]) + f"<mark{first}>" + html.escape(text[a:b]) + "</mark>"
            + html.escape(text[b:]))


def _blocks(doc: PolicyDoc) -> list[tuple[Section | None, int, int, int]]:
    """(section, block start, body start, block end): each section's block starts at its
    heading in the source (the text before its first chunk), the preamble has section None."""
    text, out, prev_end = doc.text, [], 0
    starts = []
    for s in doc.sections:
        pos = text.rfind(s.heading, prev_end, s.start + len(s.heading)) if s.heading else -1
        head = pos if pos >= 0 else s.start
        body = head + len(s.heading) if pos >= 0 else s.start
        starts.append((s, head, body))
        prev_end = max(prev_end, s.end)
    first = starts[0][1] if starts else len(text)
    if first > 0:
        out.append((None, 0, 0, first))
    for i, (s, head, body) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        out.append((s, head, body, max(end, body)))
    return out


def render_policy(doc: PolicyDoc, *, lang: str = "en", hl: tuple[int, int] | None = None) -> str:
    parts, toc, audience = [], [], None
    for section, head, body, end in _blocks(doc):
        if section is None:
            text = doc.text[head:end]
            lead = len(text) - len(text.lstrip())
            parts.append(f'<div class="text">{_marked(text.strip(), head + lead, hl)}</div>')
            continue
        if section.audience != audience:
            audience = section.audience
            name = html.escape(_audience_name(audience, lang))
            parts.append(f'<h2 id="part-{section_anchor(audience)}">{name}</h2>')
            toc.append(f'<li><a href="#part-{section_anchor(audience)}">{name}</a></li>')
        anchor = section_anchor(section.section_id)
        text = doc.text[body:end]
        lead = len(text) - len(text.lstrip())  # blank lines around a section are not shown
        parts.append(f'<section id="{anchor}" aria-labelledby="h-{anchor}"><h3 id="h-{anchor}">'
                     f"{html.escape(section.heading)}</h3>"
                     f'<div class="text">{_marked(text.strip(), body + lead, hl)}</div></section>')
    lang = "fr" if lang == "fr" else "en"
    jump = (f'<p><a href="#hl">{html.escape(tr("policy_jump", lang))}</a></p>' if hl else "")
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(doc.title)}</title><style>{_STYLE}</style></head><body><main>"
            f"<h1>{html.escape(doc.title)}</h1>"
            f'<p class="meta">{html.escape(tr("policy_note", lang))}</p>{jump}'
            f'<nav class="toc" aria-label="{html.escape(tr("policy_contents", lang))}"><ul>{"".join(toc)}</ul></nav>'
            f'<div lang="{_doc_lang(doc)}">{"".join(parts)}</div></main></body></html>')


def _audience_name(audience: str, lang: str) -> str:
    return citation_labels(lang)["audience"].get(audience) or audience.replace("_", " ").capitalize()


def _doc_lang(doc: PolicyDoc) -> str:
    """The policy's own language (screen readers pronounce it right even on a French page)."""
    from guards.language import detect_language

    return detect_language(doc.text[:1000])


@router.get("/policy/{kb}", include_in_schema=False, response_class=HTMLResponse)
async def policy_page(request: Request, kb: str, hl: str | None = Query(None, max_length=24),
                      lang: str | None = Query(None, max_length=5)) -> HTMLResponse:
    ctx = request.app.state.ctx
    if not re.match(KB_NAME, kb) or kb not in ctx.sites.kbs(ctx.settings.kb):
        raise ApiError(404, "not_found", "No such policy on this server; check the link.")
    engine = await ctx.call(lambda: engine_for(ctx, kb))
    doc = await ctx.call(lambda: policy_document(engine))
    body = render_policy(doc, lang=lang or "en", hl=parse_hl(hl, len(doc.text)))
    return HTMLResponse(body, headers={"Cache-Control": "public, max-age=300"})


def engine_for(ctx, kb: str):
    """The app context's engine for `kb` (helper R's AppContext.engine_for when present)."""
    pick = getattr(ctx, "engine_for", None)
    if callable(pick):
        return pick(kb)
    if kb == ctx.settings.kb:
        return ctx.engine
    from bot.factory import get_engine

    return get_engine(ctx.settings, kb=kb)

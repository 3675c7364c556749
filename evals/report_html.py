"""Blocks of the report (evals/report.py) as self-contained HTML: inline CSS, PNG plots embedded
as base64 data URIs, no external asset (readable offline, attachable to an email or CI artifact)."""

from __future__ import annotations

import base64
import re
from html import escape
from pathlib import Path

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d1d1f;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem}h2{border-bottom:2px solid #e5e5ea;padding-bottom:.3rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #d2d2d7;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f5f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#0a7d32;font-weight:600}.fail{color:#c8102e;font-weight:700}
.banner{padding:.7rem 1rem;border-radius:6px;font-weight:700;margin:1rem 0}
.ok{background:#e3f6e8;color:#0a5d26}.incomplete{background:#fde7e9;color:#8a0b1f}
.muted{color:#6e6e73;font-size:.85rem}img{max-width:100%;border:1px solid #e5e5ea;margin:.5rem 0}
code{background:#f5f5f7;padding:0 .25rem;border-radius:3px}.b{font-weight:700}
td.text{max-width:320px;word-wrap:break-word}
"""


def _inline(text: object) -> str:
    """Escaped text; `code` spans become <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(str(text)))


def _cls(cls: str) -> str:
    return f' class="{cls}"' if cls else ""


def _cell(cell, tag: str = "td") -> str:
    text, cls = cell if isinstance(cell, tuple) else (cell, "")
    if cls == "th":
        tag, cls = "th", ""
    return f"<{tag}{_cls(cls)}>{_inline(text)}</{tag}>"


def _table(headers: list, rows: list) -> str:
    head = "".join(_cell(h, "th") for h in headers) if any(headers) else ""
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table>{f'<tr>{head}</tr>' if head else ''}{body}</table>"


def _img(path: Path) -> str:
    if not path.exists():
        return f'<p class="muted">plot {escape(path.name)} missing</p>'
    return f'<img alt="{escape(path.stem)}" src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}">'


def render_html(blocks: list[tuple], out_dir: Path, title: str) -> str:
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>privacybot evaluation — {escape(title)}</title><style>{CSS}</style></head><body>"]
    for block in blocks:
        kind = block[0]
        if kind == "h":
            parts.append(f"<h{block[1]}>{_inline(block[2])}</h{block[1]}>")
        elif kind == "banner":
            parts.append(f"<div class='banner {'ok' if block[2] else 'incomplete'}'>{_inline(block[1])}</div>")
        elif kind in ("p", "note"):
            cls = block[2] if kind == "p" else "muted"
            parts.append(f"<p{_cls(cls)}>{_inline(block[1])}</p>")
        elif kind == "img":
            parts.append(_img(out_dir / block[1]))
        elif kind == "table":
            parts.append(_table(block[1], block[2]))
        elif kind == "details":
            parts.append(f"<details><summary>{escape(block[1])}</summary>{_table(block[2], block[3])}</details>")
    parts.append("</body></html>")
    return "\n".join(parts)

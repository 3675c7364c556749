"""Self-contained HTML report: inline CSS, PNG plots embedded as base64 data URIs, no
external asset (readable offline, attachable to an email or a CI artifact)."""

from __future__ import annotations

import base64
import json
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
code{background:#f5f5f7;padding:0 .25rem;border-radius:3px}
td.text{max-width:320px;word-wrap:break-word}
"""

SUITE_TITLES = {
    "retrieval": "Retrieval (OMNES policy)",
    "answers": "Answers",
    "guard": "Guard (personal data and special categories)",
    "latency": "Latency",
    "generic": "Generic policy (second, fictional organisation)",
    "load": "Load",
    "answers_holdout": "Answers — holdout set (holdout, not tuned on)",
    "guard_blind": "Guard — blind set (holdout, not tuned on)",
}


def _e(x: object) -> str:
    return escape(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False))


def _img(path: Path) -> str:
    if not path.exists():
        return f'<p class="muted">plot {escape(path.name)} missing</p>'
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{escape(path.stem)}" src="data:image/png;base64,{data}">'


def _num(value, unit="") -> str:
    from evals.report import fmt_value

    return escape(fmt_value(value, unit))


def render_html(report: dict, out_dir: Path) -> str:
    from evals.report import fmt_ci, fmt_delta, fmt_gate, fmt_with_ci, split_metrics, status_line

    h = report["header"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>privacybot evaluation — {escape(report['started_at'])}</title><style>{CSS}</style></head><body>",
        f"<h1>privacybot evaluation report — {escape(report['started_at'])}</h1>",
        f"<div class='banner {'ok' if report['complete'] else 'incomplete'}'>Status: {escape(status_line(report))}</div>",
    ]
    if report.get("errors"):
        parts.append("<ul>" + "".join(
            f"<li><code>{escape(s)}</code> did not finish: {_e(err)}</li>" for s, err in report["errors"].items()
        ) + "</ul>")
    g = report["gates"]
    parts.append(f"<h2>Summary</h2><p>Gates: <b>{g['passed']}</b> passed, "
                 f"<b class='{'fail' if g['failed'] else 'pass'}'>{len(g['failed'])}</b> failed, {g['total']} checked.</p>")
    if g["failed"]:
        parts.append("<ul>" + "".join(f"<li class='fail'>{_e(m)}</li>" for m in g["failed"]) + "</ul>")
    base = report.get("baseline")
    parts.append("<p>Baseline: " + (
        f"<code>{escape(base['path'])}</code> (commit <code>{escape(base['git_commit'])}</code>)" if base else "none"
    ) + "</p>")
    m = h["machine"]
    dirty = " (uncommitted changes)" if h.get("git_dirty") else ""
    parts.append(
        "<h2>Run</h2><table>"
        f"<tr><th>git commit</th><td><code>{escape(h['git_commit'])}</code>{dirty}</td></tr>"
        f"<tr><th>knowledge base</th><td><code>{escape(report['kb'])}</code></td></tr>"
        f"<tr><th>suites requested</th><td>{escape(', '.join(report['suites_requested']))}</td></tr>"
        f"<tr><th>duration</th><td>{report['duration_s']:.1f} s</td></tr>"
        f"<tr><th>machine</th><td>{escape(m['platform'])}, Python {escape(m['python'])}, "
        f"{m['cpu_count']} CPU, {m['ram_gb']} GB RAM</td></tr></table>"
    )
    parts.append("<h3>Models and packages</h3><table><tr><th>package</th><th>version</th></tr>" + "".join(
        f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in h["models"].items()) + "</table>")
    parts.append("<h3>Datasets (sha256)</h3><table><tr><th>file</th><th>sha256</th></tr>" + "".join(
        f"<tr><td>{escape(k)}</td><td><code>{escape(v)}</code></td></tr>" for k, v in h["datasets"].items()) + "</table>")

    for name in report["suites_requested"]:
        parts.append(f"<h2 id='{escape(name)}'>{escape(SUITE_TITLES.get(name, name))}</h2>")
        suite = report["suites"].get(name)
        if not suite:
            parts.append("<p class='fail'>Not run (missing).</p>")
            continue
        parts.append(f"<p class='muted'>Status: {escape(suite['status'])} ({suite.get('duration_s', 0):.1f} s)</p>")
        if suite.get("error"):
            parts.append(f"<p class='fail'>Error: {_e(suite['error'])}</p>")
        main, per_entity = split_metrics(suite["metrics"])
        if main:
            rows = []
            for key, mt in main.items():
                gate, verdict = fmt_gate(mt)
                cls = {"PASS": "pass", "FAIL": "fail"}.get(verdict, "")
                unit = mt.get("unit", "")
                rows.append(
                    f"<tr><td>{escape(key)}</td><td class='num'>{_num(mt['value'], unit)}</td>"
                    f"<td class='num'>{escape(fmt_ci(mt.get('ci'), unit))}</td><td class='num'>{mt.get('n') or '—'}</td>"
                    f"<td>{escape(gate)}</td><td class='{cls}'>{verdict}</td>"
                    f"<td class='num'>{_num(mt.get('baseline'), unit)}</td>"
                    f"<td class='num'>{escape(fmt_delta(mt.get('delta')))}</td></tr>"
                )
            parts.append("<table><tr><th>metric</th><th>value</th><th>95% CI</th><th>n</th><th>gate</th>"
                         "<th>result</th><th>baseline</th><th>Δ</th></tr>" + "".join(rows) + "</table>")
        if per_entity:
            parts.append("<p><b>Per entity</b> (value [95% CI])</p><table><tr><th>entity</th><th>precision</th>"
                         "<th>recall</th><th>F2</th><th>gold spans</th></tr>" + "".join(
                             f"<tr><td>{escape(ent)}</td><td class='num'>{escape(fmt_with_ci(row.get('precision')))}</td>"
                             f"<td class='num'>{escape(fmt_with_ci(row.get('recall')))}</td>"
                             f"<td class='num'>{escape(fmt_with_ci(row.get('f2')))}</td>"
                             f"<td class='num'>{(row.get('recall') or {}).get('n') or '—'}</td></tr>"
                             for ent, row in sorted(per_entity.items())) + "</table>")
        for note in suite.get("notes", []):
            parts.append(f"<p class='muted'>{_e(note)}</p>")
        for plot in suite.get("plots", []):
            parts.append(_img(out_dir / plot))
        for tname, table in suite.get("tables", {}).items():
            labels = table["labels"]
            head = "".join(f"<th>{escape(str(lab))}</th>" for lab in labels)
            body = "".join(
                f"<tr><th>{escape(str(lab))}</th>" + "".join(f"<td class='num'>{v}</td>" for v in row) + "</tr>"
                for lab, row in zip(labels, table["matrix"], strict=False)
            )
            parts.append(f"<p><b>{escape(tname)}</b> (rows: expected, columns: got)</p>"
                         f"<table><tr><th></th>{head}</tr>{body}</table>")
        if suite.get("bench"):
            parts.append("<details><summary>Raw numbers from the bench module</summary><table>" + "".join(
                f"<tr><td>{escape(str(k))}</td><td>{_e(v)}</td></tr>" for k, v in suite["bench"].items()
            ) + "</table></details>")
        if suite.get("failures"):
            rows = "".join(
                f"<tr><td>{_e(f.get('id', ''))}</td><td>{_e(f.get('lang', ''))}</td>"
                f"<td class='text'>{_e(f.get('question', ''))}</td><td class='text'>{_e(f.get('expected', ''))}</td>"
                f"<td class='text'>{_e(f.get('got', ''))}</td><td>{_e(f.get('why', ''))}</td></tr>"
                for f in suite["failures"]
            )
            parts.append(f"<h3>Worst failures ({len(suite['failures'])})</h3><table><tr><th>id</th><th>lang</th>"
                         f"<th>question</th><th>expected</th><th>got</th><th>why</th></tr>{rows}</table>")
    parts.append("<p class='muted'>Every text in this report went through the privacybot guard before it was written.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)

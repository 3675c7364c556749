"""Render the evaluation report (`metrics.json` dict) as Markdown, and write all files.

Written after every suite, so an interrupted run still leaves a readable report marked
INCOMPLETE. Texts in the dict were redacted by the runner before they got here."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from evals.report_html import SUITE_TITLES, render_html


def fmt_value(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if not unit and value.is_integer() and abs(value) >= 2:
            return f"{int(value)}"
        if unit in ("ms", "s", "rps", "MB"):
            return f"{value:,.1f} {unit}"
        return f"{value:.3f}"
    return f"{value} {unit}".strip()


def fmt_delta(delta) -> str:
    if delta is None:
        return "—"
    return f"{delta:+.3f}" if abs(delta) < 100 else f"{delta:+,.0f}"


def fmt_ci(ci, unit: str = "") -> str:
    if not ci:
        return "—"
    return f"[{ci[0]:,.1f}, {ci[1]:,.1f}]" if unit else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def fmt_gate(metric: dict) -> tuple[str, str]:
    thr = metric.get("threshold")
    if not thr:
        return "—", "—"
    direction, bound = next(iter(thr.items()))
    gate = f"{'≥' if direction == 'min' else '≤'} {bound:g}"
    return gate, ("PASS" if metric.get("passed") else "FAIL")


def _md_escape(text: object) -> str:
    s = str(text).replace("\r", " ").replace("\n", " ")
    return s.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _short(text: object, limit: int = 300) -> str:
    s = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    return s if len(s) <= limit else s[: limit - 1] + "…"


_PER_ENTITY = re.compile(r"^(precision|recall|f2)_([A-Z][A-Z0-9_]*)$")


def split_metrics(metrics: dict) -> tuple[dict, dict[str, dict[str, dict]]]:
    """(main metrics, {ENTITY: {precision|recall|f2: metric}}). Per-entity metrics are shown as
    one compact row per entity; a gated per-entity metric also stays in the main table."""
    main: dict = {}
    per_entity: dict[str, dict[str, dict]] = {}
    for key, metric in metrics.items():
        m = _PER_ENTITY.match(key)
        if m:
            per_entity.setdefault(m.group(2), {})[m.group(1)] = metric
        if not m or metric.get("threshold"):
            main[key] = metric
    return main, per_entity


def fmt_with_ci(metric: dict | None) -> str:
    if not metric or metric.get("value") is None:
        return "—"
    ci = metric.get("ci")
    return f"{metric['value']:.3f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def status_line(report: dict) -> str:
    if report["complete"]:
        return "COMPLETE"
    missing = ", ".join(report["suites_missing"]) or "none"
    return f"INCOMPLETE — missing suites: {missing}"


def render_markdown(report: dict) -> str:
    h = report["header"]
    lines = [f"# privacybot evaluation report — {report['started_at']}", ""]
    lines += [f"**Status: {status_line(report)}**", ""]
    for suite, err in report.get("errors", {}).items():
        lines.append(f"- `{suite}` did not finish: {_md_escape(err)}")
    g = report["gates"]
    lines += ["", "## Summary", "", f"Gates: {g['passed']} passed, {len(g['failed'])} failed, {g['total']} checked.", ""]
    lines += [f"- FAIL {_md_escape(m)}" for m in g["failed"]]
    base = report.get("baseline")
    lines += ["", f"Baseline: {'`' + base['path'] + '` (commit ' + base['git_commit'] + ')' if base else 'none'}", ""]
    lines += ["## Run", "", "| | |", "|---|---|"]
    lines += [
        f"| git commit | `{h['git_commit']}`{' (uncommitted changes)' if h.get('git_dirty') else ''} |",
        f"| knowledge base | `{report['kb']}` |",
        f"| suites requested | {', '.join(report['suites_requested'])} |",
        f"| duration | {report['duration_s']:.1f} s |",
    ]
    m = h["machine"]
    lines.append(
        f"| machine | {m['platform']}, Python {m['python']}, {m['cpu_count']} CPU, {m['ram_gb']} GB RAM |"
    )
    lines += ["", "### Models and packages", "", "| package | version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in h["models"].items()]
    lines += ["", "### Datasets (sha256)", "", "| file | sha256 |", "|---|---|"]
    lines += [f"| {k} | `{v}` |" for k, v in h["datasets"].items()]
    for name in report["suites_requested"]:
        lines += ["", f"## {SUITE_TITLES.get(name, name)}", ""]
        suite = report["suites"].get(name)
        if not suite:
            lines += ["_Not run (missing)._"]
            continue
        lines += _suite_markdown(name, suite)
    return "\n".join(lines) + "\n"


def _suite_markdown(name: str, suite: dict) -> list[str]:
    lines = [f"Status: {suite['status']} ({suite.get('duration_s', 0):.1f} s)", ""]
    if suite.get("error"):
        lines += [f"Error: {_md_escape(suite['error'])}", ""]
    main, per_entity = split_metrics(suite["metrics"])
    if main:
        lines += [
            "| metric | value | 95% CI | n | gate | result | baseline | Δ |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for key, metric in main.items():
            gate, verdict = fmt_gate(metric)
            lines.append(
                f"| {key} | {fmt_value(metric['value'], metric.get('unit', ''))} | {fmt_ci(metric.get('ci'), metric.get('unit', ''))} "
                f"| {metric.get('n') or '—'} | {gate} | {verdict} | "
                f"{fmt_value(metric.get('baseline'), metric.get('unit', ''))} | {fmt_delta(metric.get('delta'))} |"
            )
    if per_entity:
        lines += ["", "**Per entity** (value [95% CI])", "", "| entity | precision | recall | F2 | gold spans |",
                  "|---|---|---|---|---|"]
        for entity, row in sorted(per_entity.items()):
            lines.append(f"| {entity} | {fmt_with_ci(row.get('precision'))} | {fmt_with_ci(row.get('recall'))} "
                         f"| {fmt_with_ci(row.get('f2'))} | {(row.get('recall') or {}).get('n') or '—'} |")
    for note in suite.get("notes", []):
        lines += ["", f"> {_md_escape(note)}"]
    for plot in suite.get("plots", []):
        lines += ["", f"![{plot}]({plot})"]
    for tname, table in suite.get("tables", {}).items():
        lines += ["", f"**{tname}** (rows: expected, columns: got)", ""]
        labels = table["labels"]
        lines.append("| | " + " | ".join(labels) + " |")
        lines.append("|---" * (len(labels) + 1) + "|")
        for label, row in zip(labels, table["matrix"], strict=False):
            lines.append(f"| **{label}** | " + " | ".join(str(v) for v in row) + " |")
    if suite.get("bench"):
        lines += ["", "<details><summary>Raw numbers from the bench module</summary>", ""]
        lines += ["| key | value |", "|---|---|"]
        lines += [f"| {_md_escape(k)} | {_md_escape(v)} |" for k, v in suite["bench"].items()]
        lines += ["", "</details>"]
    if suite.get("failures"):
        lines += ["", f"### Worst failures ({len(suite['failures'])})", ""]
        lines += ["| id | lang | question | expected | got | why |", "|---|---|---|---|---|---|"]
        for f in suite["failures"]:
            lines.append(
                f"| {_md_escape(f.get('id', ''))} | {f.get('lang', '')} | {_md_escape(_short(f.get('question', '')))} "
                f"| {_md_escape(_short(f.get('expected', '')))} | {_md_escape(_short(f.get('got', '')))} "
                f"| {_md_escape(f.get('why', ''))} |"
            )
    return lines


def write_report(report: dict, out_dir: Path) -> None:
    """Write metrics.json, report.md and report.html atomically (tmp file + rename)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _atomic(out_dir / "metrics.json", json.dumps(report, indent=2, ensure_ascii=False))
    _atomic(out_dir / "report.md", render_markdown(report))
    _atomic(out_dir / "report.html", render_html(report, out_dir))


def _atomic(path: Path, content: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(content, encoding="utf-8")
    os.replace(tmp, path)

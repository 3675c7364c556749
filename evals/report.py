"""The evaluation report (`metrics.json` dict) as a list of blocks, rendered to Markdown here and
to self-contained HTML by evals/report_html.py; `write_report` writes all files atomically.

Written after every suite, so an interrupted run still leaves a readable report marked
INCOMPLETE. Texts in the dict were redacted by the runner before they got here."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from evals.report_html import render_html

_PER_ENTITY = re.compile(r"^(precision|recall|f2)_([A-Z][A-Z0-9_]*)$")
METRIC_HEADERS = ["metric", "value", "95% CI", "n", "gate", "result", "baseline", "Δ"]
FAILURE_HEADERS = ["id", "lang", "question", "expected", "got", "why"]


def fmt_value(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if not unit and value.is_integer() and abs(value) >= 2:
            return f"{int(value)}"
        return f"{value:,.1f} {unit}" if unit in ("ms", "s", "rps", "MB") else f"{value:.3f}"
    return f"{value} {unit}".strip()


def fmt_ci(ci, unit: str = "") -> str:
    return "—" if not ci else f"[{ci[0]:,.1f}, {ci[1]:,.1f}]" if unit else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def fmt_with_ci(m: dict | None) -> str:
    if not m or m.get("value") is None:
        return "—"
    return fmt_value(m["value"], m.get("unit", "")) + (f" {fmt_ci(m['ci'], m.get('unit', ''))}" if m.get("ci") else "")


def fmt_delta(delta) -> str:
    return "—" if delta is None else f"{delta:+.3f}" if abs(delta) < 100 else f"{delta:+,.0f}"


def status_line(report: dict) -> str:
    return "COMPLETE" if report["complete"] else \
        f"INCOMPLETE — missing suites: {', '.join(report['suites_missing']) or 'none'}"


def split_metrics(metrics: dict) -> tuple[dict, dict[str, dict[str, dict]]]:
    """(main metrics, {ENTITY: {precision|recall|f2: metric}}): per-entity metrics get one compact row
    per entity; a gated per-entity metric also stays in the main table."""
    main, per_entity = {}, {}
    for key, metric in metrics.items():
        if m := _PER_ENTITY.match(key):
            per_entity.setdefault(m.group(2), {})[m.group(1)] = metric
        if not m or metric.get("gates"):
            main[key] = metric
    return main, per_entity


def _gate_cells(metric: dict) -> list:
    gates = metric.get("gates") or []
    if not gates:
        return ["—", "—"]
    verdict = "PASS" if all(g["passed"] for g in gates) else "FAIL"
    return ["; ".join(g["gate"] + ("" if g["rule"] == "thresholds.toml" else " (vs baseline)") for g in gates),
            (verdict, verdict.lower())]


def _short(text: object, limit: int = 300) -> str:
    s = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    return s[: limit - 1] + "…" if len(s) > limit else s


def family_tables(report: dict) -> list[tuple]:
    """One table per family with two or more suites in this run: metric rows, suite columns."""
    layout, blocks, families = report.get("layout", {}), [], {}
    for name in report["suites_requested"]:
        families.setdefault(layout.get(name, {}).get("family", name), []).append(name)
    for family, names in families.items():
        if len(names) < 2:
            continue
        suites = [report["suites"].get(n) or {} for n in names]
        keys = list(dict.fromkeys(k for s in suites for k in split_metrics(s.get("metrics", {}))[0]))
        cols = [layout[n]["column"] + (" (skipped)" if s.get("status") == "skipped" else "") for n, s in
                zip(names, suites, strict=True)]
        rows = [[k, *((fmt_with_ci(s.get("metrics", {}).get(k)), "num") for s in suites)] for k in keys]
        blocks += [("h", 3, f"{family}: {' | '.join(cols)}"), ("table", ["metric", *cols], rows)]
    if blocks:
        blocks = [("h", 2, "Side by side (value [95% CI])"), *blocks]
    return blocks


def blocks(report: dict) -> list[tuple]:
    h, g, base = report["header"], report["gates"], report.get("baseline")
    out: list[tuple] = [("h", 1, f"privacybot evaluation report — {report['started_at']}"),
                        ("banner", f"Status: {status_line(report)}", report["complete"])]
    out += [("p", f"`{s}` did not finish: {err}", "fail") for s, err in report.get("errors", {}).items()]
    out += [("h", 2, "Summary"), ("p", f"Gates: {g['passed']} passed, {len(g['failed'])} failed, {g['total']} checked.",
                                  "fail" if g["failed"] else "")]
    out += [("p", f"FAIL {line}", "fail") for line in g["failed"]]
    out.append(("p", "Baseline: " + (f"`{base['path']}` (commit {base['git_commit']})" if base else
                                     "committed evals/baselines/<suite>.json where present"), ""))
    out += family_tables(report)
    m = h["machine"]
    out += [("h", 2, "Run"), ("table", ["", ""], [
        ["git commit", f"`{h['git_commit']}`" + (" (uncommitted changes)" if h.get("git_dirty") else "")],
        ["knowledge base", f"`{report['kb']}`"], ["suites requested", ", ".join(report["suites_requested"])],
        ["duration", f"{report['duration_s']:.1f} s"],
        ["machine", f"{m['platform']}, Python {m['python']}, {m['cpu_count']} CPU, {m['ram_gb']} GB RAM"]])]
    out += [("h", 3, "Models and packages"), ("table", ["package", "version"], [list(x) for x in h["models"].items()])]
    out += [("h", 3, "Datasets (sha256)"), ("table", ["file", "sha256"], [[k, f"`{v}`"] for k, v in h["datasets"].items()])]
    for name in report["suites_requested"]:
        out.append(("h", 2, report.get("layout", {}).get(name, {}).get("title", name)))
        suite = report["suites"].get(name)
        out += _suite_blocks(suite) if suite else [("p", "Not run (missing).", "fail")]
    out.append(("p", "Every text in this report went through the privacybot guard before it was written; blind "
                     "sets show ids and failure classes only.", "muted"))
    return out


def _suite_blocks(suite: dict) -> list[tuple]:
    out: list[tuple] = [("p", f"Status: {suite['status']} ({suite.get('duration_s', 0):.1f} s)", "muted")]
    if suite.get("error"):
        out.append(("p", f"Error: {suite['error']}", "fail"))
    out += [("p", f"FAIL {e}", "fail") for e in suite.get("gate_errors", [])]
    main, per_entity = split_metrics(suite.get("metrics", {}))
    if main:
        out.append(("table", METRIC_HEADERS, [
            [key, (fmt_value(m["value"], m.get("unit", "")), "num"), (fmt_ci(m.get("ci"), m.get("unit", "")), "num"),
             (str(m.get("n") if m.get("n") is not None else "—"), "num"), *_gate_cells(m),
             (fmt_value(m.get("baseline"), m.get("unit", "")), "num"), (fmt_delta(m.get("delta")), "num")]
            for key, m in main.items()]))
    if per_entity:
        out += [("p", "Per entity (value [95% CI])", "b"), ("table", ["entity", "precision", "recall", "F2", "gold spans"], [
            [e, fmt_with_ci(r.get("precision")), fmt_with_ci(r.get("recall")), fmt_with_ci(r.get("f2")),
             str((r.get("recall") or {}).get("n") or "—")] for e, r in sorted(per_entity.items())])]
    out += [("note", n) for n in suite.get("notes", [])]
    out += [("img", p) for p in suite.get("plots", [])]
    for tname, t in suite.get("tables", {}).items():
        out += [("p", f"{tname} (rows: expected, columns: got)", "b"),
                ("table", ["", *t["labels"]], [[(lab, "th"), *(str(v) for v in row)]
                                               for lab, row in zip(t["labels"], t["matrix"], strict=False)])]
    if suite.get("bench"):
        out.append(("details", "Other numbers", ["key", "value"], [[k, str(v)] for k, v in suite["bench"].items()]))
    if suite.get("failure_classes"):
        out += [("p", "Failure classes (all failures of this run)", "b"),
                ("table", ["why", "count"], [[why, (str(n), "num")] for why, n in suite["failure_classes"]])]
    if suite.get("failures"):
        headers = [h for h in FAILURE_HEADERS if any(h in f for f in suite["failures"])]
        out += [("h", 3, f"Worst failures (first {len(suite['failures'])})"),
                ("table", headers, [[(_short(f.get(h, "")), "text") for h in headers] for f in suite["failures"]])]
    return out


def _md_cell(cell) -> str:
    text = cell[0] if isinstance(cell, tuple) else cell
    return str(text).replace("\r", " ").replace("\n", " ").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(report: dict) -> str:
    lines: list[str] = []
    for block in blocks(report):
        kind = block[0]
        if kind == "h":
            lines += ["", "#" * block[1] + " " + block[2], ""]
        elif kind == "banner":
            lines += ["", f"**{block[1]}**", ""]
        elif kind == "p":
            lines += ["", f"**{_md_cell(block[1])}**" if block[2] == "b" else _md_cell(block[1]), ""]
        elif kind == "note":
            lines += ["", f"> {_md_cell(block[1])}", ""]
        elif kind == "img":
            lines += ["", f"![{block[1]}]({block[1]})", ""]
        elif kind in ("table", "details"):
            headers, rows = block[-2], block[-1]
            table = ["| " + " | ".join(_md_cell(c) for c in headers) + " |", "|---" * len(headers) + "|"]
            table += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            lines += ["", f"<details><summary>{block[1]}</summary>", "", *table, "", "</details>", ""] \
                if kind == "details" else ["", *table, ""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def write_report(report: dict, out_dir: Path) -> None:
    """Write metrics.json, report.md and report.html atomically (tmp file + rename)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, content in (("metrics.json", json.dumps(report, indent=2, ensure_ascii=False)),
                          ("report.md", render_markdown(report)),
                          ("report.html", render_html(blocks(report), out_dir, report["started_at"]))):
        tmp = out_dir / (name + ".tmp")
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, out_dir / name)

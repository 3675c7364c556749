"""PNG plots for the report (matplotlib, Agg backend: no display needed).

A suite describes each plot as data in `SuiteResult.series[name]` with a `type`:
- curve:     {"title", "xlabel", "ylabel", "lines": {label: [[x, y], ...]}}
- bars:      {"title", "ylabel", "labels": [...], "groups": {name: [value per label]}}
- hist:      {"title", "xlabel", "data": {name: [values]}}  (one panel per name)
- confusion: {"title", "labels": [...], "matrix": [[count]], "xlabel", "ylabel"}
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 90


def _curve(ax, spec: dict) -> None:
    for label, points in spec["lines"].items():
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        ax.plot(xs, ys, marker="o", label=label)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.set_ylabel(spec.get("ylabel", ""))
    ax.grid(alpha=0.3)
    ax.legend()


def _bars(ax, spec: dict) -> None:
    labels = spec["labels"]
    groups = spec["groups"]
    x = np.arange(len(labels))
    width = 0.8 / max(len(groups), 1)
    for i, (name, values) in enumerate(groups.items()):
        ax.bar(x + i * width - 0.4 + width / 2, values, width, label=name)
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1.18)
    ax.set_ylabel(spec.get("ylabel", ""))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", ncols=max(len(groups), 1), fontsize=8, frameon=False)


def _confusion(ax, spec: dict) -> None:
    labels = spec["labels"]
    m = np.asarray(spec["matrix"], dtype=float)
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel(spec.get("xlabel", "predicted"))
    ax.set_ylabel(spec.get("ylabel", "expected"))
    top = m.max() if m.size else 0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(j, i, int(m[i, j]), ha="center", va="center", color="white" if m[i, j] > top / 2 else "black")


def render(spec: dict, path: Path) -> Path:
    kind = spec["type"]
    if kind == "hist":
        data = {k: v for k, v in spec["data"].items() if v}
        fig, axes = plt.subplots(1, max(len(data), 1), figsize=(3.2 * max(len(data), 1), 3), squeeze=False)
        for ax, (name, values) in zip(axes[0], data.items(), strict=False):
            ax.hist(values, bins=min(20, max(5, len(values) // 3)), color="#4472c4")
            ax.set_title(name, fontsize=9)
            ax.set_xlabel(spec.get("xlabel", ""), fontsize=8)
    else:
        width = max(6.0, 0.32 * len(spec.get("labels", ()))) if kind == "bars" else 6.0
        fig, ax = plt.subplots(figsize=(width, 4) if kind != "confusion" else (5, 4.5))
        {"curve": _curve, "bars": _bars, "confusion": _confusion}[kind](ax, spec)
    fig.suptitle(spec.get("title", ""), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, format="png")
    plt.close(fig)
    return path


def render_suite(suite: str, series: dict[str, dict], out_dir: Path) -> list[str]:
    """Render every plot of a suite; returns file names (relative to out_dir)."""
    names = []
    for name, spec in series.items():
        filename = f"{suite}_{name}.png"
        render(spec, out_dir / filename)
        names.append(filename)
    return names

"""PNG plots for the report (matplotlib, Agg backend: no display needed).

A suite describes each plot as data in `SuiteResult.series[name]` with a `type`:
- curve:     {"title", "xlabel", "ylabel", "lines": {label: [[x, y], ...]}}
- bars:      {"title", "ylabel", "labels": [...], "groups": {name: [value per label]}}
- hist:      {"title", "xlabel", "data": {name: [values]}}  (one panel per name)
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
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    ax.set(ylim=(0, 1.02), xlabel=spec.get("xlabel", ""), ylabel=spec.get("ylabel", ""))
    ax.grid(alpha=0.3)
    ax.legend()


def _bars(ax, spec: dict) -> None:
    labels, groups = spec["labels"], spec["groups"]
    x = np.arange(len(labels))
    width = 0.8 / max(len(groups), 1)
    for i, (name, values) in enumerate(groups.items()):
        ax.bar(x + i * width - 0.4 + width / 2, values, width, label=name)
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
    ax.set(ylim=(0, 1.18), ylabel=spec.get("ylabel", ""))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", ncols=max(len(groups), 1), fontsize=8, frameon=False)


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
        fig, ax = plt.subplots(figsize=(width, 4))
        {"curve": _curve, "bars": _bars}[kind](ax, spec)
    fig.suptitle(spec.get("title", ""), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, format="png")
    plt.close(fig)
    return path


def render_suite(suite: str, series: dict[str, dict], out_dir: Path) -> list[str]:
    """Render every plot of a suite; returns file names (relative to out_dir)."""
    return [render(spec, out_dir / f"{suite}_{name}.png").name for name, spec in series.items()]

"""Gates: `evals/thresholds.toml` (the only place for targets), validated at load, and the
no-regression rule against a committed baseline (`evals/baselines/<suite>.json`).

Metric keys are checked against the patterns each suite module declares (`METRICS`), so a typo
in the thresholds file is an error instead of a gate that silently never runs."""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.errors import ConfigError
from evals.provenance import sha256_file
from evals.registry import SUITES

THRESHOLDS_FILE = Path(__file__).parent / "thresholds.toml"
NO_REGRESSION = "no_regression"


@dataclass(frozen=True)
class Gate:
    suite: str
    metric: str
    bound: float
    direction: str  # "min" (value >= bound) or "max" (value <= bound)
    rule: str = "thresholds.toml"  # or "baseline 0.812, 95% interval from 0.741"

    def describe(self) -> str:
        return f"{'≥' if self.direction == 'min' else '≤'} {self.bound:.4g}"

    def passes(self, value: float | None) -> bool:
        """A missing or NaN value fails: a metric that disappears must not pass silently."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return value >= self.bound - 1e-9 if self.direction == "min" else value <= self.bound + 1e-9

    def to_dict(self) -> dict:
        return {self.direction: self.bound, "rule": self.rule}


@dataclass
class SuiteGates:
    fixed: dict[str, Gate] = field(default_factory=dict)
    no_regression: bool = False  # plus one gate per metric of the committed baseline


def is_known_metric(suite: str, key: str) -> bool:
    return suite in SUITES and any(re.fullmatch(p, key) for p in SUITES[suite].scoring.METRICS)


BLIND_DEFAULTS = "blind_defaults"  # [blind_defaults.<module>]: the gates of every blind suite of that module without a table


def parse_thresholds(data: dict, source: str = "thresholds.toml") -> dict[str, SuiteGates]:
    data = dict(data)
    defaults = data.pop(BLIND_DEFAULTS, {})
    if not isinstance(defaults, dict) or not all(isinstance(t, dict) for t in defaults.values()):
        raise ConfigError(f"{source}: [{BLIND_DEFAULTS}.<module>] must be tables of metric = {{min = X}} or {{max = X}}.")
    modules = {s.module for s in SUITES.values() if s.blind}
    for module in defaults:
        if module not in modules:
            raise ConfigError(f"{source}: [{BLIND_DEFAULTS}.{module}]: no blind suite uses the module '{module}'; "
                              f"use one of {', '.join(sorted(modules))}.")
    gates: dict[str, SuiteGates] = {}
    for suite, table in data.items():
        if suite not in SUITES:
            raise ConfigError(f"{source}: unknown suite [{suite}]; use one of {', '.join(SUITES)}.")
        gates[suite] = _suite_gates(suite, table, source)
    for name, suite in SUITES.items():
        if suite.blind and name not in gates and suite.module in defaults:
            gates[name] = _suite_gates(name, defaults[suite.module], f"{source} [{BLIND_DEFAULTS}.{suite.module}]")
    return gates


def _suite_gates(suite: str, table, source: str) -> SuiteGates:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [{suite}] must be a table of metric = {{min = X}} or {{max = X}}.")
    out = SuiteGates()
    for key, rule in table.items():
        if key == NO_REGRESSION:
            if not isinstance(rule, bool):
                raise ConfigError(f"{source}: [{suite}] {NO_REGRESSION} must be true or false.")
            out.no_regression = rule
            continue
        if not is_known_metric(suite, key):
            raise ConfigError(f"{source}: unknown metric '{key}' in [{suite}]; see METRICS in "
                              f"evals/suites/{SUITES[suite].module}.py for valid keys.")
        if not isinstance(rule, dict) or len(rule) != 1 or next(iter(rule)) not in ("min", "max"):
            raise ConfigError(f"{source}: [{suite}] {key} must be {{min = X}} or {{max = X}} (exactly one).")
        direction, bound = next(iter(rule.items()))
        if isinstance(bound, bool) or not isinstance(bound, int | float) or math.isnan(bound):
            raise ConfigError(f"{source}: [{suite}] {key}: {direction} must be a number, got {bound!r}.")
        out.fixed[key] = Gate(suite, key, float(bound), direction)
    return out


def load_thresholds(path: Path | str | None = None) -> dict[str, SuiteGates]:
    path = Path(path) if path else THRESHOLDS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Thresholds file {path} does not exist; restore evals/thresholds.toml.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    return parse_thresholds(data, str(path))


def gates_from_baseline(suite: str, baseline: dict) -> dict[str, Gate]:
    """One gate per baseline metric that has a direction and an interval: the value must stay
    inside the baseline's 95% interval (not below it when higher is better, not above it otherwise)."""
    out = {}
    for key, m in baseline.get("metrics", {}).items():
        if m.get("better") not in ("higher", "lower") or not m.get("ci") or m.get("value") is None:
            continue
        low, high = _interval(m)
        if m["better"] == "higher":
            out[key] = Gate(suite, key, low, "min", f"baseline {m['value']:.4g}, 95% interval from {low:.3g}")
        else:
            out[key] = Gate(suite, key, high, "max", f"baseline {m['value']:.4g}, 95% interval to {high:.3g}")
    return out


def _interval(m: dict) -> tuple[float, float]:
    """The baseline's 95% interval: its bootstrap interval, widened to the Wilson score interval for
    a proportion (a bootstrap of 0/n or n/n has zero width, so one flipped case would fail)."""
    low, high = m["ci"]
    n, p = m.get("n"), m["value"]
    if m.get("unit", "") == "" and isinstance(n, int | float) and n > 0 and 0.0 <= p <= 1.0:
        z2 = 1.96 ** 2
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        spread = 1.96 * ((p * (1 - p) / n + z2 / (4 * n * n)) ** 0.5) / (1 + z2 / n)
        low, high = min(low, centre - spread), max(high, centre + spread)
    return low, high


def regression_gates(suite, ctx, enabled: bool) -> tuple[dict | None, dict[str, Gate], list[str]]:
    """(committed baseline ctx.baselines_dir/<suite>.json or None, its no-regression gates, errors);
    gates only when the thresholds ask for them, and only while the baseline is of the same dataset."""
    path = Path(ctx.baselines_dir) / f"{suite.name}.json"
    save = f"run `privacybot eval --suite {suite.name} --save-baseline` and commit evals/baselines/{suite.name}.json"
    try:
        base = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ConfigError(f"Baseline {path} is not valid JSON: restore it from git or {save}.") from None
    if not enabled:
        return base, {}, []
    if base is None:
        return None, {}, [f"no baseline for the no-regression gate: {save}"]
    if base.get("dataset_sha256") != sha256_file(suite.path(ctx)):
        return base, {}, [f"the dataset changed since the baseline was saved: {save}"]
    return base, gates_from_baseline(suite.name, base), []


def write_baseline(suite, ctx, entry: dict, header: dict) -> Path:
    """ctx.baselines_dir/<suite>.json: this run's metrics, the dataset's sha256 and the commit."""
    path = Path(ctx.baselines_dir) / f"{suite.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"suite": suite.name, "git_commit": header["git_commit"], "saved_at": datetime.now().strftime("%Y-%m-%d"),
            "dataset_sha256": suite.path(ctx) and sha256_file(suite.path(ctx)),
            "metrics": {k: {f: m[f] for f in ("value", "ci", "n", "unit", "better")}
                        for k, m in entry["metrics"].items() if m["value"] is not None}}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path

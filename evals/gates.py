"""Regression gates: `evals/thresholds.toml`, validated at load, and the comparison rules.

Every metric key a suite can produce is declared here (as a pattern), so a typo in the
thresholds file is an error instead of a gate that silently never runs."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

THRESHOLDS_FILE = Path(__file__).parent / "thresholds.toml"
LANG = r"(_(en|fr))?"
_RETRIEVAL = [rf"recall_at_\d+{LANG}", rf"mrr{LANG}", rf"ndcg_at_\d+{LANG}"]
_ENTITY = r"[A-Z][A-Z0-9_]*"
_ANSWERS = [
    rf"(fact|citation|kind|rights)_accuracy{LANG}",
    r"(refusal|rights)_(precision|recall)",
    r"refusal_citations",
]
_GUARD = [
    rf"(precision|recall|f2)(_(structured|special|other|{_ENTITY}))?",
    r"leak_rate(_(structured|special|other))?",
    r"benign_alteration_rate",
    r"presidio_(precision|recall|f2)(_(structured|special|other))?",
    r"presidio_leak_rate(_(structured|special|other))?",
]

# Suite -> regexes (full match) of the metric keys that suite produces.
KNOWN_METRICS: dict[str, list[str]] = {
    "retrieval": _RETRIEVAL,
    "answers": _ANSWERS,
    "guard": _GUARD,
    "answers_holdout": _ANSWERS,  # same adapter as `answers`, holdout dataset
    "guard_blind": _GUARD,  # same adapter as `guard`, blind dataset
    "latency": [r"(guard|retrieve|answer|total)_p(50|95|99)_ms", r"cold_start_s", r"cold_first_answer_ms"],
    "generic": [*_RETRIEVAL, rf"(fact|citation|kind)_accuracy{LANG}"],
    "load": [r"throughput_rps", r"p(50|95|99)_ms", r"error_rate", r"errors", r"rss_mb", r"requests"],
}
SUITES = tuple(KNOWN_METRICS)


@dataclass(frozen=True)
class Gate:
    suite: str
    metric: str
    bound: float
    direction: str  # "min" (value >= bound) or "max" (value <= bound)

    @property
    def symbol(self) -> str:
        return "≥" if self.direction == "min" else "≤"

    def describe(self) -> str:
        return f"{self.symbol} {self.bound:g}"

    def passes(self, value: float | None) -> bool:
        """A missing or NaN value fails: a metric that disappears must not pass silently."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        eps = 1e-9
        return value >= self.bound - eps if self.direction == "min" else value <= self.bound + eps

    def to_dict(self) -> dict:
        return {self.direction: self.bound}


def is_known_metric(suite: str, key: str) -> bool:
    return any(re.fullmatch(p, key) for p in KNOWN_METRICS.get(suite, ()))


def parse_thresholds(data: dict, source: str = "thresholds.toml") -> dict[str, dict[str, Gate]]:
    gates: dict[str, dict[str, Gate]] = {}
    for suite, table in data.items():
        if suite not in KNOWN_METRICS:
            raise ConfigError(f"{source}: unknown suite [{suite}]; use one of {', '.join(SUITES)}.")
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{suite}] must be a table of metric = {{min = X}} or {{max = X}}.")
        gates[suite] = {}
        for key, rule in table.items():
            if not is_known_metric(suite, key):
                raise ConfigError(
                    f"{source}: unknown metric '{key}' in [{suite}]; see evals/gates.py KNOWN_METRICS for valid keys."
                )
            if not isinstance(rule, dict) or len(rule) != 1 or next(iter(rule)) not in ("min", "max"):
                raise ConfigError(f"{source}: [{suite}] {key} must be {{min = X}} or {{max = X}} (exactly one).")
            direction, bound = next(iter(rule.items()))
            if isinstance(bound, bool) or not isinstance(bound, int | float) or math.isnan(bound):
                raise ConfigError(f"{source}: [{suite}] {key}: {direction} must be a number, got {bound!r}.")
            gates[suite][key] = Gate(suite, key, float(bound), direction)
    return gates


def load_thresholds(path: Path | str | None = None) -> dict[str, dict[str, Gate]]:
    path = Path(path) if path else THRESHOLDS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Thresholds file {path} does not exist; restore evals/thresholds.toml.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    return parse_thresholds(data, str(path))


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    value: float | None
    passed: bool

    def message(self) -> str:
        shown = "missing" if self.value is None else f"{self.value:.4g}"
        verdict = "passes" if self.passed else "FAILS"
        return f"[{self.gate.suite}] {self.gate.metric} = {shown} {verdict} gate {self.gate.describe()}"


def check_suite(suite: str, values: dict[str, float | None], gates: dict[str, dict[str, Gate]]) -> list[GateResult]:
    """Compare a suite's metric values with its gates (one result per gate, missing = fail)."""
    out = []
    for key, gate in gates.get(suite, {}).items():
        value = values.get(key)
        out.append(GateResult(gate, value, gate.passes(value)))
    return out

"""Guard suites (`guard`, `guard_blind`, any guard set a registry entry names): the scoring of
`evals/guard_metrics.py` (the same as `python -m evals.bench_guard`), with bootstrap intervals per
metric, vanilla Presidio side by side, and the worst messages listed (gold spans masked).

Metrics: `leak_rate[_group]`, `recall[_group|_ENTITY]` (= 1 - leak rate), `precision[_group]`
(findings that overlap a gold span of the same entity), `f2`, `benign_alteration_rate`, and the
same with a `presidio_` prefix for vanilla Presidio."""

from __future__ import annotations

from pathlib import Path

from evals import guard_metrics, stats
from evals.guard_dataset import DATASET, load_guard_set
from evals.results import Metric, SuiteResult
from guards.types import entity_group, placeholder

WORST = 15


def _load(path: Path) -> list[dict]:
    from bot.errors import InputError
    from evals.datasets import DatasetError

    try:
        return load_guard_set(path)
    except InputError as exc:
        raise DatasetError(f"{exc.message} (in {path})") from None


def datasets(ctx, suite: str = "guard", default: Path | None = None) -> list[Path]:
    return [ctx.dataset(suite, default or DATASET)]


def validate(ctx, suite: str = "guard", default: Path | None = None) -> None:
    _load(ctx.dataset(suite, default or DATASET))


def _metrics(items: list[dict], prefix: str = "") -> dict[str, Metric]:
    out: dict[str, Metric] = {}
    for scope in guard_metrics.scopes(items):
        cols = {k: guard_metrics.column(items, f"{k}:{scope}") for k in ("gold", "leak", "pred", "pred_hit")}
        gold = float(cols["gold"].sum())
        suffix = "" if scope == "all" else f"_{scope}"

        def recall(s):
            return 1 - stats.safe_div(s["leak"], s["gold"])

        def precision(s):
            return stats.safe_div(s["pred_hit"], s["pred"])

        r = recall({k: v.sum() for k, v in cols.items()})
        out[f"{prefix}recall{suffix}"] = Metric(r, stats.bootstrap_sums(cols, recall), int(gold), better="higher",
                                                note="gold spans whose text no longer appears")
        if scope in ("all", *guard_metrics.GROUPS):
            p = precision({k: v.sum() for k, v in cols.items()})
            out[f"{prefix}leak_rate{suffix}"] = Metric(1 - r, stats.bootstrap_sums(cols, lambda s: 1 - recall(s)),
                                                       int(gold), better="lower")
            out[f"{prefix}precision{suffix}"] = Metric(p, stats.bootstrap_sums(cols, precision), int(cols["pred"].sum()))
            out[f"{prefix}f2{suffix}"] = Metric(stats.f2_from(p, r), None, int(gold))
    if not prefix:  # vanilla Presidio's alteration is in the bench output, not a suite metric
        benign = [float(i["altered"]) for i in items if i["benign"]]
        out["benign_alteration_rate"] = Metric(stats.mean(benign), stats.bootstrap_ci(benign), len(benign), better="lower")
    return out


def run(ctx, suite: str = "guard", default: Path | None = None) -> SuiteResult:
    path = ctx.dataset(suite, default or DATASET)
    records = _load(path)
    guard = ctx.guard()
    allow = guard_metrics.policy_allow(guard)

    def system(text, lang):
        insp = guard.inspect(text, lang, allow=allow)
        return insp.text, list(insp.findings)

    items = guard_metrics.run(records, system)
    result = SuiteResult(suite, metrics=_metrics(items), datasets=[path])
    if not ctx.compare_presidio:
        result.notes.append("Vanilla Presidio comparison not run (EvalContext.compare_presidio is off).")
    else:
        try:
            from evals.guard_baseline import VanillaPresidio

            result.metrics.update(_metrics(guard_metrics.run(records, VanillaPresidio().run), prefix="presidio_"))
        except Exception as exc:  # noqa: BLE001 - the comparison is optional, the guard metrics are not
            result.notes.append(f"Vanilla Presidio comparison unavailable ({type(exc).__name__}).")
    summary = guard_metrics.summary(items)
    result.bench = {"guard.latency_ms_p50": summary["latency_ms_p50"], "guard.latency_ms_p95": summary["latency_ms_p95"]}
    result.failures = worst(records, items)
    result.notes.append("Leak = a gold span's exact text survives in the redacted output; recall = 1 - leak rate. "
                        "Groups: structured identifiers, special categories (GDPR Art. 9 and Art. 10), other. "
                        "The guard gets the bundled policy's public strings as `allow`, as in production.")
    return result


def _mask(rec: dict) -> str:
    """The message with every gold span replaced by [ENTITY]: a leaked value never reaches the report."""
    out, pos = [], 0
    for g in sorted(rec["spans"], key=lambda s: s["start"]):
        if g["start"] >= pos:
            out += [rec["text"][pos:g["start"]], placeholder(g["entity"])]
            pos = g["end"]
    out.append(rec["text"][pos:])
    return "".join(out)


def worst(records: list[dict], items: list[dict], n: int = WORST) -> list[dict]:
    def severity(i):
        structured = any(entity_group(e) == "structured" for e in i["leaked"])
        return (0 if structured else 1 if i["leaked"] else 2, i["id"])

    by_id = {r["id"]: r for r in records}
    bad = sorted((i for i in items if i["leaked"] or i["altered"]), key=severity)[:n]
    return [{"id": i["id"], "lang": i["lang"], "question": _mask(by_id[i["id"]]),
             "expected": ", ".join(i["expected"]) or "(nothing)", "got": ", ".join(i["found"]) or "(nothing)",
             "why": f"leaked {', '.join(sorted(set(i['leaked'])))}" if i["leaked"] else "benign message altered"}
            for i in bad]

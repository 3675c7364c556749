"""Guard suite: span precision/recall/F2 per entity and per category, leak rates, benign
alteration, and vanilla Presidio side by side — from the guard engineer's benchmark
(`evals.bench_guard.score_system`, same scoring), with per-message records captured during
that very run so every number gets a bootstrap interval and the worst failures are listed.

Every entry point takes `suite` and `default` (dataset path; None = DATASET), so `suite_guard_blind`
runs the same code on the blind set under its own name."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evals import stats
from evals.datasets_io import DATASETS_DIR, DatasetError, ident, lang, load_jsonl, obj_list, text
from evals.results import Metric, SuiteResult

NEEDS_INDEX = False
DATASET = DATASETS_DIR / "guard_set.jsonl"
CATEGORIES = ("structured", "special", "other")
WORST = 15


def datasets(ctx, suite: str = "guard", default: Path | None = None) -> list[Path]:
    return [ctx.dataset(suite, default or DATASET)]


def _load(ctx, suite: str = "guard", default: Path | None = None) -> list[dict]:
    from bot.errors import InputError
    from evals.guard_dataset import load_guard_set

    path = ctx.dataset(suite, default or DATASET)
    load_jsonl(path, {"id": ident, "lang": lang, "text": text}, {"spans": obj_list})
    try:
        return load_guard_set(path)
    except InputError as exc:
        raise DatasetError(f"{exc.message} (in {path})") from None


def validate(ctx, suite: str = "guard", default: Path | None = None) -> None:
    _load(ctx, suite, default)


def category(entity: str) -> str:
    from evals.bench_guard import STRUCTURED
    from guards.types import SPECIAL_CATEGORIES

    return "structured" if entity in STRUCTURED else "special" if entity in SPECIAL_CATEGORIES else "other"


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def item_record(rec: dict, redacted: str, findings: list) -> dict:
    """Per-message counts, with the same matching rule as bench_guard (same entity, overlapping)."""
    counts: dict[str, float] = {}

    def add(key: str, value: float = 1.0) -> None:
        counts[key] = counts.get(key, 0.0) + value

    leaked = []
    for g in rec["spans"]:
        e, cat = g["entity"], category(g["entity"])
        hit = any(f.entity == e and _overlap(f.start, f.end, g["start"], g["end"]) for f in findings)
        for scope in (e, cat, "all"):
            add(f"gold:{scope}")
            add(f"gold_hit:{scope}", float(hit))
        if g["text"] in redacted:
            leaked.append(e)
            for scope in (cat, "all"):
                add(f"leak:{scope}")
    for f in findings:
        cat = category(f.entity)
        hit = any(f.entity == g["entity"] and _overlap(f.start, f.end, g["start"], g["end"]) for g in rec["spans"])
        for scope in (f.entity, cat, "all"):
            add(f"pred:{scope}")
            add(f"pred_hit:{scope}", float(hit))
    benign = not rec["spans"]
    return {
        "id": rec["id"], "lang": rec["lang"], "counts": counts, "leaked": leaked,
        "benign": benign, "altered": benign and redacted != rec["text"],
        "expected": sorted({g["entity"] for g in rec["spans"]}), "found": sorted({f.entity for f in findings}),
        "masked": _mask(rec),
    }


def _mask(rec: dict) -> str:
    """The message with every gold span replaced by [ENTITY] (a leaked span must not reach the
    report through the failure list); the runner then passes it through the guard as well."""
    out, pos = [], 0
    for g in sorted(rec["spans"], key=lambda s: s["start"]):
        if g["start"] < pos:
            continue
        out += [rec["text"][pos:g["start"]], f"[{g['entity']}]"]
        pos = g["end"]
    out.append(rec["text"][pos:])
    return "".join(out)


def _columns(items: list[dict], scope: str) -> dict[str, np.ndarray]:
    keys = ("gold", "gold_hit", "pred", "pred_hit", "leak")
    return {k: np.array([i["counts"].get(f"{k}:{scope}", 0.0) for i in items]) for k in keys}


def prf_metrics(items: list[dict], scope: str, suffix: str) -> dict[str, Metric]:
    cols = _columns(items, scope)
    tot = {k: float(v.sum()) for k, v in cols.items()}
    n = int(tot["gold"])
    p = stats.safe_div(tot["pred_hit"], tot["pred"])
    r = stats.safe_div(tot["gold_hit"], tot["gold"])

    def prec(s):
        return stats.safe_div(s["pred_hit"], s["pred"])

    def rec(s):
        return stats.safe_div(s["gold_hit"], s["gold"])

    return {
        f"precision{suffix}": Metric(p, stats.bootstrap_sums(cols, prec), int(tot["pred"]), note="spans predicted"),
        f"recall{suffix}": Metric(r, stats.bootstrap_sums(cols, rec), n, note="gold spans"),
        f"f2{suffix}": Metric(stats.f2_from(p, r), stats.bootstrap_sums(cols, lambda s: stats.f2_from(prec(s), rec(s))), n),
    }


def leak_metric(items: list[dict], scope: str) -> Metric:
    cols = _columns(items, scope)
    gold = float(cols["gold"].sum())
    return Metric(stats.safe_div(float(cols["leak"].sum()), gold),
                  stats.bootstrap_sums(cols, lambda s: stats.safe_div(s["leak"], s["gold"])), int(gold),
                  note="share of gold spans whose text survives in the redacted output")


def run(ctx, suite: str = "guard", default: Path | None = None) -> SuiteResult:
    from evals.bench_guard import score_system

    records = _load(ctx, suite, default)
    guard = ctx.guard()
    captured: list[tuple[str, list]] = []
    bar = ctx.bar(range(len(records) + 5), desc=suite)
    it = iter(bar)

    def run_guard(text_, lang_):
        insp = guard.inspect(text_, None)  # language detected, as in production and bench_guard
        captured.append((insp.text, list(insp.findings)))
        next(it, None)
        return insp.text, list(insp.findings)

    theirs = score_system(records, run_guard)
    bar.close()
    outputs = captured[-len(records):]
    items = [item_record(rec, red, finds) for rec, (red, finds) in zip(records, outputs, strict=True)]

    result = SuiteResult(suite, datasets=[ctx.dataset(suite, default or DATASET)])
    m = result.metrics
    m.update(prf_metrics(items, "all", ""))
    for cat in CATEGORIES:
        m.update(prf_metrics(items, cat, f"_{cat}"))
    m["leak_rate"] = leak_metric(items, "all")
    for cat in CATEGORIES:
        m[f"leak_rate_{cat}"] = leak_metric(items, cat)
    benign = [float(i["altered"]) for i in items if i["benign"]]
    m["benign_alteration_rate"] = Metric(stats.mean(benign), stats.bootstrap_ci(benign), len(benign),
                                         note="benign messages changed by redaction")
    entities = sorted({e.split(":", 1)[1] for i in items for e in i["counts"]} - {"all", *CATEGORIES})
    for entity in entities:
        m.update(prf_metrics(items, entity, f"_{entity}"))

    presidio_items = _vanilla(ctx, records, result)
    _cross_check(theirs, m, result)
    result.bench = {f"guard.{k}": v for k, v in _scalars(theirs).items()}
    labels = [*CATEGORIES, *entities]
    groups = {"guard precision": [m[f"precision_{x}"].value for x in labels],
              "guard recall": [m[f"recall_{x}"].value for x in labels]}
    if presidio_items:
        groups["vanilla Presidio recall"] = [prf_metrics(presidio_items, x, "")["recall"].value for x in labels]
    result.series["per_category_pr"] = {"type": "bars", "title": "Guard precision / recall per category and entity",
                                        "ylabel": "score", "labels": labels, "groups": groups}
    result.failures = worst(items)
    result.notes.append("Span match rule (bench_guard): same entity and overlapping offsets. Categories: structured = "
                        "identifiers with a fixed format, special = GDPR Art. 9, other = names, places, dates, addresses.")
    return result


def _vanilla(ctx, records: list[dict], result: SuiteResult) -> list[dict] | None:
    try:
        from evals.bench_guard import score_system
        from evals.guard_baseline import VanillaPresidio

        vanilla = VanillaPresidio()
    except Exception as exc:  # noqa: BLE001 - the comparison is optional, the guard metrics are not
        result.notes.append(f"Vanilla Presidio comparison unavailable ({type(exc).__name__}).")
        return None
    outputs: list[tuple[str, list]] = []

    def run_vanilla(text_, lang_):
        out = vanilla.run(text_, lang_)
        outputs.append(out)
        return out

    score_system(records, run_vanilla)
    items = [item_record(rec, red, finds) for rec, (red, finds) in zip(records, outputs[-len(records):], strict=True)]
    for key, metric in prf_metrics(items, "all", "").items():
        result.metrics[f"presidio_{key}"] = metric
    for cat in CATEGORIES:
        result.metrics[f"presidio_recall_{cat}"] = prf_metrics(items, cat, "")["recall"]
    result.metrics["presidio_leak_rate"] = leak_metric(items, "all")
    result.metrics["presidio_leak_rate_structured"] = leak_metric(items, "structured")
    result.metrics["presidio_leak_rate_special"] = leak_metric(items, "special")
    return items


def _cross_check(theirs: dict, m: dict[str, Metric], result: SuiteResult) -> None:
    micro = theirs.get("micro", {})
    for key in ("precision", "recall", "f2"):
        if key in micro and abs(micro[key] - m[key].value) > 0.001:
            result.notes.append(f"Cross-check: bench_guard micro {key} = {micro[key]} but this suite computed "
                                f"{m[key].value:.3f}; the scoring rules have drifted.")


def _scalars(theirs: dict) -> dict:
    from evals.results import flatten

    keep = {k: v for k, v in theirs.items() if k not in ("per_entity", "special_categories", "leaked")}
    return flatten(keep)


def worst(items: list[dict], n: int = WORST) -> list[dict]:
    def severity(i):
        structured = any(category(e) == "structured" for e in i["leaked"])
        return (0 if structured else 1 if i["leaked"] else 2 if i["altered"] else 3, i["id"])

    bad = [i for i in items if i["leaked"] or i["altered"] or set(i["expected"]) - set(i["found"])]
    out = []
    for i in sorted(bad, key=severity)[:n]:
        why = (f"leaked {', '.join(sorted(set(i['leaked'])))}" if i["leaked"] else
               "benign message altered" if i["altered"] else
               f"missed label {', '.join(sorted(set(i['expected']) - set(i['found'])))} (text redacted under another)")
        out.append({"id": i["id"], "lang": i["lang"], "question": i["masked"], "expected": ", ".join(i["expected"]) or "(nothing)",
                    "got": ", ".join(i["found"]) or "(nothing)", "why": why})
    return out

"""Guard benchmark: the guard and vanilla Presidio side by side, same run, same scoring
(`evals/guard_metrics.py`).

    python -m evals.bench_guard [--json OUT] [--no-baseline] [--sets dev,holdout,blind,blind_c,synth]
                                [--dataset PATH ...] [--no-allow] [--detect]

- presidio_synth_dev (presidio-research, 1,138 English texts): recall per gold label, guard vs
  vanilla Presidio (recall = the span's text no longer appears in the output);
- the guard sets (dev, holdout, blind, blind C, and any --dataset): leak rates (all, structured,
  special categories, other), benign messages altered, per entity leaks;
- latency per message (p50/p95, ms), guard and vanilla, measured on the same messages.
The guard receives the bundled policy's public strings as `allow` (as production does) unless
--no-allow; the message's `lang` is passed as the hint (none for "mixed") unless --detect."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evals import guard_metrics
from evals.guard_dataset import DATASETS, GUARD_SETS, SYNTH, load_guard_set, load_synth

ALL_SETS = ("synth", *GUARD_SETS)


def load_sets(names: list[str], extra: list[Path]) -> dict[str, list[dict]]:
    sets = {}
    for name in names:
        if name == "synth":
            if SYNTH.exists():
                sets["synth"] = load_synth(SYNTH)
        elif (DATASETS / GUARD_SETS[name]).exists():
            sets[name] = load_guard_set(DATASETS / GUARD_SETS[name])
    for path in extra:
        sets[path.stem] = load_guard_set(path)
    return sets


def guard_system(guard, allow: frozenset[str] | None, detect: bool):
    def run(text, lang):
        insp = guard.inspect(text, None if detect else lang, allow=allow)
        return insp.text, list(insp.findings)

    return run


def run_guard_bench(sets: list[str] | None = None, datasets: list[Path] | None = None, baseline: bool = True,
                    use_allow: bool = True, detect: bool = False) -> dict:
    from guards.guard import get_guard

    guard = get_guard()
    allow = guard_metrics.policy_allow(guard) if use_allow else None
    systems = {"guard": guard_system(guard, allow, detect)}
    if baseline:
        from evals.guard_baseline import VanillaPresidio

        systems["vanilla_presidio"] = VanillaPresidio().run
    out = {"allow_strings": len(allow or ()), "sets": {}}
    for name, records in load_sets(sets or list(ALL_SETS), datasets or []).items():
        out["sets"][name] = {system: guard_metrics.summary(guard_metrics.run(records, fn)) for system, fn in systems.items()}
    return out


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def format_report(metrics: dict) -> str:
    lines = []
    for name, result in metrics["sets"].items():
        g, v = result["guard"], result.get("vanilla_presidio")
        lines.append(f"\n== {name}: {g['messages']} messages, {g['benign_messages']} benign")
        lines.append(f"{'scope':22s} {'gold':>5s}  {'guard leaked':>18s}  {'vanilla leaked':>18s}")
        for scope, s in g["scopes"].items():
            vs = (v or {}).get("scopes", {}).get(scope)
            vtxt = f"{vs['leaked']:4d} ({_pct(vs['leak_rate'])})" if vs else "-"
            lines.append(f"{scope:22s} {s['gold']:5d}  {s['leaked']:4d} ({_pct(s['leak_rate'])})     {vtxt:>18s}")
        vb = f"{v['benign_altered']}/{v['benign_messages']} ({_pct(v['benign_alteration_rate'])})" if v else "-"
        lines.append(f"benign altered: guard {g['benign_altered']}/{g['benign_messages']} "
                     f"({_pct(g['benign_alteration_rate'])}), vanilla {vb}")
        vl = f"{v['latency_ms_p50']} / {v['latency_ms_p95']}" if v else "-"
        lines.append(f"latency ms p50 / p95: guard {g['latency_ms_p50']} / {g['latency_ms_p95']}, vanilla {vl}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the metrics dict here")
    parser.add_argument("--no-baseline", action="store_true", help="skip vanilla Presidio")
    parser.add_argument("--sets", default=",".join(ALL_SETS), help=f"comma-separated, from {', '.join(ALL_SETS)}")
    parser.add_argument("--dataset", type=Path, action="append", default=[], help="another guard set (JSONL)")
    parser.add_argument("--no-allow", action="store_true", help="do not pass the policy's public strings")
    parser.add_argument("--detect", action="store_true", help="ignore each message's lang (detect it)")
    args = parser.parse_args(argv)
    names = [n for n in args.sets.split(",") if n]
    unknown = [n for n in names if n not in ALL_SETS]
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}; use {', '.join(ALL_SETS)}")
    metrics = run_guard_bench(names, args.dataset, baseline=not args.no_baseline, use_allow=not args.no_allow,
                              detect=args.detect)
    print(format_report(metrics))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nmetrics written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

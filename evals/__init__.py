"""Evaluation suite: datasets, suite adapters over the real pipeline, gates, and the report.

Entry points: `evals.runner.run_eval(...)` (used by `privacybot eval`) and
`evals.gates.load_thresholds(...)`. Benchmarks owned by each area (`evals/bench_*.py`) are
called by the suite adapters (`evals/suite_*.py`); this package never re-implements them.
"""

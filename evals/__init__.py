"""Evaluation: datasets, suites (a registry of scoring modules applied to datasets), gates and the
report. Entry point: `privacybot eval` (evals/commands.py) -> `evals.runner.run_eval`."""

"""Scoring modules of the registry (evals/registry.py): one per family of suites."""

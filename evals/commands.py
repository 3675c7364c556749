"""`privacybot eval` (a command plugin, see pyproject.toml): run the evaluation suites of the
registry (evals/registry.py) and write the report (evals/runner.py)."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        suite: list[str] = typer.Option(["all"], "--suite", "-s", help="Suite names, families or 'all' (repeat or "
                                         "comma-separate; `--list` shows them). 'all' = every default suite."),
        out: Path | None = typer.Option(None, "--out", help="Report directory (default: $PRIVACYBOT_HOME/reports/<time>)."),
        baseline: Path | None = typer.Option(None, "--baseline", help="Report directory to compare with (default: the "
                                             "committed evals/baselines/<suite>.json)."),
        save_baseline: bool = typer.Option(False, "--save-baseline", help="Write this run's metrics to "
                                           "evals/baselines/<suite>.json (commit them)."),
        kb: str | None = typer.Option(None, "--kb", help="Knowledge base to evaluate (default: the configured one)."),
        thresholds: Path | None = typer.Option(None, "--thresholds", help="Gates file (default: evals/thresholds.toml)."),
        fail_on_gate: bool = typer.Option(True, "--fail-on-gate/--no-fail-on-gate", help="Exit 1 when a gate fails."),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bars on stderr."),
        list_suites: bool = typer.Option(False, "--list", help="Print the suites as JSON lines and exit."),
    ) -> None:
        """Run the evaluation datasets through the real pipeline; write report.md, report.html, metrics.json and plots."""
        if list_suites:
            from evals.registry import SUITES, aliases

            for s in SUITES.values():
                typer.echo(json.dumps({"name": s.name, "family": s.family, "title": s.title, "default": s.default,
                                       "blind": s.blind, "dataset": s.dataset}, ensure_ascii=False))
            typer.echo(json.dumps({"aliases": aliases()}))
            return
        from bot.settings import get_settings
        from evals.runner import run_eval

        suites = [s.strip() for item in suite for s in item.split(",") if s.strip()]
        report = run_eval(suites, settings=get_settings(), kb=kb, out_dir=out, baseline_dir=baseline,
                          save_baseline=save_baseline, thresholds_path=thresholds, progress=progress,
                          log=lambda msg: typer.echo(msg, err=True))
        gates = report["gates"]
        status = "complete" if report["complete"] else "INCOMPLETE (missing: " + ", ".join(report["suites_missing"]) + ")"
        typer.echo(f"Report ({status}): {Path(report['out_dir']) / 'report.html'}")
        typer.echo(f"Gates: {gates['passed']}/{gates['total']} passed")
        for line in gates["failed"]:
            typer.echo(f"  FAIL {line}")
        if not report["complete"] or (fail_on_gate and gates["failed"]):
            raise typer.Exit(1)

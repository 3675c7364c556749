"""`privacybot eval` (a command plugin, see pyproject.toml): run the evaluation suites and write the report (see evals/runner.py)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        suite: list[str] = typer.Option(
            ["all"], "--suite", "-s",
            help="retrieval|answers|guard|latency|generic|answers_holdout|guard_blind|load|all (repeat or comma-separate). "
                 "'all' = retrieval, answers, guard, latency, generic, answers_holdout, guard_blind; load runs only when asked.",
        ),
        out: Path | None = typer.Option(None, "--out", help="Report directory (default: $PRIVACYBOT_HOME/reports/<timestamp>)."),
        baseline: Path | None = typer.Option(
            None, "--baseline", help="Report directory to compare with (default: $PRIVACYBOT_HOME/reports/baseline if present)."
        ),
        save_baseline: bool = typer.Option(False, "--save-baseline", help="Copy this run to $PRIVACYBOT_HOME/reports/baseline."),
        kb: str | None = typer.Option(None, "--kb", help="Knowledge base to evaluate (default: the configured one)."),
        thresholds: Path | None = typer.Option(None, "--thresholds", help="Gates file (default: evals/thresholds.toml)."),
        fail_on_gate: bool = typer.Option(
            True, "--fail-on-gate/--no-fail-on-gate", help="Exit with status 1 when a gate fails."
        ),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bars on stderr."),
    ) -> None:
        """Run the dev datasets through the real pipeline; write report.md, report.html, metrics.json and plots."""
        from bot.settings import get_settings
        from evals.runner import run_eval

        suites = [s.strip() for item in suite for s in item.split(",") if s.strip()]
        report = run_eval(
            suites,
            settings=get_settings(),
            kb=kb,
            out_dir=out,
            baseline_dir=baseline,
            save_baseline=save_baseline,
            thresholds_path=thresholds,
            progress=progress,
            log=lambda msg: typer.echo(msg, err=True),
        )
        out_dir = Path(report["out_dir"])
        gates = report["gates"]
        status = "complete" if report["complete"] else "INCOMPLETE (missing: " + ", ".join(report["suites_missing"]) + ")"
        typer.echo(f"Report ({status}): {out_dir / 'report.html'}")
        typer.echo(f"Gates: {gates['passed']}/{gates['total']} passed")
        for line in gates["failed"]:
            typer.echo(f"  FAIL {line}")
        if not report["complete"] or (fail_on_gate and gates["failed"]):
            raise typer.Exit(1)

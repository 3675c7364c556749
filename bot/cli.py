"""The `privacybot` command. Each sub-command lives in `bot/commands/<name>.py` and exposes
`register(app)`; heavy imports happen inside the command so `--help` stays instant."""

from __future__ import annotations

import importlib
import sys

import typer

from bot import offline  # noqa: F401
from bot.errors import PrivacybotError

COMMANDS = ("ingest", "search", "redact", "ask", "serve", "console", "eval", "purge", "sessions")

app = typer.Typer(
    name="privacybot",
    help="Privacy-policy assistant: answers only from the policy, cites it, and never stores raw personal data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root() -> None:
    """Privacy-policy assistant: answers only from the policy, cites it, never stores raw personal data."""


@app.command("version")
def version() -> None:
    """Print the privacybot version."""
    from importlib.metadata import version as _v

    typer.echo(f"privacybot {_v('privacybot')}")


def _register_all() -> None:
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"bot.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bot.commands.{name}":
                continue  # command not built yet
            raise
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    """Entry point: one-line errors that say how to fix, never a traceback."""
    try:
        app(args=argv, prog_name="privacybot")  # standalone: usage errors print and SystemExit
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except PrivacybotError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

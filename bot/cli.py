"""The `privacybot` command. Sub-commands are plugins, like simonw/llm's `register_commands` hook:
each is an entry point in the `privacybot.commands` group (`name = "module:register"`, see
pyproject.toml) whose `register(app)` adds its command(s). The core's own commands live in
`bot/commands/`; `serve`/`console` come from `ui`, `eval` from `evals`, so `bot` never imports them.
Heavy imports happen inside each command, so `--help` stays instant."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import typer

from bot import offline  # noqa: F401
from bot.errors import ERRORS, exit_code, message_of

GROUP = "privacybot.commands"

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
    """Load every installed command plugin (sorted by name, so `--help` lists them stably)."""
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        ep.load()(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    """Entry point: one-line errors that say how to fix, never a traceback."""
    try:
        app(args=argv, prog_name="privacybot")  # standalone: usage errors print and SystemExit
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except ERRORS as exc:
        typer.echo(f"Error: {message_of(exc)}", err=True)
        return exit_code(exc)
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

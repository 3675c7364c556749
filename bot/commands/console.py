"""`privacybot console [--host H] [--port P]`: the Gradio staff console, alone.

`privacybot serve` also mounts it at /console. Password: PRIVACYBOT_CONSOLE_PASSWORD; in local
mode without one, a one-time password is generated and printed on stderr (never logged)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("console")
    def console(
        host: str = typer.Option(None, "--host", help="Interface to listen on (default: PRIVACYBOT_HOST, 127.0.0.1)."),
        port: int = typer.Option(7860, "--port", min=1, max=65535, help="Port to listen on."),
    ) -> None:
        """Start the staff console (chat with pipeline trace, guard tester, evaluation, conversations)."""
        from bot.logsafe import configure_logging
        from bot.settings import get_settings
        from ui.console import console_auth, launch_console

        settings = get_settings()
        configure_logging(settings.log_level)
        console_auth(settings)  # fail fast (production without a password) before loading models
        from bot.engine import get_engine

        typer.echo("Loading the index and models…", err=True)
        engine = get_engine(settings)
        _ = engine.retriever  # IndexMissingError says: run `privacybot ingest`
        engine.guard.inspect("warm up", lang="en")
        launch_console(settings, host=host or settings.host, port=port, engine=engine, block=True)

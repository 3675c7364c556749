"""`privacybot serve [--host H] [--port P] [--workers N] [--no-console]`: the HTTP API, the
widget (/widget.js), the demo page (/demo) and the staff console (/console, when installed).

Checks the index first (clear error: run `privacybot ingest`), configures leak-proof logging
(no request bodies, no query strings, no client addresses), loads the models before accepting
requests, starts the daily retention purge, prints the URLs, then runs uvicorn."""

from __future__ import annotations

import typer


def _warm(settings) -> tuple[object, object]:
    """Load index, guard and composer; raises IndexMissingError (with the fix) when no index."""
    from bot.engine import get_engine

    engine = get_engine(settings)
    _ = engine.retriever  # IndexMissingError / IndexCorruptError say how to fix
    _ = engine.composer
    engine.guard.inspect("warm up", lang="en")
    engine.retriever.search("warm up", k=1)
    return engine, engine.store


def _urls(host: str, port: int, console: bool) -> list[str]:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    return [
        f"  API        {base}/api  (docs: {base}/docs, health: {base}/readyz, metrics: {base}/metrics)",
        f"  Widget     {base}/widget.js  (embed: <script src=\"{base}/widget.js\" data-site=\"ece\" defer>)",
        f"  Demo page  {base}/demo",
        f"  Console    {base}/console" if console else "  Console    not installed (ui/console.py missing)",
    ]


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option(None, "--host", help="Interface to bind (default PRIVACYBOT_HOST, 127.0.0.1)."),
        port: int = typer.Option(None, "--port", help="Port (default PRIVACYBOT_PORT, 8000)."),
        workers: int = typer.Option(1, "--workers", min=1, max=16,
                                    help="Worker processes (each loads the models; rate limits are per worker)."),
        console: bool = typer.Option(True, "--console/--no-console", help="Mount the staff console at /console."),
        engine_threads: int = typer.Option(2, "--engine-threads", min=1, max=32,
                                           help="Questions answered at once per worker (CPU-bound: ~cores)."),
    ) -> None:
        """Start the API, the widget, the demo page and the staff console."""
        import os

        import uvicorn

        from bot.logsafe import configure_logging, uvicorn_log_config
        from bot.settings import load_settings
        from bot.store.retention import start_daily_purge

        settings = load_settings(host=host, port=port)
        configure_logging(settings.log_level)
        typer.echo("Loading the index and models…")
        engine, store = _warm(settings)

        from ui.server import create_app

        if store is not None:
            start_daily_purge(store, settings.retention_days)
        common = dict(host=settings.host, port=settings.port, access_log=False, server_header=False,
                      log_config=uvicorn_log_config("WARNING" if settings.log_level == "DEBUG" else settings.log_level),
                      timeout_graceful_shutdown=5)
        if workers == 1:
            application = create_app(settings, engine=engine, store=store, console=console,
                                     engine_concurrency=engine_threads)
            mounted = application.state.console_mounted
        else:
            os.environ["PRIVACYBOT_SERVE_CONSOLE"] = "1" if console else "0"
            os.environ["PRIVACYBOT_SERVE_ENGINE_THREADS"] = str(engine_threads)
            try:
                import ui.console  # noqa: F401

                mounted = console
            except ModuleNotFoundError:
                mounted = False
            application = "ui.server:app_from_env"
        typer.echo(f"privacybot is serving ({workers} worker{'s' if workers > 1 else ''}, "
                   f"retention {settings.retention_days} days):")
        for line in _urls(settings.host, settings.port, mounted):
            typer.echo(line)
        typer.echo("Stop with Ctrl+C.")
        if workers == 1:
            uvicorn.run(application, **common)
        else:
            uvicorn.run(application, factory=True, workers=workers, **common)

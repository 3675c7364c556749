"""`privacybot serve [--host H] [--port P] [--workers N] [--engine-threads N] [--torch-threads N]
[--no-console]`: the HTTP API, the widget (/widget.js), the demo page (/demo) and the staff
console (/console, when installed).

Defaults (measured with `python -m evals.bench_load` on a 2-core machine): one worker, 4 engine
threads, 1 math-library thread. One worker holds the models once (~1.0 GB RSS); each extra
worker is another ~1.0-1.3 GB, and rate limits are per worker (N workers allow N times the
configured rate). Conversation writes go to a background writer (group commit); Ctrl+C flushes it.

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


def _check_index(settings) -> None:
    """Multi-worker parent: the same clear errors as `_warm` (no index, damaged index) without
    loading models the parent never uses (each worker loads its own)."""
    from knowledge import store as kb_store

    kb = settings.kb
    kb_store.verify(kb_store.resolve_build(settings.kb_dir(kb), kb, settings.kb), kb)


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
        engine_threads: int = typer.Option(4, "--engine-threads", min=1, max=32,
                                           help="Questions answered at once per worker (CPU-bound: ~cores)."),
        torch_threads: int = typer.Option(1, "--torch-threads", min=1, max=32,
                                          help="Math-library threads per worker (torch intra-op, OpenMP)."),
    ) -> None:
        """Start the API, the widget, the demo page and the staff console."""
        import os

        import uvicorn

        from bot.logsafe import configure_logging, uvicorn_log_config
        from bot.settings import load_settings
        from bot.store.retention import start_daily_purge
        from ui.server import limit_threads

        os.environ["PRIVACYBOT_SERVE_TORCH_THREADS"] = str(torch_threads)
        os.environ.setdefault("OMP_NUM_THREADS", str(torch_threads))  # inherited by worker processes
        limit_threads(torch_threads)
        settings = load_settings(host=host, port=port)
        configure_logging(settings.log_level)
        if workers == 1:
            typer.echo("Loading the index and models…")
            engine, store = _warm(settings)
        else:  # each worker loads its own copy (~1 GB each); the parent only checks the index
            _check_index(settings)
            from bot.store import open_safe_store

            engine, store = None, open_safe_store(settings)

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

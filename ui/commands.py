"""The `serve` and `console` commands (plugins: pyproject.toml `privacybot.commands`).

`privacybot serve [--host H] [--port P] [--workers N] [--engine-threads N] [--torch-threads N]
[--no-console]`: the HTTP API, the widget (/widget.js), the demo page (/demo), the policy pages
(/policy/<kb>), the API docs (/docs, offline) and the staff console (/console).

Defaults (measured with `python -m evals.bench_load` on a 2-core machine): one worker, 4 engine
threads, 1 math-library thread. One worker holds the models once (~1.0 GB RSS) per knowledge
base; each extra worker is another copy, and rate limits are per worker. Conversation writes go
to a background writer (group commit); Ctrl+C flushes it.

Checks every site's index first (clear error: run `privacybot ingest --kb NAME`), configures
leak-proof logging (no bodies, query strings or client addresses), loads the models before
accepting requests, starts the daily retention purge, prints the URLs, then runs uvicorn with
slow-client timeouts (headers, keep-alive; bodies are timed in the app) and without uvicorn's
own X-Forwarded-For handling (the app honours only the sites file's `server.trusted_proxies`).

`privacybot console [--host H] [--port P]`: the staff console alone, behind the same security
gate as under `serve` (same-origin only, strict cookies, login back-off, security headers).
"""

from __future__ import annotations

import typer


def _warm(settings, kbs: list[str]):
    """Load index, guard and models of every knowledge base the sites use; returns the default
    kb's engine. Raises IndexMissingError (with the fix) when an index is missing."""
    from bot.factory import get_engine

    first = None
    for kb in kbs:
        engine = get_engine(settings, kb=kb)
        _ = engine.retriever  # IndexMissingError / IndexCorruptError say how to fix
        engine.warm_up()  # models loaded and one question answered (not recorded)
        if first is None or kb == settings.kb:
            first = engine
    return first


def _check_indexes(settings, kbs: list[str]) -> None:
    """Multi-worker parent: the same clear errors as `_warm` without loading models."""
    from knowledge import store as kb_store

    for kb in kbs:
        kb_store.verify(kb_store.resolve_build(settings.kb_dir(kb), kb), kb)


def _urls(host: str, port: int, console: bool, kbs: list[str]) -> list[str]:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    return [
        f"  API        {base}/api  (docs: {base}/docs, health: {base}/readyz, metrics: {base}/metrics)",
        f"  Widget     {base}/widget.js  (embed: <script src=\"{base}/widget.js\" data-site=\"ece\" defer>)",
        f"  Demo page  {base}/demo",
        "  Policies   " + ", ".join(f"{base}/policy/{kb}" for kb in kbs),
        f"  Console    {base}/console" if console else "  Console    off (--no-console)",
    ]


def register_serve(app: typer.Typer) -> None:
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
        """Start the API, the widget, the demo page, the policy pages and the staff console."""
        import os

        import uvicorn

        from bot.logsafe import configure_logging
        from bot.settings import load_settings
        from bot.store.retention import start_daily_purge
        from ui.server import limit_threads
        from ui.sites import load_sites

        os.environ["PRIVACYBOT_SERVE_TORCH_THREADS"] = str(torch_threads)
        os.environ.setdefault("OMP_NUM_THREADS", str(torch_threads))  # inherited by worker processes
        limit_threads(torch_threads)
        settings = load_settings(host=host, port=port)
        configure_logging(settings.log_level)
        sites = load_sites(settings.sites_file)
        kbs = sites.kbs(settings.kb)
        if console:  # fail fast (weak or missing password) before loading models
            from ui.console_auth import console_auth

            console_auth(settings)
        if workers == 1:
            typer.echo("Loading the index and models…")
            engine = _warm(settings, kbs)
            store = engine.store
        else:  # each worker loads its own copy (~1 GB each); the parent only checks the indexes
            _check_indexes(settings, kbs)
            from bot.store import open_safe_store

            engine, store = None, open_safe_store(settings)

        from ui.server import create_app

        if store is not None:
            start_daily_purge(store, settings.retention_days)
        from ui.http_timeouts import uvicorn_options

        options = uvicorn_options(settings, sites)
        if workers == 1:
            application = create_app(settings, engine=engine, store=store, sites=sites, console=console,
                                     engine_concurrency=engine_threads)
            mounted = application.state.console_mounted
        else:
            os.environ["PRIVACYBOT_SERVE_CONSOLE"] = "1" if console else "0"
            os.environ["PRIVACYBOT_SERVE_ENGINE_THREADS"] = str(engine_threads)
            mounted = console
            application = "ui.server:app_from_env"
        typer.echo(f"privacybot is serving ({workers} worker{'s' if workers > 1 else ''}, "
                   f"retention {settings.retention_days} days):")
        for line in _urls(settings.host, settings.port, mounted, kbs):
            typer.echo(line)
        typer.echo("Stop with Ctrl+C.")
        if workers == 1:
            uvicorn.run(application, **options)
        else:
            uvicorn.run(application, factory=True, workers=workers, **options)


def register_console(app: typer.Typer) -> None:
    @app.command("console")
    def console(
        host: str = typer.Option(None, "--host", help="Interface to listen on (default: PRIVACYBOT_HOST, 127.0.0.1)."),
        port: int = typer.Option(7860, "--port", min=1, max=65535, help="Port to listen on."),
    ) -> None:
        """Start the staff console alone (needs-attention queue, conversations, chat with trace,
        guard tester, evaluation). `privacybot serve` also mounts it at /console."""
        from bot.logsafe import configure_logging
        from bot.settings import get_settings
        from ui.console_app import serve_console
        from ui.console_auth import console_auth

        settings = get_settings()
        configure_logging(settings.log_level)
        console_auth(settings)  # fail fast (weak or missing password) before loading models
        from bot.factory import get_engine

        typer.echo("Loading the index and models…", err=True)
        engine = get_engine(settings)
        _ = engine.retriever  # IndexMissingError says: run `privacybot ingest`
        engine.guard.inspect("warm up", lang="en")
        serve_console(settings, host=host or settings.host, port=port, engine=engine, block=True)

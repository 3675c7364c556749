"""`privacybot ingest [--source FILE] [--kb NAME] [--force]`: build or refresh a knowledge base."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        source: Path = typer.Option(None, "--source", help="Policy file (.txt, .md, .html). Default: the bundled OMNES policy."),
        kb: str = typer.Option(None, "--kb", help="Knowledge base name (default: settings.kb, or the file name)."),
        force: bool = typer.Option(False, "--force", help="Rebuild even if the content did not change."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    ) -> None:
        """Parse, chunk, embed and index a privacy policy (idempotent: same content, no rebuild)."""
        from knowledge.index import ingest

        report = ingest(source=source, kb=kb, progress=not quiet, force=force)
        if report.rebuilt:
            typer.echo(f"Built knowledge base '{report.kb}': {report.chunks} chunks "
                       f"({report.parser} parser) in {report.seconds:.1f} s.")
        else:
            typer.echo(f"Knowledge base '{report.kb}' is up to date ({report.chunks} chunks); nothing to do.")

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
        profile: str = typer.Option(None, "--profile", help="Policy profile (a name in knowledge/profiles or a "
                                    ".yaml path). Default: the first whose layout matches, else generic."),
    ) -> None:
        """Parse, chunk, embed and index a privacy policy (idempotent: same content, no rebuild)."""
        from bot.settings import get_settings
        from knowledge.index import ingest

        settings = get_settings()
        report = ingest(source=source, kb=kb, root=settings.home / "kb", default_kb=settings.kb, profile=profile,
                        public_data=_public_data, chroma_url=settings.chroma_url, progress=not quiet, force=force)
        if report.rebuilt:
            typer.echo(f"Built knowledge base '{report.kb}': {report.chunks} chunks, {report.units} answer units "
                       f"({report.profile} profile, {report.parser} parser) in {report.seconds:.1f} s.")
        else:
            typer.echo(f"Knowledge base '{report.kb}' is up to date ({report.units} answer units); nothing to do.")



def _public_data(text: str) -> list[str]:
    """What the policy publishes (contacts, addresses, names) as the guard finds it, so the guard
    leaves those exact strings alone when a visitor quotes them back."""
    from guards.guard import get_guard

    return sorted(get_guard().public_strings(text))

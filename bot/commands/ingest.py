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


# What the policy publishes and visitors may quote back: contacts, addresses, names (never special
# categories or secrets). Found by the guard itself, so "public" means "what the guard would redact".
PUBLIC_KINDS = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON", "STREET_ADDRESS", "LOCATION", "URL",
                          "ID_NUMBER", "ORGANIZATION", "NRP"})


def _public_data(text: str) -> list[str]:
    from guards.guard import get_guard

    guard = get_guard()
    found: list[str] = []
    for start in range(0, len(text), 4000):  # paragraph-sized pieces keep the guard's cost bounded
        piece = text[start:start + 4000]
        for f in guard.inspect(piece, lang="en").findings:
            if f.entity in PUBLIC_KINDS:
                found.append(piece[f.start:f.end])
    return sorted(set(found))

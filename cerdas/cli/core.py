"""The ``cerdas`` command: thin Click commands over the library, one error boundary.

Each command parses its arguments, calls one library function and prints what it returns. A
:class:`~cerdas.errors.CerdasError` becomes ``Error: <one line>`` and exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from cerdas import __version__
from cerdas.errors import CerdasError
from cerdas.pipeline import Context
from cerdas.report import Progress
from cerdas.workspace import Workspace, find_workspace


class TerminalProgress:
    """A one-line progress bar on stderr (redrawn in place on a terminal, every 10 % otherwise)."""

    def __init__(self, label: str, total: float, unit: str, stream: TextIO) -> None:
        self.label, self.total, self.unit, self.stream = label, max(total, 0.0), unit, stream
        self.tty = stream.isatty()
        self.last_step = -1
        self.last_draw = 0.0
        self.started = time.monotonic()

    def _fmt(self, value: float) -> str:
        if self.unit == "B":
            return f"{value / 1e6:.1f} MB"
        return f"{int(value // 60)}:{int(value % 60):02d}"

    def update(self, done: float) -> None:
        fraction = min(done / self.total, 1.0) if self.total > 0 else 0.0
        if self.tty:
            now = time.monotonic()
            if now - self.last_draw < 0.1 and fraction < 1.0:
                return
            self.last_draw = now
            filled = int(fraction * 30)
            self.stream.write(
                f"\r{self.label:<20} [{'#' * filled}{'.' * (30 - filled)}] {fraction * 100:5.1f}% "
                f"{self._fmt(done)}/{self._fmt(self.total)}"
            )
            self.stream.flush()
        else:
            step = int(fraction * 10)
            if step > self.last_step:
                self.last_step = step
                self.stream.write(f"{self.label}: {step * 10}%\n")

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()


class ClickReporter:
    """Messages to stderr (stdout stays for results); ``quiet`` hides info and progress."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def warn(self, message: str) -> None:
        click.secho(f"Warning: {message}", err=True, fg="yellow")

    def progress(self, label: str, total: float, unit: str = "s") -> Progress:
        if self.quiet:
            from cerdas.report import NullReporter

            return NullReporter().progress(label, total, unit)
        return TerminalProgress(label, total, unit, sys.stderr)


class CerdasGroup(click.Group):
    """The one error boundary: library errors become one line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CerdasError as exc:
            raise click.ClickException(str(exc)) from exc


def _checked_title(value: str) -> str:
    """A usage error (exit 2) for an empty, too long or garbled ``--title``, before any work."""
    from cerdas.episode import check_title

    try:
        return check_title(value)
    except CerdasError as exc:
        raise click.BadParameter(str(exc), param_hint="'--title'") from exc


def _context(ctx: click.Context, **flags: Any) -> Context:
    """Find the workspace, read its settings once and build the library context."""
    obj = ctx.ensure_object(dict)
    workspace: Workspace = obj.get("workspace") or find_workspace()
    return Context(workspace=workspace, settings=workspace.settings(), reporter=obj["reporter"], **flags)


@click.group(cls=CerdasGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cerdas")
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder (default: the nearest folder upwards holding cerdas.toml).",
)
@click.option("--quiet", "-q", is_flag=True, help="Only results and errors; no progress.")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, quiet: bool) -> None:
    """Cerdas: produce and publish a podcast from a raw interview recording."""
    obj = ctx.ensure_object(dict)
    obj["reporter"] = ClickReporter(quiet)
    if workspace is not None:
        if not (workspace / "cerdas.toml").is_file() and ctx.invoked_subcommand != "init":
            raise click.BadParameter(f"{workspace} holds no cerdas.toml", param_hint="--workspace")
        obj["workspace"] = Workspace(workspace.resolve())


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="The show's title (default: the folder's name).")
@click.option("--description", default="", help="One or two sentences about the show.")
@click.option("--author", default="", help="Author / publisher (default: the title).")
@click.option("--email", default="", help="Owner e-mail for Apple and Spotify.")
@click.pass_context
def init(
    ctx: click.Context, directory: Path | None, title: str | None, description: str, author: str, email: str
) -> None:
    """Create a workspace: cerdas.toml, episodes/, transcripts/, feed/ and placeholder artwork."""
    from cerdas.workspace import default_title, init_workspace

    root = directory or ctx.obj.get("workspace", Workspace(Path.cwd())).root
    ws = init_workspace(root, title if title is not None else default_title(root), description, author, email)
    click.echo(f"Workspace ready: {ws.root}")
    click.echo(f"Edit {ws.config.name}, then: cerdas publish RECORDING --title '...'")


def _publish_at(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """``--publish-at``: an ISO 8601 moment; a bad one is a usage error."""
    from cerdas.feed.rss import parse_when

    try:
        return parse_when(value) if value else None
    except CerdasError as exc:
        raise click.BadParameter(str(exc)) from exc


@cli.command()
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--title",
    required=True,
    callback=lambda _c, _p, value: _checked_title(value),
    help="Episode title (also the ID3 title and the YouTube title).",
)
@click.option("--number", type=click.IntRange(min=0), help="Episode number (default: the next one).")
@click.option("--description", help="Show notes (plain text or simple HTML).")
@click.option("--guest", "guests", multiple=True, help="A guest's name; repeat for several.")
@click.option(
    "--chapters",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Chapters: 'HH:MM:SS title' lines or Podcasting 2.0 chapters JSON.",
)
@click.option("--cover", type=click.Path(path_type=Path, dir_okay=False), help="Episode cover image.")
@click.option("--slug", help="Folder name of the episode (default: from the title).")
@click.option("--no-youtube", is_flag=True, help="Do not upload to YouTube this time.")
@click.option(
    "--draft/--no-draft",
    default=None,
    help="Keep the episode out of the feed and site (--no-draft publishes a draft, dated now).",
)
@click.option(
    "--publish-at",
    "publish_at",
    metavar="DATETIME",
    callback=_publish_at,
    help="Show it in the feed and site from this moment (2025-07-01T09:00, local time unless +07:00).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing, upload nothing.")
@click.option("--force", is_flag=True, help="Redo every stage even when its inputs are unchanged.")
@click.pass_context
def publish(
    ctx: click.Context,
    source: Path,
    title: str,
    number: int | None,
    description: str | None,
    guests: tuple[str, ...],
    chapters: Path | None,
    cover: Path | None,
    slug: str | None,
    no_youtube: bool,
    draft: bool | None,
    publish_at: datetime | None,
    dry_run: bool,
    force: bool,
) -> None:
    """Turn SOURCE (any audio or video ffmpeg reads) into a published episode."""
    from cerdas.publish import PublishRequest
    from cerdas.publish import publish as do_publish

    context = _context(ctx, force=force, dry_run=dry_run, youtube=not no_youtube)
    request = PublishRequest(
        source=source,
        title=title,
        number=number,
        description=description,
        guests=list(guests) if guests else None,
        chapters_file=chapters,
        cover=cover,
        slug=slug,
        draft=draft,
        publish_at=publish_at,
    )
    result = do_publish(request, context)
    episode = result.episode
    click.echo(f"{'Would publish' if dry_run else 'Published'}: {episode.slug}")
    for report in result.reports:
        click.echo(f"  {report.name:<11} {report.status:<9} {report.summary}")
    loud = episode.stages.get("loudness")
    if loud and not dry_run:
        before, after = loud.data["before"], loud.data["after"]
        click.echo(
            f"  loudness    {before['integrated_lufs']:.1f} LUFS -> {after['integrated_lufs']:.1f} LUFS, "
            f"true peak {after['true_peak_dbtp']:.1f} dBTP"
        )
    tag = episode.output("tag", "mp3")
    if tag and not dry_run:
        click.echo(f"  audio       {tag}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per episode.")
@click.pass_context
def episodes(ctx: click.Context, as_json: bool) -> None:
    """List the episodes with their state."""
    from cerdas.episode import list_episodes

    context = _context(ctx)
    for ep in list_episodes(context.workspace):
        done = [name for name in ep.stages]
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "slug": ep.slug,
                        "number": ep.number,
                        "title": ep.title,
                        "stages": done,
                        "draft": ep.draft,
                        "pub_date": ep.pub_date,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            state = "draft" if ep.draft else ("published" if "tag" in ep.stages else "incomplete")
            number = f"{ep.number:>3}" if ep.number is not None else "  -"
            click.echo(f"{number}  {ep.slug:<40} {state:<10} {', '.join(done)}")

"""``cerdas init``, ``cerdas publish`` and ``cerdas episodes``: the producer's everyday commands."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cerdas.cli.core import cli, library_context
from cerdas.errors import CerdasError
from cerdas.workspace import Workspace

if TYPE_CHECKING:
    from cerdas.episode import Episode
    from cerdas.publish import PublishResult


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="The show's title (default: the folder's name).")
@click.option("--description", default="", help="One or two sentences about the show.")
@click.option("--author", default="", help="Author / publisher (default: the title).")
@click.option(
    "--email",
    default=None,
    help="Owner e-mail: Apple and Spotify send ownership checks there, podcast:locked names it (asked for on a "
    "terminal).",
)
@click.pass_context
def init(
    ctx: click.Context, directory: Path | None, title: str | None, description: str, author: str, email: str | None
) -> None:
    """Create a workspace: cerdas.toml, episodes/, transcripts/, feed/ and placeholder artwork."""
    from cerdas.workspace import default_title, init_workspace

    root = directory or ctx.obj.get("workspace", Workspace(Path.cwd())).root
    if email is None:
        email = _ask_email() if sys.stdin.isatty() else ""
    ws = init_workspace(root, title if title is not None else default_title(root), description, author, email)
    click.echo(f"Workspace ready: {ws.root}")
    if not email:
        click.echo("No owner e-mail: the feed is not locked (podcast:locked); set show.owner_email and locked = true")
    click.echo(f"Edit {ws.config.name}, then: cerdas publish RECORDING --title '...'")


def _ask_email() -> str:
    """The owner e-mail, asked for on a terminal (empty: none yet)."""
    from cerdas.settings import EMAIL

    def check(value: str) -> str:
        value = value.strip()
        if value and not EMAIL.match(value):
            raise click.BadParameter(f"{value!r} is not an e-mail address")
        return value

    return str(
        click.prompt(
            "Owner e-mail (Apple, Spotify, podcast:locked; empty: later)",
            default="",
            show_default=False,
            value_proc=check,
        )
    )


def _checked_title(value: str) -> str:
    """A usage error (exit 2) for an empty, too long or garbled ``--title``, before any work."""
    from cerdas.episode import check_title

    try:
        return check_title(value)
    except CerdasError as exc:
        raise click.BadParameter(str(exc), param_hint="'--title'") from exc


def _publish_at(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """``--publish-at``: an ISO 8601 moment; a bad one is a usage error."""
    from cerdas.episode import parse_when

    try:
        return parse_when(value) if value else None
    except CerdasError as exc:
        raise click.BadParameter(str(exc)) from exc


@cli.command()
@click.argument(
    "sources", metavar="SOURCE...", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
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
    "--speaker",
    "speakers",
    multiple=True,
    help="A speaker's name, in the order they first speak (one per track for several files); repeat.",
)
@click.option(
    "--speakers",
    "speaker_count",
    type=click.IntRange(1, 10),
    help="How many voices the recording has (default: estimated, at most [speakers] max).",
)
@click.option(
    "--channels-are-speakers",
    is_flag=True,
    help="SOURCE is stereo with one person on each channel (left first).",
)
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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: the slug and each stage's result.")
@click.pass_context
def publish(
    ctx: click.Context,
    sources: tuple[Path, ...],
    title: str,
    number: int | None,
    description: str | None,
    guests: tuple[str, ...],
    speakers: tuple[str, ...],
    speaker_count: int | None,
    channels_are_speakers: bool,
    chapters: Path | None,
    cover: Path | None,
    slug: str | None,
    no_youtube: bool,
    draft: bool | None,
    publish_at: datetime | None,
    dry_run: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Turn SOURCE (any audio or video ffmpeg reads) into a published episode.

    Several SOURCE files are a multitrack recording: one file per speaker, the same length, named in order by
    --speaker.
    """
    from cerdas.publish import PublishRequest
    from cerdas.publish import publish as do_publish

    if channels_are_speakers and len(sources) > 1:
        raise click.UsageError("--channels-are-speakers takes one stereo SOURCE, not several files")
    context = library_context(ctx, force=force, dry_run=dry_run, youtube=not no_youtube)
    request = PublishRequest(
        source=sources[0],
        tracks=list(sources) if len(sources) > 1 else None,
        channels_are_speakers=channels_are_speakers,
        speakers=list(speakers) if speakers else None,
        speaker_count=speaker_count,
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
    _show(result, dry_run, as_json)


def _show(result: PublishResult, dry_run: bool, as_json: bool) -> None:
    """What publish prints: one JSON object, or the slug, each stage and the loudness."""
    if as_json:
        click.echo(json.dumps(result.summary(), ensure_ascii=False, indent=2))
        return
    episode = result.episode
    click.echo(f"{'Would publish' if dry_run else 'Published'}: {episode.slug}")
    for report in result.reports:
        click.echo(f"  {report.name:<11} {report.status:<9} {report.summary}")
    loudness = result.loudness()
    if loudness and not dry_run:
        click.echo(f"  loudness    {loudness}")
    tag = episode.published_audio
    if tag and not dry_run:
        click.echo(f"  audio       {tag}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per episode.")
@click.pass_context
def episodes(ctx: click.Context, as_json: bool) -> None:
    """List the episodes: number, slug, title, state (draft, incomplete, scheduled, published, feed failed) and
    what needs attention (a transcript with gaps, a publish that stopped). An episode whose journal cannot be read
    is named, exit status 1."""
    from cerdas.episode import list_episodes

    context = library_context(ctx)
    broken: dict[str, CerdasError] = {}
    listed = list_episodes(context.workspace, broken=broken)
    if as_json:
        for ep in listed:
            line: dict[str, Any] = {
                "slug": ep.slug,
                "number": ep.number,
                "title": ep.title,
                "state": ep.state(),
                "stages": list(ep.stages),
                "draft": ep.draft,
                "pub_date": ep.pub_date,
                "feed_problem": ep.feed_problem.reason if ep.feed_problem else None,
                "transcript_gaps": [{"start": g.start, "end": g.end} for g in ep.transcript_gaps],
            }
            click.echo(json.dumps(line, ensure_ascii=False))
    elif listed:
        rows = [("#", "episode", "title", "state", "notes"), *(_episode_row(ep) for ep in listed)]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = [
                row[0].rjust(widths[0]),
                *(cell.ljust(width) for cell, width in zip(row[1:4], widths[1:], strict=True)),
            ]
            click.echo("  ".join([*cells, row[4]]).rstrip())
    elif not broken:
        click.echo("No episodes yet: cerdas publish RECORDING --title '...'")
    for _slug, error in sorted(broken.items()):
        click.secho(f"Error: {error}", err=True, fg="red")
    if broken:
        ctx.exit(1)


TITLE_WIDTH = 40


def _episode_row(ep: Episode) -> tuple[str, str, str, str, str]:
    """One line of ``cerdas episodes``: number, slug, title (shortened), state, notes."""
    from cerdas.notes import truncate

    state = ep.state()
    notes = []
    if state == "feed failed":
        notes.append(ep.state_text())  # "feed failed: <reason>", as the feed build recorded it
    if state == "scheduled":
        notes.append(f"appears {ep.published_at().strftime('%Y-%m-%d %H:%M %z')}")
    elif state == "incomplete":
        notes.append(f"stopped after {list(ep.stages)[-1]}" if ep.stages else "not processed")
    gaps = ep.transcript_gaps
    if gaps:
        seconds = sum(g.seconds for g in gaps)
        notes.append(f"transcript has gaps ({len(gaps)}, {seconds:.0f} s marked [inaudible])")
    number = str(ep.number) if ep.number is not None else "-"
    return number, ep.slug, truncate(ep.title, TITLE_WIDTH), state, "; ".join(notes)

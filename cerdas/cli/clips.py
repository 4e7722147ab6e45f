"""``cerdas clip`` and ``cerdas clips``: short captioned videos of an episode's moments, and the list of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cerdas.chapters import format_timestamp
from cerdas.cli.core import cli, library_context
from cerdas.notes import strip_control


@cli.command()
@click.argument("slug")
@click.option("--start", "-s", metavar="T", default="", help="Start: seconds, MM:SS or HH:MM:SS (with --end).")
@click.option("--end", "-e", metavar="T", default="", help="End (a clip is 5 to 90 s; snapped to whole words).")
@click.option("--quote", "-q", metavar="TEXT", default="", help="Words said: the clip is the sentence(s) around them.")
@click.option(
    "--suggest",
    type=click.IntRange(1, 50),
    is_flag=False,
    flag_value=5,
    default=None,
    metavar="[N]",
    help="Propose N moments (default 5) with their text and why; renders nothing.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["vertical", "square", "landscape"]),
    default="vertical",
    show_default=True,
    help="1080×1920 (Reels, Shorts, TikTok, WhatsApp status), 1080×1080 or 1920×1080.",
)
@click.option("--title", "-t", default="", help="The clip's title (default: the episode's).")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="The MP4 to write.")
@click.option("--no-captions", is_flag=True, help="No burned-in captions (the SRT and VTT are still written).")
@click.option("--youtube-short", is_flag=True, help="Upload the (vertical, ≤ 60 s) clip to YouTube as a Short.")
@click.option("--dry-run", is_flag=True, help="With --youtube-short: say what would be uploaded; send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (a JSON list with --suggest).")
@click.pass_context
def clip(
    ctx: click.Context,
    slug: str,
    start: str,
    end: str,
    quote: str,
    suggest: int | None,
    fmt: str,
    title: str,
    out: Path | None,
    no_captions: bool,
    youtube_short: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Make a short captioned video of a moment of episode SLUG.

    \b
      cerdas clip SLUG --start 12:05 --end 12:40
      cerdas clip SLUG --quote "gratifikasi wajib dilaporkan"
      cerdas clip SLUG --suggest 5
      cerdas clip SLUG --quote "..." --youtube-short
    Written to episodes/SLUG/clips/ (or --out) with its .srt and .vtt beside it, at -14 LUFS.
    """
    if suggest is not None:
        if start or end or quote or youtube_short:
            raise click.UsageError("--suggest proposes moments; give it without --start/--end/--quote/--youtube-short")
        _suggest(ctx, slug, suggest, as_json)
        return
    _check_usage(start, end, quote, fmt, youtube_short, dry_run)
    from cerdas.clips.make import ClipRequest, make_clip

    lib = library_context(ctx)
    request = ClipRequest(slug, start, end, quote, fmt, title, out, not no_captions)
    if youtube_short:
        from cerdas.clips.short import check_short

        check_short(lib, request, dry_run)  # before rendering: a Short's limits, the sign-in
    result = make_clip(lib, request)
    data = _clip_data(slug, result)
    if youtube_short:
        from cerdas.clips.short import upload_short

        data["youtube_short"] = upload_short(lib, slug, result.record, dry_run)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    ws = lib.workspace
    click.echo(
        f"{ws.relative(result.video)}  {format_timestamp(result.record.start)}-{format_timestamp(result.record.end)} "
        f"({result.span.duration:.1f} s, {fmt}), {result.record.lufs:.1f} LUFS / {result.record.true_peak:.1f} dBTP"
    )
    click.echo(f"  captions: {ws.relative(result.srt)}, {ws.relative(result.vtt)}")
    click.echo(f'  "{strip_control(result.span.text)}"')
    for line in data.get("youtube_short", {}).get("steps", []):
        click.echo(f"  YouTube: {strip_control(line)}")
    click.echo("  the feed carries it as a soundbite from the next 'cerdas feed' or publish")


def _check_usage(start: str, end: str, quote: str, fmt: str, youtube_short: bool, dry_run: bool) -> None:
    if quote and (start or end):
        raise click.UsageError("give either --quote or --start/--end, not both")
    if not quote and not (start and end):
        raise click.UsageError("say which moment: --start T --end T, --quote TEXT, or --suggest")
    if youtube_short and fmt != "vertical":
        raise click.UsageError("a YouTube Short is vertical: leave out --format")
    if dry_run and not youtube_short:
        raise click.UsageError("--dry-run goes with --youtube-short")


def _clip_data(slug: str, result: Any) -> dict[str, Any]:
    """What ``--json`` prints about a made clip (``result``: a :class:`cerdas.clips.make.ClipResult`)."""
    return {
        "episode": slug,
        "start": result.record.start,
        "end": result.record.end,
        "duration": round(result.span.duration, 3),
        "title": result.record.title,
        "format": result.record.format,
        "speaker": result.record.speaker,
        "text": result.span.text,
        "video": str(result.video),
        "srt": str(result.srt),
        "vtt": str(result.vtt),
        "lufs": result.record.lufs,
        "true_peak": result.record.true_peak,
        "render_seconds": round(result.seconds, 2),
    }


def _suggest(ctx: click.Context, slug: str, n: int, as_json: bool) -> None:
    from cerdas.clips.make import episode_words
    from cerdas.clips.suggest import suggest
    from cerdas.episode import load_episode

    lib = library_context(ctx)
    load_episode(lib.workspace, slug)
    found = suggest(episode_words(lib.workspace, slug), lib.settings.whisper.vocabulary, n)
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("No moment of 15-60 s of whole sentences by one speaker was found.")
        return
    for i, c in enumerate(found, 1):
        click.echo(
            f"{i}. {format_timestamp(c.start)}-{format_timestamp(c.end)} ({c.duration:.0f} s)"
            f"{'  ' + strip_control(c.speaker) if c.speaker else ''}  score {c.score:.1f}: {', '.join(c.reasons)}"
        )
        click.echo(f'   "{strip_control(c.text)}"')
        click.echo(f"   cerdas clip {slug} --start {c.start:.2f} --end {c.end:.2f}")


@cli.command()
@click.argument("slug", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per clip, one per line.")
@click.pass_context
def clips(ctx: click.Context, slug: str | None, as_json: bool) -> None:
    """List the clips made of episode SLUG (or of every episode)."""
    from cerdas.clips.journal import list_clips

    lib = library_context(ctx)
    listed = list_clips(lib.workspace, slug)
    if not listed and not as_json:
        click.echo("No clips yet (make one with 'cerdas clip SLUG --quote ...').")
    for item in listed:
        c = item.clip
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "episode": item.episode.slug,
                        "start": c.start,
                        "end": c.end,
                        "duration": round(c.duration, 3),
                        "title": c.title,
                        "format": c.format,
                        "speaker": c.speaker,
                        "files": c.files,
                        "present": item.present,
                        "created": c.created,
                        "lufs": c.lufs,
                        "true_peak": c.true_peak,
                        "youtube_short": c.short_id or None,
                    },
                    ensure_ascii=False,
                )
            )
            continue
        missing = "" if item.present else "  (file missing)"
        short = f"  Short {c.short_id}" if c.short_id else ""
        click.echo(
            f"{item.episode.slug}  {format_timestamp(c.start)}-{format_timestamp(c.end)} ({c.duration:.1f} s, "
            f"{c.format})  {strip_control(c.title)}  {c.files.get('video', '')}{missing}{short}"
        )

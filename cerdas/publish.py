"""``publish``: validate everything, find or create the episode, then run the ordered stage list.

The stage list is explicit (beets' importer pipeline is the model): each stage decides from its inputs'
fingerprint whether it is current, so re-running publish does nothing twice.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cerdas.artwork import open_image
from cerdas.chapters import format_timestamp, load_chapters
from cerdas.episode import (
    EPISODE_FILE,
    Chapter,
    Episode,
    check_title,
    list_episodes,
    load_episode,
    now_iso,
    save_episode,
    slugify,
)
from cerdas.errors import CerdasError, WorkspaceError
from cerdas.feed.build import FeedStage
from cerdas.feed.rules import check_show_artwork
from cerdas.fsutil import atomic_copy, sha256_file
from cerdas.media.ffmpeg import FFmpeg
from cerdas.media.ingest import IngestStage, check_source
from cerdas.media.loudness import LoudnessStage
from cerdas.media.tags import TagStage
from cerdas.pipeline import Context, Stage, StageReport, run_pipeline
from cerdas.search.index import SearchStage
from cerdas.transcribe.stage import TranscribeStage
from cerdas.workspace import Workspace
from cerdas.youtube.stage import YouTubeStage


@dataclass
class PublishRequest:
    """What the producer asked for. ``None`` means "keep what the episode already has"."""

    source: Path
    title: str
    number: int | None = None
    description: str | None = None
    guests: list[str] | None = None
    chapters_file: Path | None = None
    cover: Path | None = None
    slug: str | None = None
    draft: bool | None = None  # kept out of the feed and site while true
    publish_at: datetime | None = None  # the feed and site show it from then (pub_date)


@dataclass
class PublishResult:
    episode: Episode
    created: bool
    reports: list[StageReport] = field(default_factory=list)


def build_stages(ctx: Context, ff: FFmpeg | None = None) -> list[Stage]:
    """The publish stages in order. Later issues append transcription, YouTube, feed/site and search."""
    ff = ff or FFmpeg()
    return [
        IngestStage(ff),
        LoudnessStage(ff),
        TagStage(),
        TranscribeStage.for_publish(ctx),  # checks the Whisper model and language now, before any work
        YouTubeStage(ff, ctx),  # after the transcript (captions); checks the sign-in before any stage runs
        FeedStage(),  # feed + site: after YouTube, whose link it shows
        SearchStage(),  # last: indexes the finished episode (hand-corrected transcript, YouTube link)
    ]


def find_episode_for(ctx: Context, sha: str, slug: str | None, title: str) -> Episode | None:
    """The episode a publish continues: by ``--slug``, else by the same recording, else by the title's slug."""
    ws = ctx.workspace
    if slug:
        ws.episode_dir(slug)  # refuses slugs that would leave the workspace
        path = ws.episode_dir(slug) / "episode.toml"
        return load_episode(ws, slug) if path.exists() else None
    episodes = list_episodes(ws)
    for episode in episodes:
        if episode.source_sha256 == sha:
            return episode
    by_title = slugify(title)
    return next((e for e in episodes if e.slug == by_title), None)


def _new_slug(ctx: Context, title: str, slug: str | None) -> str:
    base = slug or slugify(title)
    candidate, n = base, 2
    while (ctx.workspace.episode_dir(candidate) / "episode.toml").exists():
        candidate, n = f"{base}-{n}", n + 1
    ctx.workspace.episode_dir(candidate)
    return candidate


def publish(request: PublishRequest, ctx: Context, stages: list[Stage] | None = None) -> PublishResult:
    """Check every input, then run the stages on the (new or existing) episode. Source files are only read."""
    ws = ctx.workspace
    title = check_title(request.title)
    source = request.source.expanduser().resolve()
    probe = check_source(source)
    chapters: list[Chapter] | None = load_chapters(request.chapters_file) if request.chapters_file else None
    if chapters and request.chapters_file is not None:
        check_chapters_fit(chapters, probe.duration, request.chapters_file)
    if request.cover is not None:
        open_image(request.cover.expanduser())
    if request.number is not None and request.number < 0:
        raise CerdasError(f"episode number must be 0 or more, not {request.number}")
    if request.slug is not None and slugify(request.slug) != request.slug:
        raise WorkspaceError(f"slug {request.slug!r} must be lower-case letters, digits and '-'", ws.episodes_dir)
    if not ctx.settings.artwork_path.is_file() and request.cover is None:
        raise CerdasError("show artwork not found (set 'show.artwork' in cerdas.toml)", ctx.settings.artwork_path)
    check_show_artwork(ctx.settings)  # the feed needs Apple-valid artwork: refuse before any encoding
    # stages check their own prerequisites (Whisper model, sign-in) when built: before any episode file is written
    stages = stages if stages is not None else build_stages(ctx)

    with ws.lock() if not ctx.dry_run else contextlib.nullcontext():  # a dry run reads, never writes
        sha = sha256_file(source)
        episode = find_episode_for(ctx, sha, request.slug, title)
        created = episode is None
        if episode is None:
            existing = [e.number for e in list_episodes(ws) if e.number is not None]
            episode = Episode(
                slug=_new_slug(ctx, title, request.slug),
                title=title,
                source=ws.relative(source),
                source_sha256=sha,
                number=request.number if request.number is not None else max(existing, default=0) + 1,
                created=now_iso(),
                pub_date=now_iso(),
                guid=str(uuid.uuid4()),
            )
        episode.title = title
        episode.source, episode.source_sha256 = ws.relative(source), sha
        if request.number is not None:
            episode.number = request.number
        if request.description is not None:
            episode.description = request.description.strip()
        if request.guests is not None:
            episode.guests = [g.strip() for g in request.guests if g.strip()]
        if chapters is not None:
            episode.chapters = chapters
        cover_to_copy = request.cover.expanduser().resolve() if request.cover is not None else None
        if request.draft is not None:
            if episode.draft and not request.draft and request.publish_at is None:
                episode.pub_date = now_iso()  # a draft made public is new from now
            episode.draft = request.draft
        if request.publish_at is not None:
            episode.pub_date = request.publish_at.isoformat()
        reports = _run_keeping_state(stages, episode, ctx, created, cover_to_copy)
    return PublishResult(episode, created, reports)


def _run_keeping_state(
    stages: list[Stage], episode: Episode, ctx: Context, created: bool, cover: Path | None
) -> list[StageReport]:
    """Run the stages; the journal is written only by stages that finished, and once more at the end.

    A publish that fails (bad recording, full disk) therefore leaves ``episode.toml`` and the outputs as the
    last good run left them; a new episode that failed before any stage finished leaves no folder behind.
    """
    ws = ctx.workspace
    folder = ws.episode_dir(episode.slug)
    existed = folder.exists()
    try:
        if cover is not None:
            episode.cover = _keep_cover(ws, episode, cover) if not ctx.dry_run else ws.relative(cover)
        reports = run_pipeline(stages, episode, ctx)
        if not ctx.dry_run:
            save_episode(ws, episode)  # metadata no stage depends on (guests, say) is kept too
        return reports
    except BaseException:
        if created and not existed and not (folder / EPISODE_FILE).exists():
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _keep_cover(ws: Workspace, episode: Episode, cover: Path) -> str:
    """Copy the episode cover into its folder (the original may be moved or deleted later); its stored path."""
    target = ws.episode_dir(episode.slug) / f"cover{cover.suffix.lower() or '.img'}"
    if cover != target.resolve():
        atomic_copy(cover, target)
    return ws.relative(target)


def check_chapters_fit(chapters: list[Chapter], duration: float, path: Path) -> None:
    """Refuse chapters that start after the end of the recording (``duration`` 0 means unknown)."""
    last = max(chapters, key=lambda c: c.start)
    if duration > 0 and last.start >= duration:
        raise CerdasError(
            f"chapter {last.title!r} starts at {format_timestamp(last.start)}, after the end of the recording "
            f"({format_timestamp(duration)})",
            path,
        )

"""``publish``: check everything, find or create the episode, merge the new metadata, run the stage list.

The stage list is explicit (beets' importer pipeline is the model): each stage decides from its inputs'
fingerprint whether it is current, so re-running publish does nothing twice. Every input and every stage's own
prerequisites are checked before the workspace lock is taken and before any file is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tomllib
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cerdas.artwork import check_cover
from cerdas.chapters import chapter_problems, load_chapters
from cerdas.episode import (
    Chapter,
    Episode,
    Track,
    check_slug,
    check_title,
    list_episodes,
    load_episode,
    now_iso,
    save_episode,
    slugify,
)
from cerdas.errors import CerdasError, WorkspaceError
from cerdas.facts import LoudnessFacts, to_data
from cerdas.feed.rules import check_show_artwork
from cerdas.feed.stage import FeedStage
from cerdas.fsutil import atomic_copy, read_text, sha256_file
from cerdas.media.ffmpeg import FFmpeg
from cerdas.media.ingest import IngestStage, check_source
from cerdas.media.loudness import LoudnessStage
from cerdas.media.multitrack import TrackInput, check_lengths
from cerdas.media.tags import TagStage
from cerdas.metadata import clean_text, metadata_problems
from cerdas.pipeline import Context, Stage, StageReport, check_stages, run_pipeline, run_stage
from cerdas.search.stage import SearchStage
from cerdas.speakers.profiles import check_name
from cerdas.speakers.stage import SpeakersStage
from cerdas.transcribe.stage import TranscribeStage, transcription_for
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
    chapters: list[Chapter] | None = None  # chapters given as data (the studio), when there is no chapters_file
    tracks: list[Path] | None = None  # multitrack: one file per speaker, ``source`` first
    channels_are_speakers: bool = False  # a stereo ``source`` whose left and right channels are two people
    speakers: list[str] | None = None  # names of the voices in order of first speech (multitrack: per track)
    speaker_count: int | None = None  # how many voices, when known


@dataclass(frozen=True)
class CheckedRequest:
    """A request whose every input was read and found usable (before the lock, before any work)."""

    request: PublishRequest
    title: str
    source: Path
    chapters: list[Chapter] | None
    cover: Path | None
    description: str | None = None
    guests: list[str] | None = None
    cover_ext: str = ""
    tracks: tuple[TrackInput, ...] = ()
    speakers: list[str] | None = None


@dataclass
class PublishResult:
    episode: Episode
    created: bool
    reports: list[StageReport] = field(default_factory=list)
    dry_run: bool = False

    def loudness(self) -> str:
        """``-24.4 LUFS -> -16.0 LUFS, true peak -1.8 dBTP`` once the loudness stage has run."""
        loud = self.episode.facts(LoudnessFacts)
        if loud is None:
            return ""
        peak = loud.after.true_peak_dbtp
        return (
            f"{loud.before.integrated_lufs:.1f} LUFS -> {loud.after.integrated_lufs:.1f} LUFS, "
            f"true peak {peak if peak is not None else float('nan'):.1f} dBTP"
        )

    def summary(self) -> dict[str, Any]:
        """What ``publish --json`` prints: the episode, and each stage's status, summary and facts."""
        ep = self.episode
        return {
            "slug": ep.slug,
            "title": ep.title,
            "created": self.created,
            "dry_run": self.dry_run,
            "state": ep.state() if not self.dry_run else None,
            "audio": ep.published_audio,
            "youtube": to_data(ep.youtube) if ep.youtube is not None else None,
            "stages": [
                {
                    "name": r.name,
                    "status": r.status,
                    "summary": r.summary,
                    "facts": to_data(r.facts) if r.facts is not None else None,
                }
                for r in self.reports
            ],
        }


def build_stages(ctx: Context, ff: FFmpeg | None = None) -> list[Stage]:
    """The publish stages in order."""
    ff = ff or FFmpeg.from_env(ctx.env)
    return [
        IngestStage(ff),
        LoudnessStage(ff),
        TagStage(),
        SpeakersStage(ff),  # who speaks when, before the transcript that names them
        TranscribeStage(),
        YouTubeStage(ff),  # after the transcript (captions)
        FeedStage(),  # feed + site: after YouTube, whose link it shows
        SearchStage(),  # last: indexes the finished episode (hand-corrected transcript, YouTube link)
    ]


def check_request(request: PublishRequest, ctx: Context) -> CheckedRequest:
    """Read and check every input the producer gave (raises :class:`CerdasError` naming the file). Control
    characters in the notes, guests and chapter titles are removed, with a warning (the one rule of every output)."""
    title = check_title(request.title)
    source = request.source.expanduser().resolve()
    probe = check_source(source, FFmpeg.from_env(ctx.env))
    chapters = None
    if request.chapters_file is not None:
        chapters = load_chapters(request.chapters_file)
        for i, chapter in enumerate(chapters, 1):
            chapter.title = clean_text(chapter.title, f"chapter {i} of {request.chapters_file.name}", ctx.reporter)
        problems = chapter_problems(chapters, probe.duration)
        if problems:
            raise CerdasError(problems[0], request.chapters_file)
    elif request.chapters is not None:  # chapters as data (the studio's form): the same rules
        chapters = [
            replace(c, title=clean_text(c.title, f"chapter {i}", ctx.reporter))
            for i, c in enumerate(request.chapters, 1)
        ]
        problems = chapter_problems(chapters, probe.duration)
        if problems:
            raise CerdasError(problems[0])
    cover = request.cover.expanduser().resolve() if request.cover is not None else None
    cover_ext = check_cover(cover) if cover is not None else ""
    if request.number is not None and request.number < 0:
        raise CerdasError(f"episode number must be 0 or more, not {request.number}")
    if request.slug is not None and (slugify(request.slug) != request.slug or check_slug(request.slug)):
        raise WorkspaceError(
            f"slug {request.slug!r} must be lower-case letters, digits and '-'", ctx.workspace.episodes_dir
        )
    if not ctx.settings.artwork_path.is_file() and cover is None:
        raise CerdasError("show artwork not found (set 'show.artwork' in cerdas.toml)", ctx.settings.artwork_path)
    check_show_artwork(ctx.settings)  # the feed needs Apple-valid artwork: refuse before any encoding
    description = None
    if request.description is not None:
        description = clean_text(request.description, "--description", ctx.reporter)
    guests = None
    if request.guests is not None:
        guests = [clean_text(g, "--guest", ctx.reporter) for g in request.guests]
    tracks = check_tracks(request, source, ctx)
    speakers = [check_name(n) for n in request.speakers] if request.speakers is not None else None
    if request.speaker_count is not None and not 1 <= request.speaker_count <= 10:
        raise CerdasError(f"--speakers must be between 1 and 10, not {request.speaker_count}")
    return CheckedRequest(request, title, source, chapters, cover, description, guests, cover_ext, tracks, speakers)


def check_tracks(request: PublishRequest, source: Path, ctx: Context) -> tuple[TrackInput, ...]:
    """The tracks of a multitrack request, each probed, their lengths within a second (else refused, naming them)."""
    ff = FFmpeg.from_env(ctx.env)
    if request.channels_are_speakers:
        if request.tracks and len(request.tracks) > 1:
            raise CerdasError("--channels-are-speakers takes one stereo recording, not several files")
        stream = check_source(source, ff).audio
        channels = stream.channels if stream is not None else 0
        if channels < 2:
            raise CerdasError(
                f"--channels-are-speakers needs a stereo recording; this one has {channels} channel", source
            )
        return tuple(TrackInput(source, c) for c in range(channels))
    if not request.tracks or len(request.tracks) < 2:
        return ()
    paths = [p.expanduser().resolve() for p in request.tracks]
    if len(set(paths)) < len(paths):
        raise CerdasError("the same file is given twice as a track; give one file per speaker")
    inputs = [TrackInput(p) for p in paths]
    check_lengths([(t, check_source(t.path, ff)) for t in inputs])
    return tuple(inputs)


def recording_tracks(ws: Workspace, checked: CheckedRequest, sha: str) -> tuple[list[Track], str]:
    """The episode's tracks (each with its sha256) and the sha256 that identifies the recording: the file's own,
    or for several files one made of theirs (the same set of files is the same episode)."""
    if not checked.tracks:
        return [], sha
    shas = {t.path: sha if t.path == checked.source else sha256_file(t.path) for t in checked.tracks}
    tracks = [Track(ws.relative(t.path), shas[t.path], t.channel) for t in checked.tracks]
    if checked.request.channels_are_speakers:
        return tracks, sha
    joined = "\n".join(f"{t.sha256}" for t in tracks)
    return tracks, "multitrack-" + hashlib.sha256(joined.encode()).hexdigest()


def publish(request: PublishRequest, ctx: Context, stages: list[Stage] | None = None) -> PublishResult:
    """Check every input and every stage, then run the stages on the (new or existing) episode. Source files
    are only read."""
    checked = check_request(request, ctx)
    stages = stages if stages is not None else build_stages(ctx)
    check_stages(stages, ctx)  # the Whisper model, the sign-in: before any episode file is written
    ws = ctx.workspace
    with ws.lock() if not ctx.dry_run else contextlib.nullcontext():  # a dry run reads, never writes
        tracks, sha = recording_tracks(ws, checked, sha256_file(checked.source))
        episode = find_episode_for(ws, sha, request.slug, checked.title)
        created = episode is None
        if episode is None:
            episode = new_episode(ws, checked, sha)
        merge_metadata(episode, checked, ws.relative(checked.source), sha)
        episode.tracks = tracks
        check_metadata(episode, checked, ws, created)  # what the feed could not carry stops here, before any stage
        reports = _run_keeping_state(stages, episode, ctx, created, checked)
    return PublishResult(episode, created, reports, ctx.dry_run)


def find_episode_for(ws: Workspace, sha: str, slug: str | None, title: str) -> Episode | None:
    """The episode a publish continues: by ``--slug``, else by the same recording, else by the title's slug.

    An episode whose journal cannot be read never blocks another's publish; publishing *its* recording (or its
    slug) again stops with the error naming its file, to be fixed first.
    """
    if slug:
        return load_episode(ws, slug) if ws.episode_file(slug).exists() else None
    broken: dict[str, CerdasError] = {}
    episodes = list_episodes(ws, broken=broken)
    for episode in episodes:
        if episode.source_sha256 == sha:
            return episode
    by_title = slugify(title)
    for broken_slug, error in broken.items():
        if broken_slug == by_title or _recorded_sha(ws, broken_slug) == sha:
            raise error
    return next((e for e in episodes if e.slug == by_title), None)


def _recorded_sha(ws: Workspace, slug: str) -> str:
    """The recording's sha256 a damaged journal still names, if it can be read at all ("" otherwise)."""
    try:
        raw = tomllib.loads(read_text(ws.episode_file(slug), 4 << 20, "episode file", follow=False))
    except (CerdasError, tomllib.TOMLDecodeError):
        return ""
    value = raw.get("source_sha256")
    return value if isinstance(value, str) else ""


def new_episode(ws: Workspace, checked: CheckedRequest, sha: str) -> Episode:
    """A new episode: a free slug, the next number, a new guid, dated now."""
    request = checked.request
    existing = [e.number for e in list_episodes(ws, broken={}) if e.number is not None]
    return Episode(
        slug=_new_slug(ws, checked.title, request.slug),
        title=checked.title,
        source=ws.relative(checked.source),
        source_sha256=sha,
        number=request.number if request.number is not None else max(existing, default=0) + 1,
        created=now_iso(),
        pub_date=now_iso(),
        guid=str(uuid.uuid4()),
    )


def merge_metadata(episode: Episode, checked: CheckedRequest, source: str, sha: str) -> None:
    """Apply what the request sets; what it leaves as ``None`` keeps the episode's value."""
    request = checked.request
    episode.title = checked.title
    episode.source, episode.source_sha256 = source, sha
    if request.number is not None:
        episode.number = request.number
    if checked.description is not None:
        episode.description = checked.description.strip()
    if checked.guests is not None:
        episode.guests = [g.strip() for g in checked.guests if g.strip()]
    if checked.chapters is not None:
        episode.chapters = checked.chapters
    episode.schedule(request.draft, request.publish_at)
    if checked.speakers is not None:
        episode.speakers = checked.speakers
    if request.speaker_count is not None:
        episode.speaker_count = request.speaker_count


def _new_slug(ws: Workspace, title: str, slug: str | None) -> str:
    base = slug or slugify(title)
    candidate, n = base, 2
    while ws.episode_file(candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def check_metadata(episode: Episode, checked: CheckedRequest, ws: Workspace, created: bool) -> None:
    """Refuse metadata the feed, the pages or the tags could not carry, before any stage runs: such an episode
    would otherwise be encoded, recorded, and then stop every feed build. A value the request set is named as
    given; one kept from the journal names ``episode.toml``."""
    problems = metadata_problems(episode, ws, cover=checked.cover)
    if not problems:
        return
    problem = problems[0]
    given = {
        "title": True,
        "description": checked.description is not None,
        "guests": checked.guests is not None,
        "chapters": checked.chapters is not None,
        "cover": checked.cover is not None,
    }.get(problem.field, False)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    if given or created:
        path = checked.request.chapters_file if problem.field == "chapters" else checked.cover
        raise CerdasError(
            f"{problem}{more}; nothing was done", path if problem.field in ("chapters", "cover") else None
        )
    raise CerdasError(
        f"{problem}{more} (fix it here or publish with the corrected option); nothing was done",
        ws.episode_file(episode.slug),
    )


def _run_keeping_state(
    stages: list[Stage], episode: Episode, ctx: Context, created: bool, checked: CheckedRequest
) -> list[StageReport]:
    """Run the stages; the journal is written only by stages that finished, and once more at the end.

    A publish that fails (bad recording, full disk) therefore leaves ``episode.toml`` and the outputs as the
    last good run left them; a new episode that failed before any stage finished leaves no folder behind.
    """
    ws = ctx.workspace
    folder = ws.episode_dir(episode.slug)
    existed = folder.exists()
    cover = checked.cover
    try:
        if cover is not None:
            episode.cover = (
                _keep_cover(ws, episode, cover, checked.cover_ext) if not ctx.dry_run else ws.relative(cover)
            )
        reports = run_pipeline(stages, episode, ctx)
        if not ctx.dry_run:
            save_episode(ws, episode)  # metadata no stage depends on (guests, say) is kept too
        return reports
    except BaseException:
        if created and not existed and not ws.episode_file(episode.slug).exists():
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _keep_cover(ws: Workspace, episode: Episode, cover: Path, ext: str) -> str:
    """Copy the episode cover into its folder as ``cover.jpg`` or ``cover.png`` (named by what it is; the
    original may be moved or deleted later); its stored path. Covers of the other format are removed."""
    target = ws.cover(episode.slug, ext)
    if cover != target.resolve():
        atomic_copy(cover, target)
    for other in {".jpg", ".jpeg", ".png"} - {ext}:
        ws.cover(episode.slug, other).unlink(missing_ok=True)
    return ws.relative(target)


def transcribe_and_update(
    ctx: Context, slug: str, from_vtt: bool = False, force: bool = False, ff: FFmpeg | None = None
) -> list[StageReport]:
    """``cerdas transcribe SLUG``: the transcribe stage (see :func:`cerdas.transcribe.stage.transcription_for`),
    then every stage that shows the transcript, so nothing keeps the old text: the YouTube captions (when YouTube
    is configured and the video is uploaded; a video not uploaded yet gets them with it), the feed and site, and
    the search index. Each decides from its inputs whether it has anything to do."""
    episode, transcribe = transcription_for(ctx, slug, from_vtt, force)
    youtube: Stage | None = None
    note = "YouTube is not configured"
    if ctx.youtube and ctx.settings.youtube.enabled:
        note = "not uploaded yet; the captions go up with the video ('cerdas youtube upload SLUG')"
        if episode.video_id:
            youtube = YouTubeStage(ff or FFmpeg.from_env(ctx.env))
            youtube.check(ctx)  # the sign-in, before anything is written
    elif not ctx.youtube:
        note = "--no-youtube"
    save = not ctx.dry_run
    with ctx.workspace.lock() if save else contextlib.nullcontext():
        reports = [run_stage(transcribe, episode, replace(ctx, force=ctx.force or transcribe.mode != "auto"), save)]
        if youtube is not None:
            reports.append(run_stage(youtube, episode, ctx, save))
        else:
            reports.append(StageReport("youtube", "skipped", note))
        reports += [run_stage(stage, episode, ctx, save) for stage in (FeedStage(), SearchStage())]
    return reports

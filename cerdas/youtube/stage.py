"""The publish stage: render (or mux) the video, upload it once, then bring captions, thumbnail, playlist and the
title/description up to date. Each step is recorded in the journal, so re-running does only what is missing.

A quota stop (or YouTube staying unreachable through every retry) ends the stage with a warning, not an error:
the rest of publish continues and the next publish picks up where this one stopped.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image

from cerdas import urls
from cerdas.artwork import open_image
from cerdas.episode import Episode, recording, save_episode
from cerdas.errors import CerdasError
from cerdas.facts import StageName, YouTubeFacts, YouTubeVideo
from cerdas.fsutil import atomic_write_text, fingerprint, sha256_file
from cerdas.languages import language_name
from cerdas.media.ffmpeg import FFmpeg
from cerdas.pipeline import BaseStage, Context, StageOutput
from cerdas.transcribe.formats import load_vtt, to_named_vtt
from cerdas.workspace import YOUTUBE_JOURNAL, Workspace
from cerdas.youtube import auth
from cerdas.youtube import video as render
from cerdas.youtube.client import YouTubeClient
from cerdas.youtube.errors import QuotaStop, YouTubeError
from cerdas.youtube.metadata import VideoMetadata, build_metadata
from cerdas.youtube.upload import NOT_FOUND_RETRIES, Backoff, GaveUp, Journal, upload_video, with_retries

THUMBNAIL_MAX = 2 * 1024 * 1024
THUMBNAIL_REFUSED = frozenset({"forbidden", "insufficientPermissions"})


def load_journal(ws: Workspace, episode: Episode) -> Journal:
    """The upload journal; on a fresh clone of the workspace (``youtube.json`` holds the session address, a secret,
    so it stays out of git) the video recorded in ``episode.toml`` is adopted: it is never uploaded twice."""
    journal = Journal.load(ws.youtube_journal(episode.slug))
    if not journal.video_id and episode.youtube is not None and episode.youtube.video_id:
        journal.video_id = episode.youtube.video_id
        journal.uploaded_at = episode.youtube.uploaded_at
        journal.session_uri, journal.confirmed_bytes = "", 0
    return journal


def caption_file(ws: Workspace, slug: str) -> Path | None:
    """The transcript the captions are made from (VTT, else SRT), or None when there is none."""
    for kind in ("vtt", "srt"):
        path = ws.transcript(slug, kind)
        if path.is_file():
            return path
    return None


def youtube_captions(ws: Workspace, slug: str, write: bool = False) -> tuple[Path, str] | None:
    """The file to upload as captions and its sha256 (None: no transcript). A VTT that names speakers becomes
    captions with each speaker's name as a line at each change (YouTube ignores ``<v>``), written into
    ``work/`` with ``write``; any other transcript is uploaded as it is."""
    source = caption_file(ws, slug)
    if source is None or source.suffix != ".vtt":
        return (source, sha256_file(source)) if source else None
    try:
        cues = load_vtt(source)
    except CerdasError:
        return source, sha256_file(source)  # as it is: YouTube says what it cannot read
    if not any(c.speaker for c in cues):
        return source, sha256_file(source)
    path, text = ws.youtube_captions(slug), to_named_vtt(cues)
    if write and not (path.is_file() and path.read_bytes() == text.encode("utf-8")):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
    return path, hashlib.sha256(text.encode("utf-8")).hexdigest()


def caption_language(ctx: Context) -> str:
    lang = ctx.settings.whisper.language
    return ctx.settings.show.language if lang == "auto" else lang


def _audio(episode: Episode, ctx: Context) -> Path:
    """The normalised episode audio (the tag stage's MP3)."""
    path = ctx.workspace.published_audio(episode.slug)
    if episode.published_audio is None or not path.is_file():
        raise CerdasError(f"episode {episode.slug!r} has no finished audio yet; run 'cerdas publish' first")
    return path


def _frame(episode: Episode, ctx: Context) -> render.Frame:
    yt = ctx.settings.youtube
    guests = ", ".join(episode.guests)
    return render.Frame(
        image=ctx.workspace.episode_image(episode.cover, ctx.settings.artwork_path),
        title=episode.title if yt.title_text else "",
        show=ctx.settings.show.title if yt.title_text else "",
        guests=guests if yt.title_text else "",
        waveform=yt.waveform,
    )


def render_key(episode: Episode, ctx: Context) -> str:
    """What the upload file depends on: the audio (loudness stage) and either the picture or the source video."""
    loud = episode.stages.get("loudness")
    audio = loud.fingerprint if loud else episode.published_audio
    if episode.is_video:
        return fingerprint(
            {"kind": "mux", "audio": audio, "source": episode.source_sha256, "version": render.RENDER_VERSION}
        )
    return fingerprint({"kind": "still", "audio": audio, "frame": _frame(episode, ctx).key()})


def thumbnail_jpeg(episode: Episode, ctx: Context) -> bytes:
    """A 1280×720 JPEG (≤ 2 MB) of the episode cover with the title, as on the video."""
    frame = _frame(episode, ctx)
    picture = render.compose_frame(render.Frame(frame.image, frame.title, frame.show, frame.guests, False))
    for quality in (90, 82, 74, 66, 58):
        out = io.BytesIO()
        picture.convert("RGB").save(out, format="JPEG", quality=quality, optimize=True)
        if out.tell() <= THUMBNAIL_MAX:
            return out.getvalue()
    picture.thumbnail((960, 540), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.convert("RGB").save(out, format="JPEG", quality=70)
    return out.getvalue()


@dataclass
class SyncResult:
    """What one run did on YouTube."""

    video_id: str = ""
    state: str = "done"
    actions: list[str] = field(default_factory=list)
    uploaded_bytes: int = 0

    def summary(self) -> str:
        if self.state != "done":
            return f"stopped: {self.state}"
        what = ", ".join(self.actions) if self.actions else "already up to date"
        return f"{self.video_id}: {what}"


def _publish_record(episode: Episode, journal: Journal, meta: VideoMetadata | None) -> None:
    if not journal.video_id:
        episode.youtube = None
        return
    before = episode.youtube
    episode.youtube = YouTubeVideo(
        video_id=journal.video_id,
        url=urls.youtube_watch_url(journal.video_id),
        uploaded_at=journal.uploaded_at,
        state="waiting" if journal.waiting else "done",
        captions=bool(journal.caption_id),
        thumbnail=bool(journal.thumbnail_sha256) and not journal.thumbnail_note,
        playlist_item_id=journal.playlist_item_id,
        privacy=meta.privacy if meta is not None else (before.privacy if before else None),
        publish_at=meta.publish_at if meta is not None else (before.publish_at if before else None),
    )


def prepare_video(episode: Episode, ctx: Context, journal: Journal, ff: FFmpeg) -> Path:
    """The file to upload, rendered (or muxed) when missing or stale; the journal learns its size and hash.

    A session recorded for other bytes is dropped (YouTube would assemble a corrupt file otherwise).
    """
    ws = ctx.workspace
    target = ws.video(episode.slug)
    key = render_key(episode, ctx)
    if journal.render_key == key and target.is_file() and target.stat().st_size == journal.file_size:
        if journal.session_uri:
            digest = sha256_file(target)  # a video is large: read it once
            if digest != journal.file_sha256:
                journal.session_uri, journal.confirmed_bytes = "", 0
                journal.file_sha256 = digest
                journal.save()
        return target
    audio = _audio(episode, ctx)
    if episode.is_video:
        source = recording(ws, episode)
        bar = ctx.reporter.progress("Menggabungkan video", 0.0)
        try:
            render.mux_video(source, audio, target, ff, bar)
        finally:
            bar.close()
    else:
        frame = _frame(episode, ctx)
        bar = ctx.reporter.progress("Membuat video", ff.probe(audio).duration)
        try:
            render.render_still(audio, frame, target, ff, bar)
        finally:
            bar.close()
    digest = sha256_file(target)
    if digest != journal.file_sha256:
        journal.session_uri, journal.confirmed_bytes = "", 0
    journal.render_key, journal.file = key, ws.relative(target)
    journal.file_size, journal.file_sha256 = target.stat().st_size, digest
    journal.save()
    return target


def check_inputs(episode: Episode, ctx: Context) -> VideoMetadata:
    """Everything that can be wrong before any upload: audio, artwork, metadata (warnings reported)."""
    if not episode.is_video:
        _audio(episode, ctx)
    open_image(ctx.workspace.episode_image(episode.cover, ctx.settings.artwork_path))
    meta = build_metadata(episode, ctx.settings)
    return meta


def sync_episode(
    episode: Episode, ctx: Context, ff: FFmpeg | None = None, yt: YouTubeClient | None = None
) -> SyncResult:
    """Bring the episode's video on YouTube up to date (upload at most once) and record it in the episode."""
    # Long on purpose: every step shares the journal and the quota stop; one try block keeps the journal right.
    ff = ff or FFmpeg()
    ws, rep = ctx.workspace, ctx.reporter
    meta = check_inputs(episode, ctx)
    for warning in meta.warnings:
        rep.warn(f"YouTube: {warning}")
    journal = load_journal(ws, episode)
    client = yt or auth.connect(ctx.env, ws.root).youtube
    backoff = Backoff.parse(ctx.env.youtube_backoff)
    result = SyncResult(video_id=journal.video_id)
    snippet_fp = fingerprint(meta.body()["snippet"])

    def on_video(video_id: str) -> None:  # the id goes into episode.toml the moment it exists
        _publish_record(episode, journal, meta)
        save_episode(ws, episode)

    try:
        journal.waiting = ""
        if journal.video_id:
            video = with_retries(lambda: client.get_video(journal.video_id), backoff, "looking up the video")
            if video is None:
                raise YouTubeError(
                    f"video {journal.video_id} (recorded in {YOUTUBE_JOURNAL}) is no longer on the "
                    f"channel; to upload again run 'cerdas youtube forget {episode.slug}' and publish"
                )
        else:
            path = prepare_video(episode, ctx, journal, ff)
            size = path.stat().st_size
            resumed = journal.confirmed_bytes if journal.session_uri else 0
            bar = rep.progress("Mengunggah ke YouTube", float(size), "B")
            try:
                upload_video(
                    client, journal, path, meta.body(), ctx.settings.youtube.chunk_kib * 1024, backoff, bar, on_video
                )
            finally:
                bar.close()
            journal.metadata = snippet_fp
            journal.save()
            result.video_id = journal.video_id
            result.uploaded_bytes = size - resumed
            result.actions.append(
                f"uploaded {size / 1e6:.1f} MB"
                + (f" (resumed at {resumed / 1e6:.1f} MB)" if resumed else "")
                + f" as {meta.privacy}"
            )
        video_id = journal.video_id
        if journal.metadata != snippet_fp:
            with_retries(
                lambda: client.update_snippet(video_id, meta.body()["snippet"]),
                backoff,
                "updating the title and description",
                NOT_FOUND_RETRIES,
            )
            journal.metadata = snippet_fp
            journal.save()
            result.actions.append("title and description updated")
        _sync_captions(client, journal, video_id, episode, ctx, backoff, result)
        _sync_thumbnail(client, journal, video_id, episode, ctx, backoff, result)
        _sync_playlist(client, journal, video_id, ctx, backoff, result)
        journal.waiting = ""
        journal.save()
    except (QuotaStop, GaveUp) as exc:
        journal.waiting = str(exc)
        journal.save()
        result.state = str(exc)
        rep.warn(f"YouTube stopped: {exc}")
    finally:
        _publish_record(episode, journal, meta)
    result.video_id = journal.video_id
    return result


def _sync_captions(
    client: YouTubeClient,
    journal: Journal,
    video_id: str,
    episode: Episode,
    ctx: Context,
    backoff: Backoff,
    result: SyncResult,
) -> None:
    found = youtube_captions(ctx.workspace, episode.slug, write=True)
    if found is None:
        if not journal.caption_id:
            ctx.reporter.info("YouTube: no transcript yet, so no captions (they are added on a later publish)")
        return
    path, digest = found
    if digest == journal.caption_sha256:
        return
    lang = caption_language(ctx)
    name = language_name(lang)
    if journal.caption_id:
        caption_id = journal.caption_id
        with_retries(lambda: client.update_caption(caption_id, path), backoff, "replacing captions", NOT_FOUND_RETRIES)
        result.actions.append("captions replaced")
    else:
        try:
            res = with_retries(
                lambda: client.insert_caption(video_id, lang, name, path),
                backoff,
                "uploading captions",
                NOT_FOUND_RETRIES,
            )
            journal.caption_id = str(res.get("id", ""))
        except YouTubeError as exc:
            if exc.reason != "captionExists":
                raise
            # An earlier attempt stored the track but its answer was lost: that counts as done.
            tracks = with_retries(lambda: client.list_captions(video_id), backoff, "listing captions")
            match = [t for t in tracks if t.get("snippet", {}).get("language") == lang]
            journal.caption_id = str(match[0].get("id", "")) if match else "exists"
        result.actions.append(f"captions ({lang})")
    journal.caption_sha256 = digest
    journal.save()


def _sync_thumbnail(
    client: YouTubeClient,
    journal: Journal,
    video_id: str,
    episode: Episode,
    ctx: Context,
    backoff: Backoff,
    result: SyncResult,
) -> None:
    data = thumbnail_jpeg(episode, ctx)
    digest = hashlib.sha256(data).hexdigest()
    if digest == journal.thumbnail_sha256:
        return
    try:
        with_retries(
            lambda: client.set_thumbnail(video_id, data, "image/jpeg"),
            backoff,
            "setting the thumbnail",
            NOT_FOUND_RETRIES,
        )
        journal.thumbnail_note = ""
        result.actions.append("thumbnail")
    except YouTubeError as exc:
        if exc.status != 403 or exc.reason not in THUMBNAIL_REFUSED:
            raise
        journal.thumbnail_note = "YouTube refused a custom thumbnail: the channel must be verified (phone) first"
        ctx.reporter.warn(f"YouTube: {journal.thumbnail_note}")
    journal.thumbnail_sha256 = digest
    journal.save()


def _sync_playlist(
    client: YouTubeClient, journal: Journal, video_id: str, ctx: Context, backoff: Backoff, result: SyncResult
) -> None:
    playlist = ctx.settings.youtube.playlist_id
    if not playlist or (journal.playlist_id == playlist and journal.playlist_item_id):
        return

    def add() -> str:
        # YouTube adds a video to a playlist as often as asked: look first, on every attempt.
        present = client.playlist_items(playlist, video_id)
        if present:
            return str(present[0].get("id", ""))
        return str(client.insert_playlist_item(playlist, video_id).get("id", ""))

    def dedupe(keep: str) -> None:
        # httplib2 silently re-sends a request whose connection dropped before the answer: an insert YouTube had
        # already done then happens twice. Remove any extra copy.
        for item in client.playlist_items(playlist, video_id):
            if item.get("id") != keep:
                client.delete_playlist_item(str(item.get("id", "")))

    journal.playlist_item_id = with_retries(add, backoff, "adding the video to the playlist", NOT_FOUND_RETRIES)
    with_retries(lambda: dedupe(journal.playlist_item_id), backoff, "checking the playlist")
    journal.playlist_id = playlist
    journal.save()
    result.actions.append("playlist")


def plan(episode: Episode, ctx: Context) -> list[str]:
    """What a run would do, without the network or any change (``--dry-run``)."""
    meta = check_inputs(episode, ctx)
    journal = load_journal(ctx.workspace, episode)
    steps = [f"warning: {w}" for w in meta.warnings]
    if journal.video_id:
        steps.append(f"video {journal.video_id} is on YouTube; nothing is uploaded again")
        if journal.metadata != fingerprint(meta.body()["snippet"]):
            steps.append("update the title, description and tags")
    else:
        target = ctx.workspace.video(episode.slug)
        fresh = journal.render_key == render_key(episode, ctx) and target.is_file()
        if not fresh:
            steps.append(
                (
                    "mux the recording's picture with the normalised audio"
                    if episode.is_video
                    else "render the artwork video"
                )
                + f" to {ctx.workspace.relative(target)}"
            )
        if journal.session_uri:
            steps.append(f"resume the upload at byte {journal.confirmed_bytes:,}")
        else:
            steps.append(f"upload it as {meta.privacy}" + (f", public at {meta.publish_at}" if meta.publish_at else ""))
    captions = youtube_captions(ctx.workspace, episode.slug)
    source = caption_file(ctx.workspace, episode.slug)
    if captions is None or source is None:
        steps.append("no captions (no transcript)")
    elif captions[1] != journal.caption_sha256:
        steps.append(f"{'replace' if journal.caption_id else 'upload'} captions from {source.name}")
    if hashlib.sha256(thumbnail_jpeg(episode, ctx)).hexdigest() != journal.thumbnail_sha256:
        steps.append("set the thumbnail")
    playlist = ctx.settings.youtube.playlist_id
    if playlist and not (journal.playlist_id == playlist and journal.playlist_item_id):
        steps.append(f"add to playlist {playlist}")
    steps += [
        f"title: {meta.title}",
        f"tags: {', '.join(meta.tags)}",
        "description:",
        *("  " + line for line in meta.description.splitlines()),
    ]
    return steps


class YouTubeStage(BaseStage):
    """Upload the episode to the office's channel (skipped with ``--no-youtube`` or when not configured).

    ``explicit``: asked for by ``cerdas youtube upload``, so it runs even when publish would not upload."""

    name: ClassVar[StageName] = "youtube"

    def __init__(self, ff: FFmpeg | None = None, explicit: bool = False) -> None:
        self.ff = ff or FFmpeg()
        self.explicit = explicit

    def _off(self, ctx: Context) -> str | None:
        if not ctx.youtube:
            return "--no-youtube"
        if not ctx.settings.youtube.enabled and not self.explicit:
            return "YouTube is not configured (set youtube.enabled = true and run 'cerdas youtube login')"
        return None

    def check(self, ctx: Context) -> None:
        """A missing or wrong sign-in stops publish before any work."""
        if self._off(ctx) is None:
            auth.preflight(ctx.settings, ctx.env)

    def skip_reason(self, episode: Episode, ctx: Context) -> str | None:
        return self._off(ctx)

    def always_runs(self, episode: Episode, ctx: Context) -> bool:
        """An unfinished upload (stopped by the quota, say) is continued by every run until it is done."""
        return not load_journal(ctx.workspace, episode).complete

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        journal = load_journal(ctx.workspace, episode)
        transcript = caption_file(ctx.workspace, episode.slug)
        cover = ctx.workspace.episode_image(episode.cover, ctx.settings.artwork_path)
        yt = ctx.settings.youtube
        data: dict[str, Any] = {
            "render": render_key(episode, ctx),
            "metadata": fingerprint(build_metadata(episode, ctx.settings).body()["snippet"]),
            "transcript": sha256_file(transcript) if transcript else None,
            "cover": [str(cover), cover.stat().st_size if cover.is_file() else 0],
            "playlist": yt.playlist_id,
            "video_id": journal.video_id,
        }
        return data

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        result = sync_episode(episode, ctx, self.ff)
        ws = ctx.workspace
        facts = YouTubeFacts(
            video_id=result.video_id,
            state="done" if result.state == "done" else "waiting",
            uploaded_bytes=result.uploaded_bytes,
        )
        outputs = {"journal": ws.relative(ws.youtube_journal(episode.slug))}
        return StageOutput(outputs=outputs, facts=facts, summary=result.summary())

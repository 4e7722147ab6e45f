"""A clip as a YouTube Short: the vertical MP4 (≤ 60 s), ``#Shorts`` in its title and description, and a link
to the full episode (its YouTube video once uploaded and public, else its page at the clip's moment).

The upload is the episodes' own (:func:`cerdas.youtube.upload.upload_video`): resumable, journaled in
``<clip>.youtube.json`` (mode 0600) beside the clip, retried with backoff, never twice: a clip whose journal
holds a video id is not uploaded again. A quota stop keeps the journal; running the command again continues.
"""

from __future__ import annotations

from typing import Any

from cerdas import urls
from cerdas.clips.journal import set_short
from cerdas.clips.make import ClipRequest, check_request, episode_words
from cerdas.clips.select import join_words
from cerdas.episode import Episode, load_episode
from cerdas.errors import CerdasError
from cerdas.facts import ClipRecord
from cerdas.fsutil import sha256_file
from cerdas.pipeline import Context
from cerdas.settings import Settings
from cerdas.transcribe.words import words_between
from cerdas.youtube import auth
from cerdas.youtube.errors import QuotaStop
from cerdas.youtube.metadata import TITLE_MAX, VideoMetadata, clean_text, fit_tags
from cerdas.youtube.upload import Backoff, GaveUp, Journal, upload_video

SHORT_MAX = 60.0
HASHTAG = "#Shorts"
_FULL = {"id": "Dengarkan episode lengkapnya", "en": "The full episode"}


def check_short(ctx: Context, request: ClipRequest, dry_run: bool = False) -> None:
    """Before rendering: a Short is vertical and at most 60 s; the sign-in must be there (not for a dry run)."""
    if request.format != "vertical":
        raise CerdasError("a YouTube Short is vertical (1080×1920): leave out --format")
    if not dry_run:
        auth.preflight(ctx.settings, ctx.env)
    _, span, _, _ = check_request(ctx, request)
    if span.duration > SHORT_MAX:
        raise CerdasError(
            f"the clip is {span.duration:.1f} s; a YouTube Short is at most {SHORT_MAX:g} s: make it shorter",
            ctx.workspace.words(request.slug),
        )


def full_episode_link(episode: Episode, settings: Settings, start: float) -> str:
    """The episode's own YouTube video when it can be watched, else its page at the clip's moment."""
    video = episode.youtube
    if video is not None and video.video_id and (video.privacy or "public") == "public":
        return urls.youtube_watch_url(video.video_id)
    return urls.episode_page_url(settings, episode.slug, start)


def short_metadata(episode: Episode, settings: Settings, clip: ClipRecord, text: str) -> VideoMetadata:
    """Title (≤ 100 characters, ending in #Shorts), description (the words, the link, #Shorts), tags, status."""
    lang = settings.show.language.split("-")[0]
    base = " ".join(clean_text(clip.title or episode.title).split())
    room = TITLE_MAX - len(HASHTAG) - 1
    title = (base if len(base) <= room else base[: room - 1].rstrip() + "…") + f" {HASHTAG}"
    link = full_episode_link(episode, settings, clip.start)
    said = clean_text(text)
    if len(said) > 3000:
        said = said[:2999] + "…"
    description = (
        f"“{said}”\n\n{clean_text(settings.show.title)}: {clean_text(episode.title)}\n"
        f"{_FULL.get(lang, _FULL['en'])}: {link}\n\n{HASHTAG}"
    )
    tags, _ = fit_tags(["Shorts", *settings.youtube.tags, settings.show.title])
    yt = settings.youtube
    return VideoMetadata(
        title=title,
        description=description,
        tags=tags,
        category_id=yt.category_id,
        language=settings.show.language,
        privacy=yt.privacy,
        made_for_kids=yt.made_for_kids,
    )


def upload_short(ctx: Context, slug: str, clip: ClipRecord, dry_run: bool = False) -> dict[str, Any]:
    """Upload the clip as a Short (or, with ``dry_run``, say what would be sent); returns the id and the steps."""
    ws, settings = ctx.workspace, ctx.settings
    episode = load_episode(ws, slug)
    video_rel = clip.files.get("video", "")
    path = ws.resolve(video_rel)
    if clip.duration > SHORT_MAX + 0.05:
        raise CerdasError(f"the clip is {clip.duration:.1f} s; a YouTube Short is at most {SHORT_MAX:g} s", path)
    text = _clip_text(ctx, slug, clip)
    meta = short_metadata(episode, settings, clip, text)
    journal = Journal.load(ws.clip_journal(path))
    steps: list[str] = []
    if journal.video_id:
        return {
            "video_id": journal.video_id,
            "steps": [f"already on YouTube as {journal.video_id}"],
            "dry_run": dry_run,
        }
    size = path.stat().st_size
    if dry_run:
        steps.append(f"would upload {ws.relative(path)} ({size / 1e6:.1f} MB) as {meta.privacy}")
        steps += [f"title: {meta.title}", "description:", *("  " + line for line in meta.description.splitlines())]
        return {"video_id": None, "steps": steps, "dry_run": True}
    auth.preflight(settings, ctx.env)
    digest = sha256_file(path)
    if digest != journal.file_sha256 or size != journal.file_size:
        journal.session_uri, journal.confirmed_bytes = "", 0
    journal.file, journal.file_size, journal.file_sha256 = ws.relative(path), size, digest
    journal.save()
    client = auth.connect(ctx.env, ws.root).youtube
    backoff = Backoff.parse(ctx.env.youtube_backoff)
    bar = ctx.reporter.progress("Mengunggah Short", float(size), "B")
    try:
        video_id = upload_video(client, journal, path, meta.body(), settings.youtube.chunk_kib * 1024, backoff, bar)
    except (QuotaStop, GaveUp) as exc:
        raise CerdasError(
            f"YouTube stopped the Short's upload ({exc}); run the command again to continue", path
        ) from exc
    finally:
        bar.close()
    with ws.lock():
        set_short(ws, slug, video_rel, video_id)
    steps.append(f"uploaded as {meta.privacy}: {urls.youtube_watch_url(video_id)}")
    return {"video_id": video_id, "steps": steps, "dry_run": False}


def _clip_text(ctx: Context, slug: str, clip: ClipRecord) -> str:
    return join_words(words_between(episode_words(ctx.workspace, slug), clip.start, clip.end + 0.001))

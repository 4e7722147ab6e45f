"""Editing an episode: its transcript, chapters, metadata and cover. Each save answers with the job that
rebuilds what shows it, or 409 when what it edited changed elsewhere (another tab, a hand edit)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cerdas.episode import Chapter as EpisodeChapter
from cerdas.episode import check_title, load_episode, parse_when
from cerdas.errors import CerdasError, VersionConflict
from cerdas.revise import (
    EpisodeChanges,
    chapters_version,
    check_changes,
    metadata_version,
    read_transcript,
    save_transcript,
)
from cerdas.studio.routes_api import ERRORS, IMAGE_FIELDS, check_uploads, require_episode
from cerdas.studio.schemas import Accepted, ChaptersIn, ChaptersOut, MetadataIn, TranscriptIn, TranscriptOut
from cerdas.studio.templating import studio_of
from cerdas.studio.uploads import receive_form
from cerdas.studio.views import speaker_names
from cerdas.studio.work import STAGE_NAMES, chapters_param
from cerdas.transcribe.formats import Segment
from cerdas.transcribe.words import load_words
from cerdas.workspace import Workspace

router = APIRouter(prefix="/api/episodes/{slug}", tags=["editing"])


@router.get("/transcript", response_model=TranscriptOut, responses=ERRORS, summary="The transcript's cues")
def get_transcript(request: Request, slug: str) -> dict[str, Any]:
    studio = studio_of(request)
    require_episode(studio, slug)
    ws, settings = studio.ws, studio.settings()
    episode = load_episode(ws, slug)
    cues, version = read_transcript(ws, slug)
    used = [c.speaker for c in cues if c.speaker]
    has_audio = ws.published_audio(slug).is_file() or ws.normalised_audio(slug).is_file()
    return {
        "slug": slug,
        "version": version,
        "cues": [{"start": c.start, "end": c.end, "text": c.text, "speaker": c.speaker} for c in cues],
        "speakers": speaker_names(settings, episode, used),
        "vocabulary": list(settings.whisper.vocabulary),
        "audio": f"/api/episodes/{slug}/audio" if has_audio else None,
        "duration": episode.duration,
        "words": transcript_words(ws, slug),
    }


def transcript_words(ws: Workspace, slug: str) -> list[list[Any]] | None:
    """Whisper's words beside the transcript, by time ([start, end, text, probability]); None when not kept.
    A damaged words file only costs the word-level features, never the editor."""
    path = ws.words(slug)
    if not path.is_file():
        return None
    try:
        words = load_words(path)
    except CerdasError:
        return None
    return [[w.start, w.end, w.text, w.probability] for w in sorted(words, key=lambda w: w.start)]


@router.put(
    "/transcript",
    status_code=202,
    response_model=Accepted,
    responses=ERRORS,
    summary="Save corrected cues; answers with the rebuild job (409: changed elsewhere, reload)",
)
def put_transcript(request: Request, slug: str, body: TranscriptIn) -> dict[str, Any]:
    studio = studio_of(request)
    require_episode(studio, slug)
    cues = [Segment(c.start, c.end, c.text, c.speaker) for c in body.cues]
    version = save_transcript(studio.ws, slug, cues, body.version)
    title = load_episode(studio.ws, slug).title
    job = studio.submit("transcript", title, {"slug": slug}, STAGE_NAMES, slug=slug)
    return {"job": job.public(), "version": version}


@router.get("/chapters", response_model=ChaptersOut, responses=ERRORS, summary="The episode's chapters")
def get_chapters(request: Request, slug: str) -> dict[str, Any]:
    studio = studio_of(request)
    require_episode(studio, slug)
    episode = load_episode(studio.ws, slug)
    return {
        "slug": slug,
        "version": chapters_version(episode),
        "chapters": [{"start": c.start, "title": c.title} for c in episode.chapters],
        "duration": episode.duration,
    }


@router.put(
    "/chapters",
    status_code=202,
    response_model=Accepted,
    responses=ERRORS,
    summary="Replace the chapters (ID3, feed and YouTube description follow); 409 when changed elsewhere",
)
def put_chapters(request: Request, slug: str, body: ChaptersIn) -> dict[str, Any]:
    studio = studio_of(request)
    require_episode(studio, slug)
    episode = load_episode(studio.ws, slug)
    if chapters_version(episode) != body.version:
        raise VersionConflict("the chapters changed elsewhere; reload and edit again", studio.ws.episode_file(slug))
    changes = check_changes(
        EpisodeChanges(chapters=[EpisodeChapter(c.start, c.title) for c in body.chapters]), episode, studio.ws
    )
    params = {
        "slug": slug,
        "changes": {"chapters": chapters_param(changes.chapters)},
        "expected": {"chapters": body.version},
    }
    job = studio.submit("revise", episode.title, params, STAGE_NAMES, slug=slug)
    return {"job": job.public(), "version": None}


@router.put(
    "/metadata",
    status_code=202,
    response_model=Accepted,
    responses=ERRORS,
    summary="Change title, number, description, guests, draft or publication time; answers with the job",
)
def put_metadata(request: Request, slug: str, body: MetadataIn) -> dict[str, Any]:
    studio = studio_of(request)
    require_episode(studio, slug)
    episode = load_episode(studio.ws, slug)
    if metadata_version(episode) != body.version:
        raise VersionConflict("the episode changed elsewhere; reload and edit again", studio.ws.episode_file(slug))
    changes = EpisodeChanges(
        title=check_title(body.title) if body.title is not None else None,
        number=body.number,
        description=body.description,
        guests=body.guests,
        draft=body.draft,
        publish_at=parse_when(body.publish_at) if body.publish_at else None,
    )
    check_changes(changes, episode, studio.ws)
    raw = {
        "title": changes.title,
        "number": changes.number,
        "description": changes.description,
        "guests": changes.guests,
        "draft": changes.draft,
        "publish_at": changes.publish_at.isoformat() if changes.publish_at else None,
    }
    params = {"slug": slug, "changes": raw, "expected": {"metadata": body.version}, "youtube": body.youtube}
    job = studio.submit("revise", changes.title or episode.title, params, STAGE_NAMES, slug=slug)
    return {"job": job.public(), "version": None}


@router.put(
    "/cover",
    status_code=202,
    response_model=Accepted,
    responses=ERRORS,
    summary="A new cover image (multipart field 'cover'); answers with the job that re-tags and rebuilds",
)
async def put_cover(request: Request, slug: str) -> dict[str, Any]:
    studio = studio_of(request)
    require_episode(studio, slug)
    form = await receive_form(request, studio.ws, IMAGE_FIELDS)
    try:
        cover = form.files.get("cover")
        if cover is None:
            raise CerdasError("choose an image (the 'cover' field)")
        check_uploads(studio, form)
    except BaseException:
        form.discard()
        raise
    episode = load_episode(studio.ws, slug)
    params = {"slug": slug, "changes": {"cover": studio.ws.relative(cover.path)}}
    job = studio.submit("revise", episode.title, params, STAGE_NAMES, slug=slug)
    return {"job": job.public(), "version": None}

"""The JSON API of episodes and jobs: list, create (a streamed upload that answers with a job), watch, retry.

Routes are thin: they parse, call the library, and let the error boundary turn its errors into a 4xx.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response, StreamingResponse

from cerdas.artwork import open_image
from cerdas.chapters import parse_timestamp
from cerdas.episode import Chapter, check_title, load_episode, parse_when
from cerdas.errors import CerdasError
from cerdas.media.ffmpeg import FFmpeg
from cerdas.media.ingest import check_source
from cerdas.studio.errors import MissingError
from cerdas.studio.jobs import FINISHED, Job
from cerdas.studio.schemas import Accepted, JobOut, Problem
from cerdas.studio.state import Studio
from cerdas.studio.templating import studio_of
from cerdas.studio.uploads import Form, UploadedFile, keep_recording, receive_form
from cerdas.studio.views import episode_view, episodes_view
from cerdas.studio.work import STAGE_NAMES, chapters_param

router = APIRouter(prefix="/api", tags=["episodes and jobs"])
ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": Problem}, 404: {"model": Problem}, 409: {"model": Problem}}
IMAGE_FIELDS = {"cover"}


def find_job(studio: Studio, job_id: str) -> Job:
    job = studio.store.get(job_id)
    if job is None:
        raise MissingError(f"no job {job_id!r}")
    return job


def require_episode(studio: Studio, slug: str) -> None:
    if not studio.ws.episode_file(slug).is_file():
        raise MissingError(f"no episode {slug!r}", studio.ws.episodes_dir)


@router.get("/episodes", summary="Every episode, newest first, with its state")
def list_all(request: Request) -> list[dict[str, Any]]:
    studio = studio_of(request)
    return episodes_view(studio.ws, studio.settings(), studio.store.all())


@router.get("/episodes/{slug}", summary="One episode", responses=ERRORS)
def one(request: Request, slug: str) -> dict[str, Any]:
    studio = studio_of(request)
    require_episode(studio, slug)
    jobs = [j for j in studio.store.all() if j.slug == slug]
    return episode_view(studio.ws, studio.settings(), load_episode(studio.ws, slug), jobs[0] if jobs else None)


def parse_chapters(text: str) -> list[Chapter]:
    """``HH:MM:SS title`` lines (as in a chapters file), for the form's chapters field."""
    chapters = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        stamp, _, title = line.strip().partition(" ")
        try:
            chapters.append(Chapter(parse_timestamp(stamp), title.strip(" -–—")))
        except ValueError:
            raise CerdasError(f"chapters, line {number}: not 'HH:MM:SS title': {line.strip()[:60]!r}") from None
    return chapters


def publish_params(form: Form, recording: str, cover: str | None) -> dict[str, Any]:
    """The form's values checked as ``cerdas publish`` checks its options (before anything is queued)."""
    number = (form.text("number") or "").strip()
    when = (form.text("when") or "").strip()  # absent: as the CLI without --draft (a known episode keeps its state)
    if when not in ("", "now", "draft", "at"):
        raise CerdasError(f"'when' must be now, draft or at, not {when[:20]!r}")
    publish_at = (form.text("publish_at") or "").strip()
    if number and not number.isdigit():
        raise CerdasError(f"episode number must be a whole number 0 or more, not {number[:20]!r}")
    if when == "at" and not publish_at:
        raise CerdasError("choose the date and time to publish, or publish now")
    guests = [g.strip() for g in (form.text("guests") or "").splitlines() if g.strip()]
    chapters = parse_chapters(form.text("chapters") or "")
    return {
        "source": recording,
        "title": check_title(form.text("title") or ""),
        "number": int(number) if number else None,
        "description": (form.text("description") or "").strip() or None,
        "guests": guests or None,
        "chapters": chapters_param(chapters) if chapters else None,
        "cover": cover,
        "draft": True if when == "draft" else (False if when in ("now", "at") else None),
        "publish_at": parse_when(publish_at).isoformat() if when == "at" else None,
        "youtube": (form.text("youtube") or "").lower() in ("1", "on", "true", "yes"),
    }


def check_uploads(studio: Studio, form: Form) -> None:
    """ffprobe's verdict on the recording and Pillow's on the cover, with the CLI's one-line reasons, naming
    each file as the producer called it."""
    recording, cover = form.files.get("file"), form.files.get("cover")
    for upload, check in ((recording, _probe), (cover, _image)):
        if upload is None:
            continue
        try:
            check(studio, upload)
        except CerdasError as exc:
            raise CerdasError(str(exc).replace(str(upload.path), upload.filename)) from exc


def _probe(studio: Studio, upload: UploadedFile) -> None:
    check_source(upload.path, FFmpeg.from_env(studio.env))


def _image(studio: Studio, upload: UploadedFile) -> None:
    open_image(upload.path)


@router.post(
    "/episodes",
    status_code=202,
    response_model=Accepted,
    responses=ERRORS,
    summary="Publish a recording (multipart: file, title, optional metadata); answers with the job",
    description="Fields: `file` (the recording), `title`, `number`, `description`, `guests` (one per line), "
    "`chapters` ('HH:MM:SS title' lines), `cover` (an image), `when` (now, draft or at), `publish_at` "
    "(ISO 8601, with when=at), `youtube` (on/off). The upload streams to disk; ffprobe checks it before "
    "the job is queued.",
)
async def create(request: Request) -> dict[str, Any]:
    studio = studio_of(request)
    form = await receive_form(request, studio.ws, {"file", *IMAGE_FIELDS})
    try:
        upload = form.files.get("file")
        if upload is None:
            raise CerdasError("choose a recording (the 'file' field) to publish")
        await anyio.to_thread.run_sync(check_uploads, studio, form)
        params = publish_params(form, "", None)
    except BaseException:
        form.discard()
        raise
    recording = keep_recording(studio.ws, upload)
    cover = form.files.get("cover")
    params["source"] = studio.ws.relative(recording)
    params["filename"] = upload.filename
    params["cover"] = studio.ws.relative(cover.path) if cover else None
    job = studio.submit("publish", params["title"], params, STAGE_NAMES)
    return {"job": job.public()}


@router.get("/jobs", summary="Every job, newest first")
def jobs(request: Request) -> list[dict[str, Any]]:
    return [job.public() for job in studio_of(request).store.all()]


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS, summary="One job: status, stage, progress")
def job(request: Request, job_id: str) -> dict[str, Any]:
    return find_job(studio_of(request), job_id).public()


@router.post("/jobs/{job_id}/retry", status_code=202, response_model=Accepted, responses=ERRORS,
             summary="Run a failed or interrupted job again")  # fmt: skip
def retry(request: Request, job_id: str) -> dict[str, Any]:
    studio = studio_of(request)
    return {"job": studio.retry(find_job(studio, job_id)).public()}


@router.get(
    "/jobs/{job_id}/events",
    responses=ERRORS,
    summary="Server-sent events: the job as JSON each time it changes, until it ends",
    response_class=StreamingResponse,
)
async def events(request: Request, job_id: str) -> StreamingResponse:
    studio = studio_of(request)
    find_job(studio, job_id)

    async def stream() -> AsyncIterator[str]:
        last = None
        while True:
            _, data = studio.store.snapshot(job_id)
            if data is not None and data != last:
                last = data
                yield f"data: {json.dumps(data, ensure_ascii=False)}\n\n"
            if data is None or data["status"] in FINISHED or await request.is_disconnected():
                return
            await asyncio.sleep(0.2)  # no thread per open page: polling the store's version is cheap

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-store"})


@router.get("/episodes/{slug}/audio", summary="The episode's audio (byte ranges), for the editors' player")
def audio(request: Request, slug: str) -> Response:
    studio = studio_of(request)
    require_episode(studio, slug)
    for path in (studio.ws.published_audio(slug), studio.ws.normalised_audio(slug)):
        if path.is_file():
            return FileResponse(path, media_type="audio/mpeg", headers={"cache-control": "private, max-age=60"})
    raise MissingError(f"episode {slug!r} has no audio yet")

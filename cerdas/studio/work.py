"""What the studio's jobs do: publish a new recording, apply an edit, rebuild after a transcript correction.

Each is one library call (:func:`cerdas.publish.publish` or :func:`cerdas.revise.revise_episode`) over the
stages of :func:`cerdas.publish.build_stages`, each stage wrapped so the job shows it live. A job's ``params``
are plain JSON (kept on disk, so "run again" works after a restart); paths in them are workspace-relative.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from cerdas.episode import Chapter, list_episodes, load_episode, parse_when
from cerdas.errors import CerdasError
from cerdas.pipeline import Context, Stage, StageReport
from cerdas.publish import PublishRequest, build_stages, publish
from cerdas.revise import EpisodeChanges, revise_episode
from cerdas.studio.jobs import Job
from cerdas.studio.runner import Handler, JobReporter, tracked
from cerdas.studio.state import Studio
from cerdas.transcribe.stage import TranscribeStage

STAGE_NAMES = ["ingest", "loudness", "tag", "transcribe", "youtube", "feed", "search"]


def chapters_from(raw: Any) -> list[Chapter] | None:
    """``[[start, title], ...]`` (as kept in a job's params) as chapters; None keeps the episode's."""
    if raw is None:
        return None
    return [Chapter(float(start), str(title)) for start, title in raw]


def chapters_param(chapters: list[Chapter] | None) -> list[list[Any]] | None:
    return None if chapters is None else [[c.start, c.title] for c in chapters]


def _stages(ctx: Context, reporter: JobReporter, from_vtt: bool = False) -> list[Stage]:
    stages = build_stages(ctx)
    if from_vtt:  # a corrected transcript: regenerate from it, never load Whisper
        stages = [TranscribeStage("from_vtt") if s.name == "transcribe" else s for s in stages]
    return [tracked(s, reporter) for s in stages]


def _path(studio: Studio, stored: Any) -> Path | None:
    return studio.ws.resolve(str(stored)) if stored else None


def run_publish(studio: Studio, job: Job, reporter: JobReporter) -> list[StageReport]:
    """A new recording (or a known one again): ``cerdas publish`` with the form's values."""
    p = job.params
    ctx = studio.context(reporter, youtube=bool(p.get("youtube", True)))
    source = _path(studio, p["source"])
    assert source is not None
    request = PublishRequest(
        source=source,
        title=str(p["title"]),
        number=p.get("number"),
        description=p.get("description"),
        guests=p.get("guests"),
        chapters=chapters_from(p.get("chapters")),
        cover=_path(studio, p.get("cover")),
        draft=p.get("draft"),
        publish_at=parse_when(p["publish_at"]) if p.get("publish_at") else None,
    )
    try:
        result = publish(request, ctx, _stages(ctx, reporter))
    except CerdasError as exc:
        _forget_refused_recording(studio, source, exc)
        if p.get("filename") and exc.path is not None and exc.path.resolve() == source.resolve():
            named = str(exc).replace(str(exc.path), str(p["filename"]), 1)  # the file as the producer knows it
            raise CerdasError(named) from exc
        raise
    _remove_upload(request.cover)
    return result.reports


def _forget_refused_recording(studio: Studio, source: Path, exc: CerdasError) -> None:
    """A recording the pipeline refused (corrupt, silent) that no episode uses is deleted: nothing stray stays.
    Any other failure (a sign-in, a full disk) keeps it, so that "run again" can finish the work."""
    if exc.path is None or exc.path.resolve() != source.resolve():
        return
    if any(studio.ws.resolve(e.source).resolve() == source.resolve() for e in list_episodes(studio.ws)):
        return
    if source.parent.resolve() == studio.ws.recordings_dir.resolve():
        source.unlink(missing_ok=True)


def _remove_upload(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def run_revise(studio: Studio, job: Job, reporter: JobReporter) -> list[StageReport]:
    """An edit of the metadata, chapters or cover, then every stage that shows them."""
    p = job.params
    slug = str(p["slug"])
    raw = p.get("changes", {})
    changes = EpisodeChanges(
        title=raw.get("title"),
        number=raw.get("number"),
        description=raw.get("description"),
        guests=raw.get("guests"),
        chapters=chapters_from(raw.get("chapters")),
        cover=_path(studio, raw.get("cover")),
        draft=raw.get("draft"),
        publish_at=parse_when(raw["publish_at"]) if raw.get("publish_at") else None,
    )
    youtube = p.get("youtube")
    if youtube is None:
        youtube = load_episode(studio.ws, slug).youtube is not None  # keep a published video up to date
    ctx = studio.context(reporter, youtube=bool(youtube))
    reporter.stage_started("", slug)
    result = revise_episode(ctx, slug, changes, p.get("expected"), _stages(ctx, reporter))
    _remove_upload(changes.cover)
    return result.reports


def run_transcript(studio: Studio, job: Job, reporter: JobReporter) -> list[StageReport]:
    """After a transcript was saved: SRT/JSON/TXT from the VTT, then feed, site, search and YouTube captions
    (for an episode already on YouTube; nothing new is uploaded)."""
    slug = str(job.params["slug"])
    episode = load_episode(studio.ws, slug)
    ctx = replace(studio.context(reporter), youtube=episode.youtube is not None)
    reporter.stage_started("", slug)
    return revise_episode(ctx, slug, None, None, _stages(ctx, reporter, from_vtt=True)).reports


def handlers(studio: Studio) -> dict[str, Handler]:
    """The job kinds and their work, for the runner."""
    return {
        "publish": lambda job, rep: run_publish(studio, job, rep),
        "revise": lambda job, rep: run_revise(studio, job, rep),
        "transcript": lambda job, rep: run_transcript(studio, job, rep),
    }

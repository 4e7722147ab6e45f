"""What the studio shows of an episode, the same for the pages and the JSON API."""

from __future__ import annotations

from typing import Any

from cerdas import urls
from cerdas.episode import Episode, list_episodes
from cerdas.errors import CerdasError
from cerdas.facts import TranscribeFacts
from cerdas.fsutil import sha256_file
from cerdas.revise import chapters_version, metadata_version
from cerdas.settings import Settings
from cerdas.studio.jobs import Job
from cerdas.workspace import Workspace
from cerdas.youtube.upload import Journal


def transcript_state(ws: Workspace, episode: Episode) -> str:
    """``none``, ``automatic`` (as Whisper made it) or ``corrected`` (edited in the studio or by hand)."""
    vtt = ws.transcript(episode.slug, "vtt")
    if not vtt.is_file():
        return "none"
    facts = episode.facts(TranscribeFacts)
    if facts is None or facts.source == "vtt":
        return "corrected"
    return "automatic" if sha256_file(vtt) == facts.vtt_sha256 else "corrected"


def youtube_state(ws: Workspace, episode: Episode, last_job: Job | None) -> dict[str, Any]:
    """``off``, ``uploaded`` (with its privacy), ``waiting`` (quota, with the reason) or ``failed`` (the reason)."""
    try:
        journal = Journal.load(ws.youtube_journal(episode.slug))
    except CerdasError as exc:
        return {"state": "failed", "reason": str(exc), "privacy": None, "url": None}
    video = episode.youtube
    failed = last_job is not None and last_job.status == "failed" and _failed_at(last_job) == "youtube"
    if failed and last_job is not None:
        return {"state": "failed", "reason": last_job.error, "privacy": None, "url": video.url if video else None}
    if video is None:
        state = "waiting" if journal.waiting else "off"
        return {"state": state, "reason": journal.waiting or None, "privacy": None, "url": None}
    return {
        "state": "waiting" if journal.waiting or video.state == "waiting" else "uploaded",
        "reason": journal.waiting or None,
        "privacy": video.privacy,
        "url": video.url or urls.youtube_watch_url(video.video_id),
    }


def _local_time(episode: Episode) -> str:
    """The publication moment in this machine's time zone, as a datetime-local field shows it."""
    try:
        return episode.published_at().astimezone().strftime("%Y-%m-%dT%H:%M")
    except CerdasError:
        return ""


def _failed_at(job: Job) -> str:
    return next((s.name for s in job.stages if s.status == "failed"), "")


def episode_view(ws: Workspace, settings: Settings, episode: Episode, last_job: Job | None = None) -> dict[str, Any]:
    """One episode for the list and the API: metadata, state, transcript, YouTube, links and versions."""
    try:
        state: str = episode.state()
    except CerdasError:
        state = "incomplete"
    return {
        "slug": episode.slug,
        "title": episode.title,
        "number": episode.number,
        "description": episode.description,
        "guests": list(episode.guests),
        "chapters": [{"start": c.start, "title": c.title} for c in episode.chapters],
        "state": state,
        "feed_problem": episode.feed_problem.reason if episode.feed_problem is not None else None,
        "draft": episode.draft,
        "pub_date": episode.pub_date,
        "pub_date_local": _local_time(episode),
        "created": episode.created,
        "duration": round(episode.duration, 3),
        "transcript": transcript_state(ws, episode),
        "youtube": youtube_state(ws, episode, last_job),
        "page_url": urls.episode_page_url(settings, episode.slug) if state == "published" else None,
        "has_audio": episode.published_audio is not None and ws.published_audio(episode.slug).is_file(),
        "metadata_version": metadata_version(episode),
        "chapters_version": chapters_version(episode),
        "last_job": last_job.public() if last_job is not None else None,
    }


def episodes_view(
    ws: Workspace, settings: Settings, jobs: list[Job], broken: dict[str, CerdasError] | None = None
) -> list[dict[str, Any]]:
    """Every episode, newest first, each with its latest job. An episode whose journal cannot be read goes into
    ``broken`` (slug → the one-line error) instead of hiding the others."""
    latest: dict[str, Job] = {}
    for job in jobs:  # newest first
        if job.slug and job.slug not in latest:
            latest[job.slug] = job
    found = list_episodes(ws, broken=broken if broken is not None else {})
    episodes = sorted(found, key=lambda e: (e.pub_date or e.created, e.number or 0), reverse=True)
    return [episode_view(ws, settings, e, latest.get(e.slug)) for e in episodes]


def speaker_names(settings: Settings, episode: Episode, used: list[str]) -> list[str]:
    """Who may speak in an episode: its guests, the show's hosts, then names already in its transcript."""
    names: list[str] = []
    for name in [*episode.guests, *settings.show.hosts, *used]:
        if name and name not in names:
            names.append(name)
    return names

"""Changing an episode after its first publish: metadata, chapters, cover, the corrected transcript.

The studio (and any script) edits an episode here, never by writing its files itself. Every change is checked
with the same rules ``cerdas publish`` applies, then the same stages run over the episode (:func:`revise_episode`):
a new title re-tags the MP3 and rebuilds the feed, new chapters reach the ID3 tags, the feed and the YouTube
description, a corrected transcript regenerates SRT/JSON/TXT and rebuilds the feed, site, search index and the
YouTube captions. There is no second pipeline.

Edits carry the *version* they were made on (a short hash of what was read); a stale version is refused with
:class:`~cerdas.errors.VersionConflict`, so two browser tabs never silently overwrite each other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cerdas.artwork import check_cover
from cerdas.chapters import chapter_problems, format_timestamp
from cerdas.episode import Chapter, Episode, check_title, load_episode, save_episode
from cerdas.errors import CerdasError, VersionConflict
from cerdas.fsutil import atomic_write_text, fingerprint, sha256_file
from cerdas.metadata import clean_text, metadata_problems
from cerdas.notes import strip_control
from cerdas.pipeline import Context, Stage, check_stages, run_pipeline
from cerdas.publish import PublishResult, _keep_cover, build_stages
from cerdas.report import NullReporter, Reporter
from cerdas.transcribe.formats import Segment, load_vtt, to_vtt
from cerdas.workspace import Workspace

MAX_CUES = 20_000
MAX_CUE_TEXT = 1_000
MAX_SPEAKER = 100
STUDIO_NOTE = "Dikoreksi di Cerdas Studio. Perbaiki teks di file ini atau di studio; waktu tiap cue tetap."

_save_lock = threading.Lock()  # one transcript save at a time in this process (compare-then-replace)


@dataclass
class EpisodeChanges:
    """What an edit sets; ``None`` keeps the episode's value (as in :class:`~cerdas.publish.PublishRequest`)."""

    title: str | None = None
    number: int | None = None
    description: str | None = None
    guests: list[str] | None = None
    chapters: list[Chapter] | None = None
    cover: Path | None = None
    draft: bool | None = None
    publish_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# -- versions ---------------------------------------------------------------------------------------------


def metadata_version(episode: Episode) -> str:
    """The version of what the metadata form edits (a change by anyone else gives another value)."""
    fields = [episode.title, episode.number, episode.description, episode.guests, episode.cover, episode.draft]
    return fingerprint([*fields, episode.pub_date])[:16]


def chapters_version(episode: Episode) -> str:
    """The version of the episode's chapters."""
    return fingerprint([[c.start, c.title, c.url, c.img] for c in episode.chapters])[:16]


def transcript_version(ws: Workspace, slug: str) -> str:
    """The version of ``transcripts/<slug>.vtt``: its sha256 (a hand edit in a text editor changes it too)."""
    path = ws.transcript(slug, "vtt")
    if not path.is_file():
        raise CerdasError("this episode has no transcript yet (it is made by the transcribe stage)", path)
    return sha256_file(path)[:16]


# -- checks -----------------------------------------------------------------------------------------------


def check_cues(cues: list[Segment], duration: float = 0.0) -> list[Segment]:
    """Cues an editor sent, checked and in time order; a cue whose text was emptied is dropped.

    Control characters are removed (the one rule of every output). Refused with a line naming the cue: negative
    or reversed times, a text or speaker too long, a text holding ``-->`` (it would end the cue in VTT readers).
    """
    if len(cues) > MAX_CUES:
        raise CerdasError(f"{len(cues)} cues; the limit is {MAX_CUES}")
    out = []
    for number, cue in enumerate(cues, 1):
        where = f"cue {number}"
        if not (cue.start >= 0 and cue.end >= cue.start):
            raise CerdasError(f"{where}: times must be 0 or more and end after the start")
        if duration > 0 and cue.start > duration + 1:
            raise CerdasError(f"{where}: starts at {format_timestamp(cue.start)}, after the end of the episode")
        lines = [" ".join(line.split()) for line in strip_control(cue.text.replace("\r\n", "\n")).split("\n")]
        text = "\n".join(line for line in lines if line)
        if len(text) > MAX_CUE_TEXT:
            raise CerdasError(f"{where}: {len(text)} characters; the limit is {MAX_CUE_TEXT}")
        if "-->" in text:
            raise CerdasError(f"{where}: the text must not contain '-->'")
        speaker = " ".join(strip_control(cue.speaker).split())
        if len(speaker) > MAX_SPEAKER or "-->" in speaker:
            raise CerdasError(f"{where}: the speaker's name is too long or holds '-->'")
        if text:
            out.append(Segment(round(cue.start, 3), round(cue.end, 3), text, speaker))
    return sorted(out, key=lambda c: (c.start, c.end))


def check_chapter_list(chapters: list[Chapter], duration: float, where: Path | str) -> list[Chapter]:
    """Chapters an editor sent, sorted, checked by the rules of every output (:func:`chapter_problems`)."""
    out = sorted((Chapter(round(c.start, 3), " ".join(c.title.split()), c.url, c.img) for c in chapters),
                 key=lambda c: c.start)  # fmt: skip
    problems = chapter_problems(out, duration)
    if problems:
        raise CerdasError(problems[0], where)
    return out


def check_changes(
    changes: EpisodeChanges, episode: Episode, ws: Workspace, reporter: Reporter | None = None
) -> EpisodeChanges:
    """Every change checked with publish's rules before any work (raises :class:`CerdasError`); control
    characters are removed from what was typed, with a warning, as ``publish`` does."""
    reporter = reporter or NullReporter()
    if changes.title is not None:
        changes.title = check_title(changes.title)
    if changes.number is not None and changes.number < 0:
        raise CerdasError(f"episode number must be 0 or more, not {changes.number}")
    if changes.description is not None:
        changes.description = clean_text(changes.description.replace("\r\n", "\n"), "the description", reporter)
    if changes.guests is not None:
        guests = [" ".join(clean_text(g, "a guest's name", reporter).split()) for g in changes.guests]
        changes.guests = [g for g in guests if g]
    if changes.chapters is not None:
        for i, chapter in enumerate(changes.chapters, 1):
            chapter.title = clean_text(chapter.title, f"chapter {i}", reporter)
        changes.chapters = check_chapter_list(changes.chapters, episode.duration, ws.episode_file(episode.slug))
    if changes.cover is not None:
        changes.extra["cover_ext"] = check_cover(changes.cover)
    trial = Episode.from_dict(episode.to_dict())
    apply_changes(ws, trial, changes, dry=True)
    problems = metadata_problems(trial, ws, cover=changes.cover)  # what no output could carry
    if problems:
        raise CerdasError(f"{problems[0]}; nothing was changed")
    return changes


# -- applying -----------------------------------------------------------------------------------------------


def apply_changes(ws: Workspace, episode: Episode, changes: EpisodeChanges, dry: bool = False) -> None:
    """Set what ``changes`` sets on the episode (in memory; the stages save it). ``dry``: copy no file."""
    if changes.title is not None:
        episode.title = changes.title
    if changes.number is not None:
        episode.number = changes.number
    if changes.description is not None:
        episode.description = changes.description.strip()
    if changes.guests is not None:
        episode.guests = changes.guests
    if changes.chapters is not None:
        episode.chapters = changes.chapters
    if changes.cover is not None and not dry:
        episode.cover = _keep_cover(
            ws, episode, changes.cover, changes.extra.get("cover_ext") or check_cover(changes.cover)
        )
    episode.schedule(changes.draft, changes.publish_at)


def revise_episode(
    ctx: Context,
    slug: str,
    changes: EpisodeChanges | None = None,
    expected: dict[str, str] | None = None,
    stages: list[Stage] | None = None,
) -> PublishResult:
    """Apply ``changes`` to episode ``slug`` and run the publish stages over it (only what changed runs).

    ``expected`` maps ``"metadata"``/``"chapters"`` to the version the edit was made on; a stale one raises
    :class:`VersionConflict` before anything is written. Everything is checked before the lock is taken.
    """
    ws = ctx.workspace
    episode = load_episode(ws, slug)
    changes = check_changes(changes or EpisodeChanges(), episode, ws, ctx.reporter)
    stages = stages if stages is not None else build_stages(ctx)
    check_stages(stages, ctx)
    with ws.lock():
        episode = load_episode(ws, slug)  # what is on disk now, after any job that ran before this one
        _check_versions(episode, expected or {}, ws)
        apply_changes(ws, episode, changes)
        reports = run_pipeline(stages, episode, ctx)
        save_episode(ws, episode)
    return PublishResult(episode, False, reports)


def _check_versions(episode: Episode, expected: dict[str, str], ws: Workspace) -> None:
    now = {"metadata": metadata_version(episode), "chapters": chapters_version(episode)}
    for what, version in expected.items():
        if now.get(what) not in (None, version):
            raise VersionConflict(
                f"the episode's {what} changed elsewhere; reload and edit again", ws.episode_file(episode.slug)
            )


# -- the transcript ---------------------------------------------------------------------------------------


def read_transcript(ws: Workspace, slug: str) -> tuple[list[Segment], str]:
    """The cues of ``transcripts/<slug>.vtt`` (the master) and its version."""
    load_episode(ws, slug)
    version = transcript_version(ws, slug)
    return load_vtt(ws.transcript(slug, "vtt")), version


def save_transcript(ws: Workspace, slug: str, cues: list[Segment], version: str) -> str:
    """Write corrected cues to ``transcripts/<slug>.vtt`` atomically (``<v Name>`` for speakers) if the file is
    still at ``version``; returns the new version. Regenerating the other formats and rebuilding what shows the
    transcript is :func:`revise_episode`'s job (the transcribe stage sees a hand-corrected VTT)."""
    episode = load_episode(ws, slug)
    checked = check_cues(cues, episode.duration)
    if not checked:
        raise CerdasError("the transcript would be empty; keep at least one cue", ws.transcript(slug, "vtt"))
    path = ws.transcript(slug, "vtt")
    with _save_lock:
        if transcript_version(ws, slug) != version:
            raise VersionConflict("the transcript changed elsewhere; reload it, then edit again", path)
        atomic_write_text(path, to_vtt(checked, note=STUDIO_NOTE))
    return transcript_version(ws, slug)

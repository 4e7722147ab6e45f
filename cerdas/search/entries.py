"""What an episode contributes to the index: its title, description, chapters and transcript segments, and
the fingerprint that says when it must be indexed again."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cerdas.episode import Episode
from cerdas.errors import CerdasError
from cerdas.fsutil import fingerprint, sha256_file
from cerdas.metadata import one_line
from cerdas.notes import html_to_text, notes_html
from cerdas.transcribe.formats import Segment, is_inaudible, load_json
from cerdas.workspace import Workspace

INDEX_VERSION = 2
"""Bump when the schema, the tokenisation or the stemming rules change: an index of another version is rebuilt.
(2: guests and speakers are searchable.)"""


@dataclass(frozen=True)
class Document:
    """One searchable piece of an episode. ``start`` is None for the title and description."""

    kind: str  # "title", "description", "guest", "chapter", "speaker", "segment"
    text: str
    start: float | None = None
    end: float | None = None
    speaker: str = ""


@dataclass
class EpisodeEntry:
    """An episode as the index holds it."""

    slug: str
    title: str
    number: int | None = None
    pub_date: str = ""
    draft: bool = False
    video_id: str = ""
    fingerprint: str = ""
    signature: str = ""
    documents: list[Document] = field(default_factory=list)


def _statsignature(*paths: Path) -> str:
    parts = []
    for path in paths:
        try:
            st = path.stat()
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except FileNotFoundError:
            parts.append("-")
    return "/".join(parts)


def signature(ws: Workspace, slug: str) -> str:
    return _statsignature(ws.episode_file(slug), ws.transcript(slug, "json"))


def episode_inputs(ws: Workspace, episode: Episode) -> dict[str, Any]:
    """Everything of an episode that the index holds (the transcript by its hash): the stage's inputs."""
    transcript = ws.transcript(episode.slug, "json")
    return {
        "version": INDEX_VERSION,
        "title": episode.title,
        "description": episode.description,
        "number": episode.number,
        "pub_date": episode.pub_date,
        "draft": episode.draft,
        "guests": list(episode.guests),
        "chapters": [[c.start, c.title] for c in episode.chapters],
        "video_id": episode.video_id,
        "transcript": sha256_file(transcript) if transcript.is_file() else None,
    }


def _speakers(segments: list[Segment]) -> list[Document]:
    """Each speaker named in the transcript, found at the moment they first speak."""
    first: dict[str, Segment] = {}
    for seg in segments:
        if seg.speaker and seg.speaker not in first:
            first[seg.speaker] = seg
    return [Document("speaker", name, seg.start, seg.end, name) for name, seg in first.items()]


def episode_entry(ws: Workspace, episode: Episode, inputs: dict[str, Any] | None = None) -> EpisodeEntry:
    """Read what an episode contributes to the index (its transcript JSON, if transcribed); ``inputs``: its
    :func:`episode_inputs` when the caller has them already."""
    inputs = inputs or episode_inputs(ws, episode)
    docs = [Document("title", one_line(episode.title))]
    if episode.description.strip():
        docs.append(Document("description", html_to_text(notes_html(episode.description))))  # as the site shows it
    docs += [Document("guest", one_line(guest)) for guest in episode.guests if guest.strip()]
    chapters = sorted(episode.chapters, key=lambda c: c.start)
    for i, chapter in enumerate(chapters):
        end = chapters[i + 1].start if i + 1 < len(chapters) else chapter.start
        docs.append(Document("chapter", one_line(chapter.title), chapter.start, end))
    transcript = ws.transcript(episode.slug, "json")
    segments: list[Segment] = []
    if inputs["transcript"] is not None:
        with contextlib.suppress(CerdasError):  # a damaged transcript (the feed names it) leaves the rest searchable
            segments = [s for s in load_json(transcript) if s.text.strip() and not is_inaudible(s.text)]
    docs += _speakers(segments)
    docs += [Document("segment", s.text.strip(), s.start, s.end, s.speaker) for s in segments]
    return EpisodeEntry(
        slug=episode.slug,
        title=one_line(episode.title),
        number=episode.number,
        pub_date=episode.pub_date,
        draft=episode.draft,
        video_id=inputs["video_id"],
        fingerprint=fingerprint(inputs),
        signature=signature(ws, episode.slug),
        documents=docs,
    )

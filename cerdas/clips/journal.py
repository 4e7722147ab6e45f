"""Clips remembered in the episode's journal (``[[clips]]`` in ``episode.toml``) and listed by ``cerdas clips``."""

from __future__ import annotations

from dataclasses import dataclass

from cerdas.episode import Episode, list_episodes, load_episode, save_episode
from cerdas.errors import CerdasError
from cerdas.facts import ClipRecord
from cerdas.workspace import Workspace


def record_clip(ws: Workspace, slug: str, record: ClipRecord) -> ClipRecord:
    """Add ``record`` to the episode (a clip written to the same file replaces the earlier one); the caller
    holds the workspace lock. A Short already uploaded from that very span and format keeps its id."""
    episode = load_episode(ws, slug)
    video = record.files.get("video")
    kept: list[ClipRecord] = []
    for old in episode.clips:
        if old.files.get("video") == video:
            if (old.start, old.end, old.format) == (record.start, record.end, record.format):
                record = ClipRecord(**{**vars(record), "short_id": old.short_id})
            elif video:
                # another moment written over the same file: its Short (and upload journal) was the old one's
                ws.clip_journal(ws.resolve(video)).unlink(missing_ok=True)
            continue
        kept.append(old)
    episode.clips = [*kept, record]
    save_episode(ws, episode)
    return record


def set_short(ws: Workspace, slug: str, video: str, short_id: str) -> None:
    """Note the YouTube Short's id on the clip whose video file is ``video`` (workspace-relative)."""
    episode = load_episode(ws, slug)
    episode.clips = [
        ClipRecord(**{**vars(c), "short_id": short_id}) if c.files.get("video") == video else c for c in episode.clips
    ]
    save_episode(ws, episode)


@dataclass(frozen=True)
class ListedClip:
    episode: Episode
    clip: ClipRecord
    present: bool  # the video file is still there


def list_clips(ws: Workspace, slug: str | None = None) -> list[ListedClip]:
    """Every remembered clip (of one episode, or of all), in episode order then by start."""
    episodes = [load_episode(ws, slug)] if slug is not None else list_episodes(ws)
    out = []
    for episode in episodes:
        for clip in sorted(episode.clips, key=lambda c: (c.start, c.format)):
            video = clip.files.get("video", "")
            out.append(ListedClip(episode, clip, bool(video) and ws.resolve(video).is_file()))
    return out


def find_clip(ws: Workspace, slug: str, video: str) -> ClipRecord:
    """The clip of ``slug`` whose video is ``video`` (workspace-relative), or a one-line error."""
    for clip in load_episode(ws, slug).clips:
        if clip.files.get("video") == video:
            return clip
    raise CerdasError(f"episode {slug!r} has no clip {video!r} (see 'cerdas clips {slug}')")

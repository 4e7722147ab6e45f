"""What counting needs to know of each episode's enclosure: its size, its ID3 tag's size, a minute of audio."""

from __future__ import annotations

from pathlib import Path

from cerdas.episode import list_episodes
from cerdas.facts import TagFacts
from cerdas.stats.iab import Target
from cerdas.workspace import Workspace


def id3_size(path: Path) -> int:
    """Bytes of the ID3v2 tag at the start of an MP3 (header, frames, padding, footer); 0 without one."""
    try:
        with path.open("rb") as f:
            header = f.read(10)
    except OSError:
        return 0
    if len(header) < 10 or not header.startswith(b"ID3") or any(b & 0x80 for b in header[6:10]):
        return 0
    size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9]
    footer = 10 if header[5] & 0x10 else 0
    return 10 + size + footer


def target_for(slug: str, size: int, duration: float, tag: int) -> Target:
    """The target of one enclosure: a minute is the audio's average bitrate × 60 s, or all of it if shorter."""
    audio = max(size - tag, 1)
    minute = audio if duration <= 60 else min(audio, int(audio * 60 / duration))
    return Target(slug=slug, size=size, tag=tag, minute=max(minute, 1))


def episode_targets(ws: Workspace) -> dict[str, Target]:
    """Every episode with published audio, by slug."""
    out = {}
    for episode in list_episodes(ws):
        facts = episode.facts(TagFacts)
        if facts is None or facts.bytes <= 0:
            continue
        tag = id3_size(ws.published_audio(episode.slug))
        out[episode.slug] = target_for(episode.slug, facts.bytes, facts.duration, tag)
    return out

"""Episodes for feed and site tests: generated ones (episode.toml + a tiny MP3, no pipeline: fast, and the
benchmark's 500) and transcript files written the way the transcribe stage lays them out."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

from PIL import Image

from cerdas.episode import Chapter, Episode, EpisodeType, StageRecord, save_episode
from cerdas.facts import TagFacts, YouTubeVideo, from_data
from cerdas.transcribe.formats import Segment
from cerdas.workspace import Workspace
from tests.media import ffmpeg

SAMPLE_SEGMENTS = [
    Segment(0.0, 4.0, "Selamat datang di Podcast Cerdas, cerita integritas dari Balikpapan.", "Pembawa acara"),
    Segment(4.2, 9.0, "Hari ini kita membahas gratifikasi dan cara melaporkannya.", "Pembawa acara"),
    Segment(12.5, 18.0, "Gratifikasi wajib dilaporkan dalam tiga puluh hari kerja.", "Tamu"),
    Segment(18.1, 24.0, "Pelaporan bisa dilakukan secara daring melalui aplikasi.", "Tamu"),
    Segment(83.0, 90.0, "Terima kasih sudah mendengarkan, sampai jumpa.", "Pembawa acara"),
]


def tiny_mp3(path: Path, seconds: float = 1.0) -> Path:
    """A real, short MP3 (sine, 32 kbit/s) made by ffmpeg."""
    ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "libmp3lame", "-b:a", "32k", str(path)
    )
    return path


def make_episode(
    ws: Workspace,
    slug: str,
    title: str,
    *,
    number: int | None = None,
    pub_date: str = "",
    audio: Path | None = None,
    duration: float = 95.0,
    guid: str = "",
    description: str = "",
    guests: list[str] | None = None,
    chapters: list[Chapter] | None = None,
    draft: bool = False,
    cover: str = "",
    season: int | None = None,
    episode_type: EpisodeType = "full",
    youtube: dict[str, str] | None = None,
) -> Episode:
    """An episode as the pipeline leaves it after ``tag``: ``episode.toml`` and ``<slug>.mp3`` (a copy of
    ``audio``, or a fixed 12,345-byte file when none is given, for byte-stable golden feeds)."""
    folder = ws.episode_dir(slug)
    folder.mkdir(parents=True, exist_ok=True)
    mp3 = folder / f"{slug}.mp3"
    if audio is not None:
        shutil.copyfile(audio, mp3)
    else:
        mp3.write_bytes(b"\xff\xfb" * 6172 + b"\0")
    rel = f"episodes/{slug}/{slug}.mp3"
    episode = Episode(
        slug=slug,
        title=title,
        source=f"/rekaman/{slug}.wav",
        source_sha256="0" * 64,
        number=number,
        season=season,
        description=description,
        guests=guests or [],
        chapters=chapters or [],
        cover=cover,
        episode_type=episode_type,
        created=pub_date or "2025-01-01T00:00:00+00:00",
        pub_date=pub_date or "2025-01-01T00:00:00+00:00",
        draft=draft,
        guid=guid or str(uuid.uuid4()),
        stages={
            "tag": StageRecord(
                "f" * 32,
                "2025-01-01T00:00:00+00:00",
                {"mp3": rel},
                TagFacts(bytes=mp3.stat().st_size, duration=duration, sha256=""),
            )
        },
        youtube=from_data(YouTubeVideo, youtube, "youtube") if youtube else None,
    )
    save_episode(ws, episode)
    return episode


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def write_transcript(ws: Workspace, slug: str, segments: list[Segment] | None = None) -> None:
    """``transcripts/<slug>.json|vtt|srt|txt`` as the transcribe stage writes them."""
    segments = SAMPLE_SEGMENTS if segments is None else segments
    ws.transcripts_dir.mkdir(exist_ok=True)
    body = [
        {"startTime": s.start, "endTime": s.end, "body": s.text, **({"speaker": s.speaker} if s.speaker else {})}
        for s in segments
    ]
    base = ws.transcripts_dir / slug
    base.with_suffix(".json").write_text(
        json.dumps({"version": "1.0.0", "segments": body}, ensure_ascii=False), encoding="utf-8"
    )
    vtt = ["WEBVTT", ""]
    srt = []
    for i, s in enumerate(segments, 1):
        vtt += [f"{_stamp(s.start, '.')} --> {_stamp(s.end, '.')}", s.text, ""]
        srt += [str(i), f"{_stamp(s.start, ',')} --> {_stamp(s.end, ',')}", s.text, ""]
    base.with_suffix(".vtt").write_text("\n".join(vtt), encoding="utf-8")
    base.with_suffix(".srt").write_text("\n".join(srt), encoding="utf-8")
    base.with_suffix(".txt").write_text("\n".join(s.text for s in segments) + "\n", encoding="utf-8")


def image(path: Path, size: tuple[int, int] = (1400, 1400), mode: str = "RGB", fmt: str | None = None) -> Path:
    """A plain image of the given size, colour mode and format (from the suffix unless ``fmt``)."""
    colours: dict[str, tuple[int, ...] | int] = {
        "RGB": (200, 60, 30),
        "RGBA": (200, 60, 30, 128),
        "CMYK": (0, 80, 90, 10),
        "L": 128,
    }
    Image.new(mode, size, colours.get(mode, 0)).save(path, format=fmt)
    return path


def set_show(ws: Workspace, **values: object) -> None:
    """Change keys of ``[show]`` in ``cerdas.toml`` (TOML literals given as Python values)."""
    import tomllib

    import tomli_w

    data = tomllib.loads(ws.config.read_text(encoding="utf-8"))
    data["show"].update(values)
    ws.config.write_text(tomli_w.dumps(data), encoding="utf-8")


def disable_whisper(ws: Workspace) -> None:
    """``[whisper] enabled = false`` where the settings know the key: publish skips real transcription."""
    import tomllib
    from dataclasses import fields

    import tomli_w

    from cerdas.settings import WhisperSettings

    if "enabled" not in {f.name for f in fields(WhisperSettings)}:
        return
    data = tomllib.loads(ws.config.read_text(encoding="utf-8"))
    data.setdefault("whisper", {})["enabled"] = False
    ws.config.write_text(tomli_w.dumps(data), encoding="utf-8")

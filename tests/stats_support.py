"""A show whose episodes have known enclosure sizes, and access-log lines written the way nginx, Apache and
Caddy write them, for the download-counting tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cerdas.episode import Episode, StageRecord, save_episode
from cerdas.facts import TagFacts, TranscribeFacts, YouTubeVideo
from cerdas.workspace import Workspace, init_workspace
from tests.workspace_support import set_keys

BASE = "https://podcast.example.go.id/cerdas/"
APPLE = "AppleCoreMedia/1.0.0.21A329 (iPhone; U; CPU OS 17_0 like Mac OS X; id_id)"
SPOTIFY = "Spotify/8.8.74 Android/34 (SM-A546E)"
POCKET = "PocketCasts/7.52 (Android 14; Pixel 7)"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
CURL = "curl/8.5.0"
OVERCAST_SERVER = "Overcast/1.0 Podcast Sync (3 subscribers; feed-id=123; +http://overcast.fm/)"
WITA = timedelta(hours=8)


def make_show(root: Path, timezone: str = "Asia/Makassar", base_url: str = BASE) -> Workspace:
    """A fresh workspace with the show's base URL and zone set."""
    ws = init_workspace(root, "Podcast Cerdas", author="Inspektorat", email="podcast@example.go.id")
    set_keys(ws, "show", base_url=base_url, timezone=timezone)
    return ws


def id3_padding_tag(size: int) -> bytes:
    """An ID3v2.3 tag of exactly ``size`` bytes (header + padding), as taggers leave room for edits."""
    body = size - 10
    syncsafe = bytes([(body >> 21) & 0x7F, (body >> 14) & 0x7F, (body >> 7) & 0x7F, body & 0x7F])
    return b"ID3\x03\x00\x00" + syncsafe + b"\x00" * body


def add_episode(
    ws: Workspace,
    slug: str,
    size: int,
    duration: float,
    tag: int = 0,
    number: int = 1,
    published: str = "2026-10-01T09:00:00+08:00",
    title: str = "",
    video_id: str = "",
    corrected: bool = False,
) -> Episode:
    """An episode whose published MP3 is ``size`` bytes long (an ID3 tag of ``tag`` bytes first) and lasts
    ``duration`` seconds, journaled as the tag stage would have."""
    mp3 = ws.published_audio(slug)
    mp3.parent.mkdir(parents=True, exist_ok=True)
    head = id3_padding_tag(tag) if tag else b""
    mp3.write_bytes(head + b"\xff\xfb\x90\x64" + b"\x00" * (size - len(head) - 4))
    episode = Episode(
        slug=slug,
        title=title or slug.replace("-", " ").title(),
        source="rekaman.wav",
        number=number,
        guests=["Ibu Ratna"],
        created=published,
        pub_date=published,
        guid=f"cerdas-{slug}",
    )
    episode.stages["tag"] = StageRecord(
        "x", published, {"mp3": ws.relative(mp3)}, TagFacts(bytes=size, duration=duration, sha256="0" * 64), "tagged"
    )
    vtt = ws.transcript(slug, "vtt")
    vtt.parent.mkdir(parents=True, exist_ok=True)
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nSelamat datang.\n", encoding="utf-8")
    episode.stages["transcribe"] = StageRecord(
        "x",
        published,
        {"vtt": ws.relative(vtt)},
        TranscribeFacts(source="vtt" if corrected else "whisper", edited_sha256="ab" if corrected else None),
        "",
    )
    if video_id:
        episode.youtube = YouTubeVideo(video_id=video_id, url=f"https://www.youtube.com/watch?v={video_id}")
    save_episode(ws, episode)
    return episode


def at(text: str) -> datetime:
    """A moment in WITA (UTC+8), the show's zone: ``at("2026-10-05 23:59:59")``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC) - WITA


def combined(
    when: datetime,
    path: str,
    ip: str = "203.0.113.7",
    agent: str = APPLE,
    status: int = 200,
    size: int = 0,
    method: str = "GET",
    range_header: str | None = None,
    offset: str = "+0800",
) -> str:
    """One nginx/Apache combined line (the time in ``offset``), with a trailing ``"$http_range"`` field when
    ``range_header`` is given ("" logs nginx's ``-``)."""
    sign = 1 if offset[0] == "+" else -1
    local = when.astimezone(UTC) + sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
    stamp = local.strftime("%d/%b/%Y:%H:%M:%S ") + offset
    line = f'{ip} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {size} "-" "{agent}"'
    if range_header is not None:
        line += f' "{range_header or "-"}"'
    return line + "\n"


def caddy(
    when: datetime,
    path: str,
    ip: str = "203.0.113.7",
    agent: str = APPLE,
    status: int = 200,
    size: int = 0,
    method: str = "GET",
    range_header: str = "",
) -> str:
    """One line of Caddy's JSON access log."""
    headers: dict[str, list[str]] = {"User-Agent": [agent]}
    if range_header:
        headers["Range"] = [range_header]
    obj = {
        "level": "info",
        "ts": when.timestamp(),
        "logger": "http.log.access.log0",
        "msg": "handled request",
        "request": {
            "remote_ip": ip,
            "client_ip": ip,
            "proto": "HTTP/2.0",
            "method": method,
            "host": "podcast.example.go.id",
            "uri": path,
            "headers": headers,
        },
        "bytes_read": 0,
        "duration": 0.05,
        "size": size,
        "status": status,
    }
    return json.dumps(obj) + "\n"

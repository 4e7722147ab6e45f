"""The emulator's state: videos, sessions, captions, playlists, tokens, quota and the request log."""

from __future__ import annotations

import hashlib
import secrets
import string
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cerdas.devtools.emulator.faults import Fault

SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
ANALYTICS_SCOPE = "https://www.googleapis.com/auth/yt-analytics.readonly"
# reports.query accepts any of these (its discovery document's scopes); the Data API calls need force-ssl or youtube
ANALYTICS_SCOPES = frozenset(
    {
        ANALYTICS_SCOPE,
        "https://www.googleapis.com/auth/yt-analytics-monetary.readonly",
        "https://www.googleapis.com/auth/youtube",
        "https://www.googleapis.com/auth/youtube.readonly",
        "https://www.googleapis.com/auth/youtubepartner",
    }
)
DAILY_QUOTA = 10_000
COSTS = {
    "videos.insert": 1600,
    "videos.update": 50,
    "videos.list": 1,
    "channels.list": 1,
    "captions.insert": 400,
    "captions.update": 450,
    "captions.list": 50,
    "thumbnails.set": 50,
    "playlistItems.insert": 50,
    "playlistItems.list": 1,
    "playlistItems.delete": 50,
}
CATEGORIES = {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}
PRIVACY = {"public", "unlisted", "private"}
CHUNK_GRANULARITY = 256 * 1024
THUMBNAIL_MAX = 2 * 1024 * 1024
CLIENT_ID = "cerdas-emulator.apps.googleusercontent.com"
CLIENT_SECRET = "emulator-client-secret"
_ID_CHARS = string.ascii_letters + string.digits + "-_"


def new_id(n: int = 11) -> str:
    return "".join(secrets.choice(_ID_CHARS) for _ in range(n))


def now_stamp() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class UploadSession:
    id: str
    total: int
    mimetype: str
    body: dict[str, Any]
    path: Path | None
    received: int = 0
    video_id: str = ""
    digest: Any = field(default_factory=hashlib.sha256)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class StoredVideo:
    resource: dict[str, Any]
    size: int
    sha256: str
    path: Path | None


class ApiError(Exception):
    """An error answer in Google's format."""

    def __init__(self, code: int, reason: str, message: str, domain: str = "global") -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.domain = code, reason, message, domain

    def body(self) -> dict[str, Any]:
        status = {
            400: "INVALID_ARGUMENT",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            404: "NOT_FOUND",
            409: "ALREADY_EXISTS",
            429: "RESOURCE_EXHAUSTED",
        }.get(self.code, "UNAVAILABLE")
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}],
                "status": status,
            }
        }


def quota_error() -> ApiError:
    return ApiError(
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your "
        '<a href="/youtube/v3/getting-started#quota">quota</a>.',
        "youtube.quota",
    )


class EmulatorState:
    """Everything the emulator knows; tests read it directly (hold :attr:`lock` while reading)."""

    def __init__(self, root: Path, quota_limit: int = DAILY_QUOTA, store_media: bool = True) -> None:
        self.root = root
        self.lock = threading.RLock()
        self.quota_limit = quota_limit
        self.quota_used = 0
        self.store_media = store_media
        self.channel_id = "UC" + "cerdasEmulator" + "0" * 8
        self.channel_title = "Podcast Cerdas (emulator)"
        self.uploads_playlist = "UU" + self.channel_id[2:]
        self.playlists: set[str] = {self.uploads_playlist, "PLcerdasEmulatorShow01"}
        self.videos: dict[str, StoredVideo] = {}
        self.sessions: dict[str, UploadSession] = {}
        self.captions: dict[str, dict[str, Any]] = {}
        self.caption_bodies: dict[str, bytes] = {}
        self.thumbnails: dict[str, dict[str, Any]] = {}
        self.playlist_items: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, tuple[float, tuple[str, ...]]] = {}
        self.refresh_tokens: dict[str, tuple[str, ...]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.consent_error = ""
        self.faults: list[Fault] = []
        self.log: list[dict[str, Any]] = []
        self.statistics: dict[str, dict[str, int]] = {}
        self.analytics: dict[tuple[str, str], tuple[int, float]] = {}

    # -- faults and quota ------------------------------------------------------------------------------------
    def add_fault(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, op: str) -> Fault | None:
        with self.lock:
            hit = None
            for fault in self.faults:
                if fault.matches(op) and fault.hit() and hit is None:
                    hit = fault
            return hit

    def charge(self, op: str) -> None:
        cost = COSTS.get(op, 0)
        with self.lock:
            if self.quota_used + cost > self.quota_limit:
                raise quota_error()
            self.quota_used += cost

    def reset_quota(self, used: int = 0, limit: int | None = None) -> None:
        """A new day at YouTube (or set the counters for a test)."""
        with self.lock:
            self.quota_used = used
            if limit is not None:
                self.quota_limit = limit

    # -- tokens ----------------------------------------------------------------------------------------------
    def new_access_token(self, scopes: tuple[str, ...], lifetime: float = 3600.0) -> str:
        token = "ya29.emu-" + secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[token] = (time.time() + lifetime, scopes)
        return token

    def new_refresh_token(self, scopes: tuple[str, ...]) -> str:
        token = "1//emu-" + secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[token] = scopes
        return token

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens = {k: (0.0, v[1]) for k, v in self.access_tokens.items()}

    def revoke(self) -> None:
        """Revoke every refresh and access token (the user removed the app's access)."""
        with self.lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    # -- figures (set by tests and the demo: nobody watches an emulated video) ---------------------------------
    def set_statistics(self, video_id: str, views: int = 0, likes: int = 0, comments: int = 0) -> None:
        """The counts ``videos.list part=statistics`` answers for a video from now on."""
        with self.lock:
            self.statistics[video_id] = {"viewCount": views, "likeCount": likes, "commentCount": comments}

    def statistics_of(self, video_id: str) -> dict[str, str]:
        """A video's ``statistics`` part, counts as strings as YouTube sends them."""
        with self.lock:
            counts = self.statistics.get(video_id, {})
        names = ("viewCount", "likeCount", "favoriteCount", "commentCount")
        return {name: str(counts.get(name, 0)) for name in names}

    def add_analytics(self, video_id: str, day: str, views: int, minutes: float) -> None:
        """Views and minutes watched of a video on a day (``YYYY-MM-DD``), for ``reports.query``."""
        with self.lock:
            self.analytics[(video_id, day)] = (views, minutes)

    # -- inspection ------------------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """A JSON-friendly view for tests and scripts."""
        with self.lock:
            return {
                "quota_used": self.quota_used,
                "quota_limit": self.quota_limit,
                "videos": {
                    vid: {
                        "size": v.size,
                        "sha256": v.sha256,
                        "title": v.resource["snippet"].get("title", ""),
                        "privacyStatus": v.resource["status"].get("privacyStatus", ""),
                    }
                    for vid, v in self.videos.items()
                },
                "sessions": {
                    sid: {"total": s.total, "received": s.received, "video_id": s.video_id}
                    for sid, s in self.sessions.items()
                },
                "captions": [dict(c["snippet"], id=cid) for cid, c in self.captions.items()],
                "thumbnails": dict(self.thumbnails),
                "playlist_items": [
                    dict(i["snippet"]["resourceId"], playlistId=i["snippet"]["playlistId"], id=pid)
                    for pid, i in self.playlist_items.items()
                ],
                "requests": len(self.log),
                "faults": [asdict(f) for f in self.faults],
            }

    def ops(self, op: str) -> list[dict[str, Any]]:
        """The logged requests of one operation."""
        with self.lock:
            return [e for e in self.log if e["op"] == op]


def validate_video(meta: dict[str, Any]) -> None:
    """YouTube's own checks on video metadata (what makes a real insert fail with 400)."""
    snippet = meta.get("snippet", {})
    status = meta.get("status", {})
    title = str(snippet.get("title", ""))
    if not title.strip() or len(title) > 100 or "<" in title or ">" in title:
        raise ApiError(400, "invalidTitle", "The request metadata specifies an invalid video title.", "youtube.video")
    description = str(snippet.get("description", ""))
    if len(description.encode("utf-8")) > 5000 or "<" in description or ">" in description:
        raise ApiError(
            400, "invalidDescription", "The request metadata specifies an invalid video description.", "youtube.video"
        )
    tags = [str(t) for t in snippet.get("tags", []) or []]
    if sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0) > 500:
        raise ApiError(400, "invalidTags", "The request metadata specifies invalid video keywords.", "youtube.video")
    if "categoryId" in snippet and str(snippet["categoryId"]) not in CATEGORIES:
        raise ApiError(
            400,
            "invalidCategoryId",
            "The snippet.categoryId property specifies an invalid category ID.",
            "youtube.video",
        )
    privacy = status.get("privacyStatus", "public")
    if privacy not in PRIVACY:
        raise ApiError(400, "invalidVideoMetadata", "The request metadata is invalid.", "youtube.video")
    if status.get("publishAt"):
        if privacy != "private":
            raise ApiError(400, "invalidPublishAt", "publishAt requires privacyStatus private.", "youtube.video")
        try:
            when = datetime.fromisoformat(str(status["publishAt"]).replace("Z", "+00:00"))
        except ValueError:
            raise ApiError(400, "invalidPublishAt", "publishAt is not an ISO 8601 time.", "youtube.video") from None
        if when.tzinfo is None or when < datetime.now(UTC) - timedelta(minutes=1):
            raise ApiError(400, "invalidPublishAt", "publishAt must be a future time with a zone.", "youtube.video")


def playlist_item(item_id: str, playlist: str, video_id: str, title: str) -> dict[str, Any]:
    return {
        "kind": "youtube#playlistItem",
        "etag": new_id(27),
        "id": item_id,
        "snippet": {
            "playlistId": playlist,
            "title": title,
            "position": 0,
            "publishedAt": now_stamp(),
            "resourceId": {"kind": "youtube#video", "videoId": video_id},
        },
    }

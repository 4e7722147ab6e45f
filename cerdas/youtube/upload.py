"""Resumable upload with a per-episode journal and the one retry loop.

The journal (``episodes/<slug>/youtube.json``, mode 0600: the session URI lets anyone holding it upload) records
the session URI before the first chunk leaves, every byte YouTube confirms, and the video id the moment YouTube
returns it. A new process resumes from the last confirmed byte (the first request is a status query); a session
YouTube has forgotten (404) starts a new one, but never a second video: a journal with a video id never uploads
again, and before replacing a session that had sent bytes the channel's recent uploads are checked.

All retrying happens here: each client call is made once; 5xx, 429, rate-limit 403s, dropped connections and
timeouts are retried with jittered exponential backoff (reset whenever YouTube confirms progress), a bounded
number of times. Quota errors are never retried.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from cerdas import env
from cerdas.errors import CerdasError
from cerdas.fsutil import atomic_write_text, read_text
from cerdas.report import Progress
from cerdas.youtube.client import ResumableUpload, YouTubeClient
from cerdas.youtube.errors import SessionGone, TransientError, YouTubeError

T = TypeVar("T")
NOT_FOUND_RETRIES = 6
MAX_JOURNAL = 1 << 20
SESSION_RESTARTS = 3


class GaveUp(TransientError):
    """YouTube stayed unreachable or failing through every retry; the journal keeps what was confirmed."""


@dataclass
class Backoff:
    """Jittered exponential backoff: ``uniform(0.5, 1) * min(cap, base * 2**(n-1))`` before the n-th retry."""

    base: float = 1.0
    cap: float = 60.0
    max_failures: int = 8
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, failures: int) -> float:
        factor: float = self.rng.uniform(0.5, 1.0)
        return factor * min(self.cap, self.base * 2.0 ** max(failures - 1, 0))

    def wait(self, failures: int) -> None:
        self.sleep(self.delay(failures))

    @classmethod
    def parse(cls, raw: str) -> Backoff:
        """``BASE[,CAP[,MAX_FAILURES]]`` seconds (``CERDAS_YOUTUBE_BACKOFF``; tests use a tiny base); "" the
        defaults."""
        raw = raw.strip()
        if not raw:
            return cls()
        try:
            parts = [float(p) for p in raw.split(",")]
        except ValueError:
            raise CerdasError(
                f"{env.YOUTUBE_BACKOFF} must be BASE[,CAP[,MAX_FAILURES]] in seconds, not {raw!r}"
            ) from None
        backoff = cls(base=parts[0])
        if len(parts) > 1:
            backoff.cap = parts[1]
        if len(parts) > 2:
            backoff.max_failures = int(parts[2])
        return backoff


def with_retries(call: Callable[[], T], backoff: Backoff, what: str, not_found_retries: int = 0) -> T:
    """``call()`` until it succeeds; transient errors and (up to ``not_found_retries``) ``videoNotFound`` retried."""
    failures = 0
    not_found = 0
    while True:
        try:
            return call()
        except TransientError as exc:
            failures += 1
            if failures > backoff.max_failures:
                raise GaveUp(f"{what}: still failing after {failures} attempts ({exc})", reason=exc.reason) from None
            backoff.wait(failures)
        except YouTubeError as exc:
            if exc.reason != "videoNotFound" or not_found >= not_found_retries:
                raise
            not_found += 1  # a new video takes a while to become visible to the other endpoints
            backoff.wait(not_found + 1)


@dataclass
class Journal:
    """The per-episode upload journal; every change is saved atomically at once."""

    path: Path
    video_id: str = ""
    session_uri: str = ""
    session_started: str = ""
    file: str = ""
    file_size: int = 0
    file_sha256: str = ""
    render_key: str = ""
    confirmed_bytes: int = 0
    uploaded_at: str = ""
    title: str = ""
    metadata: str = ""
    caption_id: str = ""
    caption_sha256: str = ""
    thumbnail_sha256: str = ""
    thumbnail_note: str = ""
    playlist_id: str = ""
    playlist_item_id: str = ""
    waiting: str = ""

    @classmethod
    def load(cls, path: Path) -> Journal:
        """Read the journal (a regular file, not a link); a damaged one, or a value of the wrong type, is one line."""
        if not path.exists() and not path.is_symlink():
            return cls(path)
        damaged = "the YouTube upload journal is damaged ({}); if no video was uploaded, delete it"
        try:
            raw = json.loads(read_text(path, MAX_JOURNAL, "YouTube upload journal", follow=False))
        except (ValueError, RecursionError) as exc:
            raise CerdasError(damaged.format(exc.__class__.__name__), path) from None
        if not isinstance(raw, dict):
            raise CerdasError(damaged.format("not a JSON object"), path)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "path" or f.name not in raw:
                continue
            kind = type(f.default)
            value = raw[f.name]
            if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
                raise CerdasError(damaged.format(f"'{f.name}' is not {kind.__name__}"), path)
            values[f.name] = value
        return cls(path, **values)

    def save(self) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        atomic_write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", mode=0o600)

    @property
    def complete(self) -> bool:
        return bool(self.video_id) and not self.waiting


def _iso(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).replace(microsecond=0).isoformat()


def find_orphan(yt: YouTubeClient, title: str, since: str) -> str | None:
    """A video on the channel with ``title`` published after ``since``: an upload whose answer was lost."""
    channel = yt.my_channel()
    uploads = (channel or {}).get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
    if not uploads:
        return None
    try:
        start = datetime.fromisoformat(since) - timedelta(minutes=5)
    except ValueError:
        start = datetime.min.replace(tzinfo=UTC)
    for item in yt.playlist_items(uploads):
        snippet = item.get("snippet", {})
        published = str(snippet.get("publishedAt", "")).replace("Z", "+00:00")
        try:
            when = datetime.fromisoformat(published)
        except ValueError:
            continue
        if snippet.get("title") == title and when >= start:
            return str(snippet.get("resourceId", {}).get("videoId", "")) or None
    return None


def upload_video(
    yt: YouTubeClient,
    journal: Journal,
    path: Path,
    body: dict[str, Any],
    chunk_size: int,
    backoff: Backoff,
    progress: Progress | None = None,
    on_video: Callable[[str], None] | None = None,
) -> str:
    """Upload ``path`` (or finish an earlier session) and return the new video's id.

    ``journal.file_sha256``/``file_size`` must describe ``path``; a session recorded for other bytes is dropped.
    """
    # Long on purpose: one state machine (session, chunk, status query, restart) with one retry budget.
    if journal.video_id:
        return journal.video_id
    size = path.stat().st_size
    upload: ResumableUpload = yt.insert_video(body, path, chunk_size)
    try:
        if journal.session_uri and not upload.owns(journal.session_uri):
            raise CerdasError(
                "the upload session in this journal is not on YouTube's upload address (was it edited?); "
                "if no video was uploaded, delete the file",
                journal.path,
            )
        if journal.session_uri and journal.file_size == size:
            upload.resume(journal.session_uri)
        else:
            journal.session_uri, journal.confirmed_bytes = "", 0
        failures = 0
        restarts = 0
        while True:
            if upload.uri is None:
                uri = with_retries(upload.start, backoff, "starting the upload")
                journal.session_uri, journal.session_started, journal.confirmed_bytes = uri, _iso(), 0
                journal.title = str(body.get("snippet", {}).get("title", ""))
                journal.save()
            try:
                video = upload.next_chunk()
            except SessionGone:
                restarts += 1
                if restarts > SESSION_RESTARTS:
                    raise GaveUp("YouTube keeps losing the upload session") from None
                if journal.confirmed_bytes > 0 and journal.session_started:
                    orphan = with_retries(
                        lambda: find_orphan(yt, journal.title, journal.session_started),
                        backoff,
                        "checking the channel for the upload",
                    )
                    if orphan:
                        _record(journal, orphan, on_video)
                        return orphan
                upload.reset()
                journal.session_uri, journal.confirmed_bytes = "", 0
                journal.save()
                continue
            except TransientError as exc:
                failures += 1
                if failures > backoff.max_failures:
                    raise GaveUp(
                        f"uploading the video: still failing after {failures} attempts ({exc}); "
                        f"{journal.confirmed_bytes} of {size} bytes are confirmed",
                        reason=exc.reason,
                    ) from None
                upload.mark_broken()
                backoff.wait(failures)
                continue
            if upload.progress != journal.confirmed_bytes or video is not None:
                if upload.progress > journal.confirmed_bytes:
                    failures = 0
                journal.confirmed_bytes = size if video is not None else upload.progress
                journal.save()
                if progress is not None:
                    progress.update(journal.confirmed_bytes)
            if video is not None:
                video_id = str(video.get("id", ""))
                if not video_id:
                    raise YouTubeError("YouTube finished the upload but returned no video id")
                _record(journal, video_id, on_video)
                return video_id
    finally:
        upload.close()


def _record(journal: Journal, video_id: str, on_video: Callable[[str], None] | None) -> None:
    journal.video_id = video_id
    journal.uploaded_at = _iso()
    journal.session_uri = ""
    journal.save()
    if on_video is not None:
        on_video(video_id)

"""Errors of the YouTube area. Messages are one line and never contain a token."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cerdas.errors import CerdasError

PACIFIC = ZoneInfo("America/Los_Angeles")


class YouTubeError(CerdasError):
    """A YouTube call failed in a way a retry will not fix (bad request, not found, forbidden)."""

    def __init__(self, message: str, path: str | None = None, status: int = 0, reason: str = "") -> None:
        super().__init__(message, path)
        self.status = status
        self.reason = reason


class AuthError(YouTubeError):
    """No usable sign-in: missing, expired, revoked or wrong-scope token."""


class QuotaStop(YouTubeError):
    """``quotaExceeded`` / ``uploadLimitExceeded``: nothing more can be done until YouTube's daily reset."""


class TransientError(YouTubeError):
    """A failure worth retrying: 5xx, 429, rate-limit 403s, dropped connections, timeouts."""


class SessionGone(YouTubeError):
    """The resumable upload session no longer exists (404/410): a new one must be started."""


def quota_reset(now: datetime | None = None) -> datetime:
    """When YouTube's daily quota resets: the next midnight, Pacific time."""
    here = (now or datetime.now(PACIFIC)).astimezone(PACIFIC)
    return datetime.combine(here.date() + timedelta(days=1), datetime.min.time(), tzinfo=PACIFIC)


def quota_message(reason: str, now: datetime | None = None) -> str:
    """A one-line explanation of a quota stop, with the reset time in Pacific and local time."""
    reset = quota_reset(now)
    now_utc = (now or datetime.now(PACIFIC)).astimezone(PACIFIC)
    hours = max((reset - now_utc).total_seconds() / 3600.0, 0.0)
    local = reset.astimezone()
    what = (
        "the channel's daily upload limit is reached"
        if reason == "uploadLimitExceeded"
        else "the project's daily YouTube API quota (10,000 units) is used up"
    )
    return (
        f"{what} ({reason}); it resets at midnight Pacific time ({local:%Y-%m-%d %H:%M %Z} here, "
        f"in {hours:.1f} h); the next publish continues where this one stopped"
    )

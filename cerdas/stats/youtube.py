"""``cerdas stats youtube``: every uploaded episode's views, likes and comments as a dated snapshot, and, when the
sign-in allows it, YouTube Analytics watch time for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from cerdas.env import Environment
from cerdas.episode import list_episodes
from cerdas.stats import queries, store
from cerdas.workspace import Workspace
from cerdas.youtube import auth, client
from cerdas.youtube.analytics import AnalyticsClient


@dataclass(frozen=True)
class YouTubeFetch:
    """What one fetch stored."""

    fetched: str
    videos: int
    """Videos YouTube answered for."""
    asked: int
    missing: tuple[str, ...]
    """Video ids YouTube no longer has (deleted, or another channel's)."""
    quota_units: int
    analytics: bool
    """Whether watch time was fetched too."""


def episode_videos(ws: Workspace) -> dict[str, str]:
    """slug → video id, for every episode on YouTube."""
    return {e.slug: e.video_id for e in list_episodes(ws) if e.video_id}


def fetch_youtube(
    ws: Workspace, env: Environment, period: tuple[date, date] | None = None, now: datetime | None = None
) -> YouTubeFetch:
    """Fetch and store a snapshot (and watch time over ``period`` when the sign-in has the Analytics scope).
    Raises the YouTube errors (no sign-in: :class:`cerdas.youtube.errors.AuthError`)."""
    fetched = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat()
    ids = sorted(set(episode_videos(ws).values()))
    if not ids:
        return YouTubeFetch(fetched, 0, 0, (), 0, False)
    session = auth.connect(env, ws.root)
    stats = session.youtube.video_statistics(ids)
    watch: dict[str, dict[str, float]] | None = None
    if period is not None and client.ANALYTICS_SCOPE in session.youtube.scopes:
        creds = auth.load_credentials(session.token)
        analytics = AnalyticsClient.connect(
            creds, endpoint=session.endpoint, ca_certs=auth.ca_certs_of(env), timeout=client.timeout_of(env)
        )
        watch = analytics.video_analytics(period[0].isoformat(), period[1].isoformat(), ids)
    with store.connect(ws.stats_path, write=True) as db:
        queries.store_snapshot(db, fetched, stats)
        if watch is not None and period is not None:
            queries.store_watch_time(db, fetched, period[0], period[1], watch)
    units = -(-len(ids) // client.STATISTICS_BATCH)
    missing = tuple(i for i in ids if i not in stats)
    return YouTubeFetch(fetched, len(stats), len(ids), missing, units, watch is not None)

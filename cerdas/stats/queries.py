"""Reading ``stats.sqlite3`` for reports: counts between two days, apps, YouTube snapshots around a moment."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class YouTubeSnapshot:
    """A video's counts as fetched at ``fetched`` (UTC, ISO 8601)."""

    video_id: str
    fetched: str
    views: int
    likes: int | None
    comments: int | None


@dataclass(frozen=True)
class WatchTime:
    """YouTube Analytics for a video over a period."""

    video_id: str
    views: int
    minutes: float
    average_seconds: float
    fetched: str


def _span(first: date, last: date) -> tuple[str, str]:
    return first.isoformat(), last.isoformat()


def downloads_by_day_episode(db: sqlite3.Connection, first: date, last: date) -> Counter[tuple[str, str]]:
    """(day, slug) → downloads, days ``first`` to ``last`` included."""
    rows = db.execute(
        "SELECT day, episode, SUM(count) FROM downloads WHERE day BETWEEN ? AND ? GROUP BY day, episode",
        _span(first, last),
    )
    return Counter({(day, slug): int(n) for day, slug, n in rows})


def downloads_by_agent(db: sqlite3.Connection, first: date, last: date) -> list[tuple[str, str, int]]:
    """(kind, name, downloads), most first."""
    rows = db.execute(
        "SELECT kind, agent, SUM(count) AS n FROM downloads WHERE day BETWEEN ? AND ? GROUP BY kind, agent "
        "ORDER BY n DESC, agent",
        _span(first, last),
    )
    return [(kind, name, int(n)) for kind, name, n in rows]


def page_views_by_day_episode(db: sqlite3.Connection, first: date, last: date) -> Counter[tuple[str, str]]:
    rows = db.execute(
        "SELECT day, episode, SUM(count) FROM page_views WHERE day BETWEEN ? AND ? GROUP BY day, episode",
        _span(first, last),
    )
    return Counter({(day, slug): int(n) for day, slug, n in rows})


def visitors_by_day(db: sqlite3.Connection, first: date, last: date) -> dict[str, int]:
    rows = db.execute("SELECT day, count FROM visitors WHERE day BETWEEN ? AND ?", _span(first, last))
    return {day: int(n) for day, n in rows}


def logged_span(db: sqlite3.Connection) -> tuple[str, str] | None:
    """The first and last day (in the show's zone) any imported log line counted for, or None."""
    days = [
        db.execute(f"SELECT MIN(day), MAX(day) FROM {table}").fetchone()
        for table in ("downloads", "page_views", "visitors")
    ]
    firsts = [d[0] for d in days if d[0]]
    lasts = [d[1] for d in days if d[1]]
    return (min(firsts), max(lasts)) if firsts else None


def youtube_snapshots(db: sqlite3.Connection, before: str) -> dict[str, YouTubeSnapshot]:
    """Each video's latest snapshot fetched before ``before`` (UTC ISO 8601)."""
    rows = db.execute(
        "SELECT s.video_id, s.fetched, s.views, s.likes, s.comments FROM youtube_stats s "
        "JOIN (SELECT video_id, MAX(fetched) AS f FROM youtube_stats WHERE fetched < ? GROUP BY video_id) m "
        "ON s.video_id = m.video_id AND s.fetched = m.f",
        (before,),
    )
    return {r[0]: YouTubeSnapshot(*r) for r in rows}


def watch_time(db: sqlite3.Connection, first: date, last: date) -> dict[str, WatchTime]:
    """YouTube Analytics stored for exactly this period."""
    rows = db.execute(
        "SELECT video_id, views, minutes, average_seconds, fetched FROM youtube_analytics WHERE start = ? AND end = ?",
        _span(first, last),
    )
    return {r[0]: WatchTime(r[0], int(r[1]), float(r[2]), float(r[3]), r[4]) for r in rows}


def store_snapshot(db: sqlite3.Connection, fetched: str, stats: dict[str, dict[str, int | None]]) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO youtube_stats VALUES (?, ?, ?, ?, ?)",
        ((fetched, vid, s.get("views") or 0, s.get("likes"), s.get("comments")) for vid, s in stats.items()),
    )


def store_watch_time(
    db: sqlite3.Connection, fetched: str, first: date, last: date, figures: dict[str, dict[str, float]]
) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO youtube_analytics VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (fetched, first.isoformat(), last.isoformat(), vid, int(f["views"]), f["minutes"], f["average_seconds"])
            for vid, f in figures.items()
        ),
    )

"""The report's content for one period, as data every format renders: what was published, how far it reached.

Episodes are those public by the period's end (drafts and episodes scheduled later are left out). Downloads, page
views and visitors come from ``stats.sqlite3``; YouTube counts from the latest snapshot fetched before the period
ended (its growth: against the latest one before the period began); watch time from YouTube Analytics for
exactly this period, when it was fetched.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from cerdas import urls
from cerdas.episode import Episode, list_episodes
from cerdas.facts import TranscribeFacts
from cerdas.reports.period import Period
from cerdas.settings import Settings
from cerdas.stats import queries
from cerdas.stats.agents import Classifier
from cerdas.workspace import Workspace


@dataclass(frozen=True)
class YouTubeFigures:
    video_id: str
    url: str
    views: int
    likes: int | None
    comments: int | None
    views_before: int | None
    """Views in the latest snapshot before the period began (None: none was taken then)."""
    minutes: float | None = None
    average_seconds: float | None = None

    @property
    def growth(self) -> int | None:
        return None if self.views_before is None else self.views - self.views_before


@dataclass(frozen=True)
class EpisodeRow:
    """One episode: what it is, and its figures for the period."""

    slug: str
    title: str
    number: int | None
    published: datetime
    guests: tuple[str, ...]
    duration: float
    page_url: str
    audio_url: str
    video_url: str
    transcript: bool
    corrected: bool
    captions: bool
    chapters: int
    in_period: bool
    downloads: int
    downloads_before: int
    page_views: int
    youtube: YouTubeFigures | None


@dataclass(frozen=True)
class Totals:
    downloads: int
    page_views: int
    visitors: int
    youtube_views: int | None
    youtube_growth: int | None


@dataclass(frozen=True)
class DayRow:
    day: date
    downloads: int
    page_views: int
    visitors: int


@dataclass(frozen=True)
class AppRow:
    kind: str
    name: str
    downloads: int


@dataclass
class Report:
    """Everything a report says."""

    show: str
    language: str
    period: Period
    previous: Period
    generated: datetime
    timezone: str
    episodes: list[EpisodeRow]
    daily: list[DayRow]
    apps: list[AppRow]
    totals: Totals
    totals_before: Totals
    youtube_available: bool
    youtube_as_of: str
    logs_span: tuple[str, str] | None
    agent_sources: list[str] = field(default_factory=list)
    feed_url: str = ""
    site_url: str = ""

    @property
    def published(self) -> list[EpisodeRow]:
        """The episodes published within the period, oldest first."""
        return [e for e in self.episodes if e.in_period]

    @property
    def empty(self) -> bool:
        return not self.published and not self.totals.downloads and not self.totals.page_views


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def _corrected(episode: Episode) -> bool:
    facts = episode.facts(TranscribeFacts)
    return bool(facts and (facts.source == "vtt" or facts.edited_sha256))


def _youtube(
    episode: Episode,
    after: dict[str, queries.YouTubeSnapshot],
    before: dict[str, queries.YouTubeSnapshot],
    watch: dict[str, queries.WatchTime],
) -> YouTubeFigures | None:
    snap = after.get(episode.video_id)
    if snap is None:
        return None
    old = before.get(episode.video_id)
    seen = watch.get(episode.video_id)
    return YouTubeFigures(
        video_id=snap.video_id,
        url=urls.youtube_watch_url(snap.video_id),
        views=snap.views,
        likes=snap.likes,
        comments=snap.comments,
        views_before=old.views if old else None,
        minutes=seen.minutes if seen else None,
        average_seconds=seen.average_seconds if seen else None,
    )


@dataclass
class _Figures:
    downloads: Counter[tuple[str, str]]
    downloads_before: Counter[tuple[str, str]]
    page_views: Counter[tuple[str, str]]
    page_views_before: Counter[tuple[str, str]]
    visitors: dict[str, int]
    visitors_before: dict[str, int]
    after: dict[str, queries.YouTubeSnapshot]
    before: dict[str, queries.YouTubeSnapshot]
    before_previous: dict[str, queries.YouTubeSnapshot]
    watch: dict[str, queries.WatchTime]
    by_slug: dict[str, Counter[str]] = field(default_factory=dict)
    """downloads, downloads_before, page_views: per episode."""

    def __post_init__(self) -> None:
        self.by_slug = {
            "downloads": _per_slug(self.downloads),
            "downloads_before": _per_slug(self.downloads_before),
            "page_views": _per_slug(self.page_views),
        }


def _read(db: sqlite3.Connection, period: Period, previous: Period, zone: tzinfo) -> _Figures:
    start, end = (moment.astimezone(UTC).isoformat() for moment in period.bounds(zone))
    previous_start = previous.bounds(zone)[0].astimezone(UTC).isoformat()
    return _Figures(
        downloads=queries.downloads_by_day_episode(db, period.start, period.end),
        downloads_before=queries.downloads_by_day_episode(db, previous.start, previous.end),
        page_views=queries.page_views_by_day_episode(db, period.start, period.end),
        page_views_before=queries.page_views_by_day_episode(db, previous.start, previous.end),
        visitors=queries.visitors_by_day(db, period.start, period.end),
        visitors_before=queries.visitors_by_day(db, previous.start, previous.end),
        # no snapshot from before the period ended (figures first fetched later): the latest one there is
        after=queries.youtube_snapshots(db, end) or queries.youtube_snapshots(db, "9999"),
        before=queries.youtube_snapshots(db, start),
        before_previous=queries.youtube_snapshots(db, previous_start),
        watch=queries.watch_time(db, period.start, period.end),
    )


def _per_slug(counts: Counter[tuple[str, str]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for (_day, slug), n in counts.items():
        out[slug] += n
    return out


def _row(ws: Workspace, settings: Settings, episode: Episode, period: Period, zone: tzinfo, f: _Figures) -> EpisodeRow:
    published = episode.published_at().astimezone(zone)
    vtt = ws.transcript(episode.slug, "vtt")
    return EpisodeRow(
        slug=episode.slug,
        title=episode.title,
        number=episode.number,
        published=published,
        guests=tuple(episode.guests),
        duration=episode.duration,
        page_url=urls.episode_page_url(settings, episode.slug),
        audio_url=urls.audio_url(settings, episode.slug),
        video_url=episode.youtube.url if episode.youtube and episode.youtube.url else "",
        transcript=vtt.is_file(),
        corrected=_corrected(episode),
        captions=bool(episode.youtube and episode.youtube.captions),
        chapters=len(episode.chapters),
        in_period=period.contains(published.date()),
        downloads=f.by_slug["downloads"][episode.slug],
        downloads_before=f.by_slug["downloads_before"][episode.slug],
        page_views=f.by_slug["page_views"][episode.slug],
        youtube=_youtube(episode, f.after, f.before, f.watch),
    )


def _totals(
    downloads: Counter[tuple[str, str]],
    views: Counter[tuple[str, str]],
    visitors: dict[str, int],
    after: dict[str, queries.YouTubeSnapshot],
    before: dict[str, queries.YouTubeSnapshot],
    videos: set[str],
) -> Totals:
    present = [v for v in videos if v in after]
    yt_views = sum(after[v].views for v in present) if present else None
    known = [v for v in present if v in before]
    growth = sum(after[v].views - before[v].views for v in known) if known else None
    return Totals(sum(downloads.values()), sum(views.values()), sum(visitors.values()), yt_views, growth)


def _daily(figures: _Figures, period: Period) -> list[DayRow]:
    """Downloads, page views and visitors of each day of the period (zero on days without any)."""
    downloads: Counter[str] = Counter()
    for (day, _slug), n in figures.downloads.items():
        downloads[day] += n
    views: Counter[str] = Counter()
    for (day, _slug), n in figures.page_views.items():
        views[day] += n
    return [
        DayRow(day, downloads[day.isoformat()], views[day.isoformat()], figures.visitors.get(day.isoformat(), 0))
        for day in period.each_day()
    ]


def build_report(
    ws: Workspace,
    settings: Settings,
    db: sqlite3.Connection,
    period: Period,
    now: datetime | None = None,
    classifier: Classifier | None = None,
) -> Report:
    """The report for ``period`` from the workspace's episodes and ``stats.sqlite3`` (``db``)."""
    zone = settings.timezone
    previous = period.previous()
    figures = _read(db, period, previous, zone)
    _start, end = period.bounds(zone)
    public = [e for e in list_episodes(ws) if not e.draft and e.published_audio and e.published_at() < end]
    rows = sorted((_row(ws, settings, e, period, zone, figures) for e in public), key=lambda r: r.published)
    videos = {r.youtube.video_id for r in rows if r.youtube}
    daily = _daily(figures, period)
    apps = [AppRow(kind, name, n) for kind, name, n in queries.downloads_by_agent(db, period.start, period.end)]
    totals = _totals(figures.downloads, figures.page_views, figures.visitors, figures.after, figures.before, videos)
    totals_before = _totals(
        figures.downloads_before,
        figures.page_views_before,
        figures.visitors_before,
        figures.before,
        figures.before_previous,
        videos,
    )
    as_of = max((s.fetched for s in figures.after.values()), default="")
    return Report(
        show=settings.show.title,
        language=settings.show.language,
        period=period,
        previous=previous,
        generated=(now or datetime.now(UTC)).astimezone(zone).replace(microsecond=0),
        timezone=_zone_name(zone),
        episodes=rows,
        daily=daily,
        apps=apps,
        totals=totals,
        totals_before=totals_before,
        youtube_available=bool(as_of),
        youtube_as_of=as_of,
        logs_span=queries.logged_span(db),
        agent_sources=(classifier or Classifier()).sources,
        feed_url=urls.feed_url(settings),
        site_url=urls.show_page_url(settings),
    )

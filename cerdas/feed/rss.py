"""``feed/feed.xml``: RSS 2.0 + iTunes + Podcasting 2.0, built with feedgen and :mod:`cerdas.feed_ext`.

Which episodes are public is decided here (:func:`select_episodes`): not drafts, tagged audio recorded, and a
publication date that has come (scheduled episodes appear at the first rebuild after their time). The feed lists
them newest first; every URL comes from :mod:`cerdas.urls`.
"""

from __future__ import annotations

import re
import stat
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

from cerdas import __version__, urls
from cerdas.chapters import format_timestamp
from cerdas.episode import Episode, list_episodes, parse_when
from cerdas.errors import CerdasError
from cerdas.facts import ClipRecord, TagFacts, TranscribeFacts, YouTubeVideo
from cerdas.feed.podcast_ext import (
    EXTENSION_NAME,
    Person,
    PodcastIndexEntryExtension,
    PodcastIndexExtension,
    Soundbite,
    Transcript,
)
from cerdas.metadata import metadata_problems
from cerdas.notes import notes_html, strip_control
from cerdas.platforms import MAX_DESCRIPTION_BYTES
from cerdas.settings import Settings
from cerdas.speakers.naming import is_generic
from cerdas.speakers.turns import load_turns
from cerdas.transcribe.formats import KINDS, MIME_TYPES, load_json
from cerdas.workspace import Workspace

PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_TRANSCRIPTS = ("vtt", "json", "srt")
"""The transcript files the feed announces, in this order (``txt`` is linked from the page only): VTT first (Apple
reads it, and some Pocket Casts versions reject ``application/x-subrip``), JSON second."""


SITE_CLIP_MAX = 16 * 1000 * 1000
"""A clip's MP4 is copied into the site (and played on the episode page) up to 16 MB, WhatsApp's limit for a
video: what is small enough to share is small enough to host. A bigger one plays from the episode's MP3."""


@dataclass(frozen=True)
class SiteClip:
    """A clip as the feed (``podcast:soundbite``) and the episode page show it; ``video`` is the MP4 to copy
    into the site, or None when it is missing, too big, or not in the episode's clips folder."""

    clip: ClipRecord
    video: Path | None = None

    @property
    def captions(self) -> Path | None:
        """The clip's VTT beside its MP4 (a track for the page's player), when the site carries the MP4."""
        if self.video is None:
            return None
        vtt = self.video.with_suffix(".vtt")
        return vtt if vtt.is_file() and not vtt.is_symlink() else None


def site_clips(ws: Workspace, episode: Episode) -> tuple[SiteClip, ...]:
    """The episode's clips in time order, each with its MP4 when the site may carry it (a regular file of at
    most :data:`SITE_CLIP_MAX` bytes in ``episodes/<slug>/clips/``)."""
    out = []
    folder = ws.clips_dir(episode.slug).resolve()
    for clip in sorted(episode.clips, key=lambda c: (c.start, c.end, c.format)):
        video = None
        stored = clip.files.get("video", "")
        if stored:
            path = ws.resolve(stored)
            try:
                info = path.lstat()
            except OSError:
                info = None
            if (
                info is not None
                and stat.S_ISREG(info.st_mode)
                and info.st_size <= SITE_CLIP_MAX
                and path.parent.resolve() == folder
                and path.suffix == ".mp4"
            ):
                video = path
        out.append(SiteClip(clip, video))
    return tuple(out)


@dataclass(frozen=True)
class FeedEpisode:
    """A public episode with everything the feed and its page need, read once per build."""

    episode: Episode
    published: datetime
    audio: Path
    size: int
    duration: float
    notes: str
    cover: Path | None
    transcripts: dict[str, Path] = field(default_factory=dict)
    youtube_url: str = ""
    clips: tuple[SiteClip, ...] = ()
    speakers: tuple[str, ...] = ()
    """The people the transcript names as speakers (stand-ins like "Pembicara 2" left out), in order."""

    @property
    def slug(self) -> str:
        return self.episode.slug

    def cover_rel(self, artwork_rel: str) -> str:
        """Where this episode's image lives in ``feed/``: its own cover, else the show artwork."""
        if self.cover is None:
            return artwork_rel
        return urls.cover_rel(self.slug, _image_ext(self.cover))


@dataclass
class Selection:
    """The episodes of a build: the public ones newest first, what was held back and why, and what was left out
    because it is broken (slug → the reason, naming the file or the field)."""

    public: list[FeedEpisode]
    drafts: list[str] = field(default_factory=list)
    scheduled: list[tuple[str, datetime]] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)
    episodes: list[Episode] = field(default_factory=list)
    """Every episode whose journal could be read (the build records each one's feed problem in it)."""

    def leave_out(self, slug: str, reason: str) -> None:
        """Take ``slug`` out of this build, saying why."""
        self.left_out.setdefault(slug, reason)
        self.public = [item for item in self.public if item.slug != slug]
        self.scheduled = [(s, when) for s, when in self.scheduled if s != slug]


def _image_ext(path: Path) -> str:
    ext = path.suffix.lower().lstrip(".")
    return "jpg" if ext == "jpeg" else ext


def artwork_ext(settings: Settings) -> str:
    """``png`` or ``jpg``: the show artwork's extension in ``feed/``."""
    return _image_ext(settings.artwork_path)


def podcast_guid(settings: Settings) -> str:
    """``podcast:guid``: ``show.guid`` when set (a moved feed keeps its identity), else the UUIDv5 of the feed
    URL without its scheme and trailing slashes, as Podcast Index computes it; "" while ``base_url`` is this
    machine (every such workspace would get the same one)."""
    if settings.show.guid:
        return settings.show.guid
    if urls.is_local(settings.base_url):
        return ""
    address = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", urls.feed_url(settings)).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, address))


def _youtube_public(video: YouTubeVideo, now: datetime) -> bool:
    """Whether the uploaded video can be watched: not private, or private with a YouTube publishAt that passed."""
    if video.privacy != "private":
        return True
    publish_at = video.publish_at or ""
    try:
        return bool(publish_at) and parse_when(publish_at.replace("Z", "+00:00")) <= now
    except CerdasError:
        return False


def _feed_episode(ws: Workspace, settings: Settings, episode: Episode, when: datetime, now: datetime) -> FeedEpisode:
    tag = episode.facts(TagFacts)
    audio = ws.published_audio(episode.slug)
    size = audio.stat().st_size if audio.is_file() else (tag.bytes if tag else 0)
    cover = None
    if episode.cover:
        cover = ws.resolve(episode.cover)
    transcripts = {kind: path for kind in KINDS if (path := ws.transcript(episode.slug, kind)).is_file()}
    youtube = ""
    if episode.youtube is not None and episode.youtube.video_id and _youtube_public(episode.youtube, now):
        youtube = urls.youtube_watch_url(episode.youtube.video_id)
    return FeedEpisode(
        episode=episode,
        published=when,
        audio=audio,
        size=size,
        duration=tag.duration if tag else 0.0,
        notes=notes_html(episode.description),
        cover=cover,
        transcripts=transcripts,
        youtube_url=youtube,
        clips=site_clips(ws, episode),
        speakers=named_speakers(ws, episode, transcripts.get("json")),
    )


def named_speakers(ws: Workspace, episode: Episode, path: Path | None) -> tuple[str, ...]:
    """The people the transcript (JSON) names as speakers, in order of first speech: those named by ``--speaker``,
    a voice profile or a track, and in a hand-corrected VTT also the names typed there. Stand-ins ("Pembicara 2")
    are nobody; a transcript or speakers file that cannot be read names nobody here (the feed's check and the
    transcribe stage report them)."""
    if path is None:
        return ()
    turns = ws.speaker_turns(episode.slug)
    try:
        segments = load_json(path)
        named_by = load_turns(turns).named_by if turns.is_file() else {}
    except CerdasError:
        return ()
    transcribed = episode.facts(TranscribeFacts)
    by_hand = transcribed is not None and transcribed.source == "vtt"
    names = dict.fromkeys(" ".join(strip_control(s.speaker).split()) for s in segments)
    return tuple(
        n
        for n in names
        if n and not is_generic(n) and (named_by.get(n, "generic") != "generic" or (by_hand and n not in named_by))
    )


def item_persons(settings: Settings, item: FeedEpisode) -> list[Person]:
    """An item's ``podcast:person`` list: empty when it would only repeat the channel's hosts (an item's list
    replaces the channel's); else the hosts, the guests and every named speaker, each once (a speaker who is a
    host keeps the host role)."""
    ep = item.episode
    people: dict[str, Person] = {}
    for name, role in [
        *((h, "host") for h in settings.show.hosts),
        *((g, "guest") for g in ep.guests),
        *((s, "guest") for s in item.speakers),
    ]:
        clean = " ".join(strip_control(name).split())
        if clean:
            people.setdefault(clean.casefold(), Person(clean, role))
    hosts = {" ".join(strip_control(h).split()).casefold() for h in settings.show.hosts}
    return list(people.values()) if set(people) - hosts else []


def select_episodes(
    ws: Workspace, settings: Settings, now: datetime | None = None, current: Episode | None = None
) -> Selection:
    """Every episode of the workspace sorted into public (newest first), drafts, scheduled and unfinished, and
    left out: a journal that cannot be read, metadata an output cannot carry (:mod:`cerdas.metadata`), a guid an
    older episode already has. ``current`` replaces the stored copy of that episode (the one a running publish
    holds in memory)."""
    now = now or datetime.now(UTC)
    broken: dict[str, CerdasError] = {}
    episodes = list_episodes(ws, current, broken)
    selection = Selection(public=[], episodes=episodes)
    selection.left_out = {slug: str(error) for slug, error in broken.items()}
    guids: dict[str, str] = {}
    for episode in episodes:
        state = episode.release_state(now)
        if state == "draft":
            selection.drafts.append(episode.slug)
            continue
        if state == "incomplete":
            selection.unfinished.append(episode.slug)
            continue
        problems = metadata_problems(episode, ws)
        if problems:
            selection.left_out[episode.slug] = str(problems[0])
            continue
        if episode.guid in guids:
            selection.left_out[episode.slug] = f"its guid {episode.guid} is already episode {guids[episode.guid]!r}'s"
            continue
        guids[episode.guid] = episode.slug
        if state == "scheduled":
            selection.scheduled.append((episode.slug, episode.published_at()))
        else:
            selection.public.append(_feed_episode(ws, settings, episode, episode.published_at(), now))
    selection.public.sort(key=lambda f: (f.published, f.episode.number or 0, f.slug), reverse=True)
    return selection


def _extras_html(settings: Settings, item: FeedEpisode) -> list[str]:
    """Show-notes additions, most useful first: guests, the page with the transcript, YouTube, chapters."""
    ep = item.episode
    parts = []
    if ep.guests:
        parts.append(f"<p>Tamu: {escape(strip_control(', '.join(ep.guests)))}</p>")
    page = urls.episode_page_url(settings, ep.slug)
    label = (
        "Halaman episode dan transkrip"
        if "vtt" in item.transcripts or "json" in item.transcripts
        else "Halaman episode"
    )
    parts.append(f'<p><a href="{escape(page)}">{label}</a></p>')
    if item.youtube_url:
        parts.append(f'<p><a href="{escape(item.youtube_url)}">Tonton di YouTube</a></p>')
    if ep.chapters:
        lines = "<br>".join(
            f"{format_timestamp(c.start)} {escape(strip_control(c.title))}"
            for c in sorted(ep.chapters, key=lambda c: c.start)
        )
        parts.append(f"<p>Bab:<br>{lines}</p>")
    return parts


def item_description(settings: Settings, item: FeedEpisode) -> str:
    """The item's HTML show notes: the producer's notes, then as many additions as fit in 4000 bytes.
    The producer's own text is never cut: when it alone is too long, ``cerdas feed --check`` says so."""
    html = item.notes
    for extra in _extras_html(settings, item):
        if len((html + extra).encode("utf-8")) <= MAX_DESCRIPTION_BYTES:
            html += extra
    return html or f"<p>{escape(strip_control(item.episode.title))}</p>"


def build_feed(
    settings: Settings, items: list[FeedEpisode], now: datetime | None = None, left_out: dict[str, str] | None = None
) -> bytes:
    """The feed document (UTF-8 bytes) for ``items`` in the order given (newest first).

    With ``left_out``, an item the feed cannot carry (feedgen or lxml refuses a value) is left out and named there
    with the reason, instead of failing the whole feed: one bad episode never blocks the others."""
    now = now or datetime.now(UTC)
    fg = _generator(settings, items, now)
    kept = []
    for item in items:
        entry = fg.add_entry(order="append")
        try:
            _item(entry, settings, item)
            kept.append(item)
        except ValueError as exc:
            if left_out is None:
                raise CerdasError(f"episode {item.slug!r} cannot go into the feed: {exc}") from exc
            fg.remove_entry(entry)
            left_out[item.slug] = f"the feed cannot carry it ({exc})"
    try:
        data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except ValueError as exc:  # lxml refuses text XML cannot carry
        bad = [item for item in kept if not _writable(settings, item, now)] if left_out is not None else []
        if not bad or left_out is None:
            raise CerdasError(f"the feed cannot be written: {exc}") from exc
        for item in bad:
            left_out[item.slug] = f"the feed cannot carry it ({exc})"
        return build_feed(settings, [i for i in kept if i not in bad], now, left_out)
    return data


def _generator(settings: Settings, items: list[FeedEpisode], now: datetime) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("podcast", atom=False, rss=True)
    fg.register_extension(EXTENSION_NAME, PodcastIndexExtension, PodcastIndexEntryExtension, atom=False, rss=True)
    _channel(fg, settings, items, now)
    return fg


def _writable(settings: Settings, item: FeedEpisode, now: datetime) -> bool:
    """Whether a feed of this one item serialises (finding the item lxml refuses)."""
    fg = _generator(settings, [item], now)
    try:
        _item(fg.add_entry(order="append"), settings, item)
        fg.rss_str(pretty=False, encoding="UTF-8", xml_declaration=True)
    except ValueError:
        return False
    return True


def _channel(fg: FeedGenerator, settings: Settings, items: list[FeedEpisode], now: datetime) -> None:
    show = settings.show
    artwork_url = urls.absolute(settings, urls.artwork_rel(artwork_ext(settings)))
    fg.title(strip_control(show.title))
    fg.description(strip_control(show.description or show.title))
    # feedgen's RSS <link> is the last link() call: the self link first, the show page last.
    fg.link(href=urls.feed_url(settings), rel="self", type="application/rss+xml")
    fg.link(href=urls.show_page_url(settings), rel="alternate")
    fg.language(show.language)
    fg.image(url=artwork_url, title=strip_control(show.title), link=urls.show_page_url(settings))
    fg.generator(f"Cerdas {__version__}", uri="https://podcastindex.org/namespace/1.0")
    fg.lastBuildDate(now)
    if items:
        fg.pubDate(items[0].published)
    if show.copyright:
        fg.copyright(strip_control(show.copyright))
    pod = fg.podcast
    pod.itunes_author(strip_control(show.author or show.title))
    pod.itunes_image(artwork_url)
    pod.itunes_type(show.type)
    if show.owner_email:
        pod.itunes_owner(name=strip_control(show.owner_name or show.author or show.title), email=show.owner_email)
    ext: PodcastIndexExtension = getattr(fg, EXTENSION_NAME)
    ext.itunes_title(strip_control(show.title))
    ext.itunes_explicit(show.explicit)
    ext.itunes_category(show.category, show.subcategory)
    guid = podcast_guid(settings)
    if guid:
        ext.podcast_guid(guid)
    ext.podcast_locked(show.locked, show.owner_email)
    ext.podcast_medium("podcast")
    for host in show.hosts:
        ext.podcast_person(Person(strip_control(host), "host"))


def _item(entry: Any, settings: Settings, item: FeedEpisode) -> None:
    ep = item.episode
    entry.title(strip_control(ep.title))
    entry.link(href=urls.episode_page_url(settings, ep.slug))
    html = item_description(settings, item)
    entry.description(html)
    entry.content(html, type="CDATA")
    entry.guid(strip_control(ep.guid), permalink=False)
    entry.pubDate(item.published)
    entry.enclosure(urls.audio_url(settings, ep.slug), str(item.size), "audio/mpeg")
    ipod = entry.podcast
    ipod.itunes_title(strip_control(ep.title))
    ipod.itunes_duration(max(round(item.duration), 1))
    ipod.itunes_episode_type(ep.episode_type)
    if ep.number:  # Apple: a whole number from 1; 0 means "no number"
        ipod.itunes_episode(ep.number)
    if ep.season is not None:
        ipod.itunes_season(ep.season)
    ipod.itunes_image(urls.absolute(settings, item.cover_rel(urls.artwork_rel(artwork_ext(settings)))))
    pext: PodcastIndexEntryExtension = getattr(entry, EXTENSION_NAME)
    for kind in FEED_TRANSCRIPTS:
        if kind in item.transcripts:
            url = urls.transcript_url(settings, ep.slug, kind)
            rel = "captions" if kind == "vtt" else ""
            pext.podcast_transcript(Transcript(url, MIME_TYPES[kind], settings.show.language, rel))
    if ep.chapters:
        pext.podcast_chapters(urls.chapters_url(settings, ep.slug))
    spans: set[tuple[float, float]] = set()
    for bite in item.clips:  # one soundbite per moment, however many formats it was rendered in
        clip = bite.clip
        if (clip.start, clip.end) not in spans:
            spans.add((clip.start, clip.end))
            pext.podcast_soundbite(Soundbite(clip.start, round(clip.end - clip.start, 3), clip.title or ep.title))
    for person in item_persons(settings, item):
        pext.podcast_person(person)
    if ep.season is not None:
        pext.podcast_season(ep.season)
    if ep.number:
        pext.podcast_episode(ep.number)

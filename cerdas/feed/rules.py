"""Apple Podcasts' and Podcast Index's rules that settings and the feed check share.

The category table is Apple's current list (since 2019), not feedgen's older one.
"""

from __future__ import annotations

import email.utils
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from lxml import etree
from PIL import Image, UnidentifiedImageError

from cerdas.errors import CerdasError, SettingsError
from cerdas.platforms import MAX_DESCRIPTION_BYTES, check_category
from cerdas.settings import Settings
from cerdas.urls import is_local

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS, "content": CONTENT_NS}

ARTWORK_MIN, ARTWORK_MAX = 1400, 3000
ENCLOSURE_TYPES = ("audio/mpeg", "audio/x-m4a", "video/mp4", "video/quicktime", "audio/mp4")
PODCASTING20_TRANSCRIPT_TYPES = (
    "text/vtt",
    "application/x-subrip",
    "application/srt",
    "application/json",
    "text/html",
    "text/plain",
)
EPISODE_TYPES = ("full", "trailer", "bonus")
_RFC822 = re.compile(
    r"^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UT|[ECMP][SD]T|Z)$"
)
_DURATION = re.compile(r"^(?:\d+|(?:\d+:)?[0-5]?\d:[0-5]\d)$")


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``level`` is ``error`` (the feed must not be published) or ``warning``."""

    level: str
    where: str
    message: str
    item: int = 0
    """The item (1 = the first in feed.xml) the rule is about; 0 for the channel and the feed as a whole."""

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


class FeedCheckError(CerdasError):
    """A rebuilt feed failed the check; the published ``feed/`` was left as it was."""

    def __init__(self, violations: list[Violation], path: Path) -> None:
        self.violations = violations
        errors = [v for v in violations if v.level == "error"]
        shown = "; ".join(f"{v.where}: {v.message}" for v in errors[:3])
        more = f" (and {len(errors) - 3} more; 'cerdas feed' lists them all)" if len(errors) > 3 else ""
        super().__init__(
            f"the rebuilt feed fails {len(errors)} check(s), so the published feed was left as it was: {shown}{more}",
            path,
        )


def artwork_problems(path: Path) -> list[tuple[str, str]]:
    """``(level, message)`` for each of Apple's artwork rules that ``path`` breaks: JPEG or PNG named as such,
    square, 1400-3000 px, RGB (a transparent layer is a warning)."""
    if not path.is_file():
        return [("error", "artwork file not found")]
    try:
        with Image.open(path) as img:
            fmt, (width, height), mode = img.format, img.size, img.mode
            transparent = mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info)
    except (UnidentifiedImageError, OSError) as exc:
        return [("error", f"not a readable image ({exc.__class__.__name__})")]
    problems: list[tuple[str, str]] = []
    if fmt not in ("JPEG", "PNG"):
        return [("error", f"artwork is {fmt}; Apple accepts JPEG or PNG")]
    ext = path.suffix.lower()
    if (fmt == "JPEG") != (ext in (".jpg", ".jpeg")) or (fmt == "PNG") != (ext == ".png"):
        problems.append(("error", f"a {fmt} file named {path.name}: the extension must match (.jpg or .png)"))
    if width != height:
        problems.append(("error", f"artwork is {width}x{height} px; it must be square"))
    if min(width, height) < ARTWORK_MIN or max(width, height) > ARTWORK_MAX:
        problems.append(("error", f"artwork is {width}x{height} px; Apple needs {ARTWORK_MIN} to {ARTWORK_MAX} px"))
    if mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        problems.append(("error", f"artwork is in the {mode} colour space; Apple needs RGB"))
    elif mode in ("1", "L", "LA", "I", "I;16", "F"):
        problems.append(("error", f"artwork is greyscale ({mode}); Apple needs RGB"))
    if transparent:
        problems.append(("warning", "artwork has a transparent layer; apps show it on their own background"))
    return problems


def check_show_artwork(settings: Settings) -> None:
    """Raise :class:`SettingsError` when the show artwork breaks Apple's rules (checked before any work)."""
    path = settings.artwork_path
    for level, message in artwork_problems(path):
        if level == "error":
            raise SettingsError(f"'show.artwork': {message}", path)


def _rfc822(text: str | None) -> datetime | None:
    """The moment an RFC 822 date names, or ``None`` when malformed, without a zone or on the wrong weekday."""
    match = _RFC822.match((text or "").strip())
    if not match:
        return None
    try:
        when = email.utils.parsedate_to_datetime(match.group(0))
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None or (match.group(1) and match.group(1) != when.strftime("%a")):
        return None
    return when


def _local_file(feed_dir: Path, base_url: str, url: str) -> Path | None:
    """The file in ``feed/`` that ``url`` points to, or ``None`` when it is not under ``base_url``."""
    if not url.startswith(base_url):
        return None
    rel = unquote(url[len(base_url) :].split("#", 1)[0].split("?", 1)[0])
    parts = [p for p in rel.split("/") if p and p != "."]
    if ".." in parts:
        return None
    path = feed_dir.joinpath(*parts) if parts else feed_dir
    return path / "index.html" if path.is_dir() else path


def check_feed(
    feed_dir: Path, settings: Settings, now: datetime | None = None, preview: bool = False
) -> list[Violation]:
    """Check ``feed_dir/feed.xml`` and the files it points to against Apple's and Podcast Index's rules.

    Errors: missing required tags, artwork off the rules, descriptions over 4000 bytes, an enclosure missing from
    ``feed/`` or of another size than its ``length``, a wrong type, duplicate guids or enclosures, invalid dates,
    missing transcript or chapters files, ``podcast:locked`` without the owner to ask, a ``base_url`` on this
    machine once an episode is public. Warnings: things apps cope with (no episodes yet, no owner e-mail).
    ``preview``: the build itself, which may serve a local preview (``cerdas serve``): a ``base_url`` on this
    machine is only a warning there; ``cerdas feed --check`` asks whether apps can use the feed."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.parse(str(feed_dir / "feed.xml"), parser).getroot()
    except OSError:
        return [Violation("error", "feed.xml", "not found; run 'cerdas feed' to build it")]
    except etree.XMLSyntaxError as exc:
        return [Violation("error", "feed.xml", f"not well-formed XML: {exc}")]
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return [Violation("error", "feed.xml", "not an RSS 2.0 document")]
    check = _FeedCheck(feed_dir, settings.base_url, now or datetime.now(UTC))
    check.channel(channel)
    items = channel.findall("item")
    if not items:
        check.warn("channel", "the feed has no episodes yet; Apple and Spotify accept a feed only with at least one")
    if is_local(settings.base_url):
        message = (
            f"show.base_url is {settings.base_url}, this machine: podcast apps cannot reach the feed and it gets no "
            "podcast:guid; set show.base_url in cerdas.toml to the address where feed/ is published"
        )
        check.out.append(Violation("error" if items and not preview else "warning", "channel", message))
    for n, item in enumerate(items, 1):
        check.item_no = n
        check.item(n, item)
    check.item_no = 0
    return check.out


def _text(parent: etree._Element, path: str) -> str:
    found = parent.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


class _FeedCheck:
    """The violations found so far, and what items must not repeat (guids, enclosures)."""

    def __init__(self, feed_dir: Path, base: str, now: datetime) -> None:
        self.feed_dir, self.base, self.now = feed_dir, base, now
        self.out: list[Violation] = []
        self.item_no = 0
        self.guids: dict[str, int] = {}
        self.enclosures: dict[str, int] = {}
        self.artwork = ""

    def err(self, where: str, message: str) -> None:
        self.out.append(Violation("error", where, message, self.item_no))

    def warn(self, where: str, message: str) -> None:
        self.out.append(Violation("warning", where, message, self.item_no))

    def local(self, url: str) -> Path | None:
        return _local_file(self.feed_dir, self.base, url)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.feed_dir).as_posix()

    # -- the channel ---------------------------------------------------------------------------------------------

    def channel(self, channel: etree._Element) -> None:
        where = "channel"
        for tag in ("title", "link", "description", "language"):
            if not _text(channel, tag):
                self.err(where, f"<{tag}> is missing or empty")
        link = _text(channel, "link")
        if link and urlparse(link).scheme not in ("http", "https"):
            self.err(where, f"<link> is not an absolute http(s) URL: {link!r}")
        if len(_text(channel, "description").encode("utf-8")) > MAX_DESCRIPTION_BYTES:
            self.err(where, f"<description> is longer than {MAX_DESCRIPTION_BYTES} bytes")
        self_link = channel.find("atom:link[@rel='self']", NS)
        if self_link is None or not self_link.get("href"):
            self.err(where, '<atom:link rel="self"> is missing')
        self.channel_artwork(channel)
        self.channel_itunes(channel)
        guid = _text(channel, "podcast:guid")
        try:
            uuid.UUID(guid)
        except ValueError:
            if guid or not is_local(self.base):  # a local base_url is reported once, in check_feed
                self.err(where, f"<podcast:guid> is missing or not a UUID: {guid!r}")
        locked = _text(channel, "podcast:locked")
        if locked not in ("yes", "no"):
            self.err(where, "<podcast:locked> must be 'yes' or 'no'")
        elif locked == "yes" and not channel.find("podcast:locked", NS).get("owner", "").strip():
            self.err(
                where,
                "<podcast:locked> is 'yes' without an owner e-mail, so Podcast Index ignores the lock; "
                "set show.owner_email in cerdas.toml (or locked = false)",
            )
        for tag in ("lastBuildDate", "pubDate"):
            if channel.find(tag) is not None and _rfc822(_text(channel, tag)) is None:
                self.err(where, f"<{tag}> is not an RFC 822 date with a time zone")

    def channel_artwork(self, channel: etree._Element) -> None:
        image = channel.find("itunes:image", NS)
        self.artwork = image.get("href", "") if image is not None else ""
        if not self.artwork:
            self.err("channel", "<itunes:image href> is missing")
            return
        local = self.local(self.artwork)
        if local is None:
            self.warn("channel", f"artwork {self.artwork} is not under base_url; not checked")
            return
        for level, message in artwork_problems(local):
            self.out.append(Violation(level, f"channel <itunes:image> {local.name}", message))

    def channel_itunes(self, channel: etree._Element) -> None:
        where = "channel"
        categories = channel.findall("itunes:category", NS)
        if not categories:
            self.err(where, "<itunes:category> is missing")
        for cat in categories:
            sub = cat.find("itunes:category", NS)
            problem = check_category(cat.get("text", ""), sub.get("text", "") if sub is not None else "")
            if problem:
                self.err(where, f"<itunes:category>: {problem}")
        if _text(channel, "itunes:explicit") not in ("true", "false"):
            self.err(where, "<itunes:explicit> must be 'true' or 'false'")
        if not _text(channel, "itunes:author"):
            self.warn(where, "<itunes:author> is missing")
        if not _text(channel, "itunes:owner/itunes:email"):
            self.warn(where, "<itunes:owner> has no e-mail; Apple and Spotify send ownership checks there")

    # -- each item -----------------------------------------------------------------------------------------------

    def item(self, n: int, item: etree._Element) -> None:
        title = _text(item, "title")
        where = f"item {n} ({title[:40]!r})" if title else f"item {n}"
        if not title:
            self.err(where, "<title> is missing or empty")
        guid = _text(item, "guid")
        if not guid:
            self.err(where, "<guid> is missing")
        elif guid in self.guids:
            self.err(where, f"<guid> {guid} repeats item {self.guids[guid]}")
        else:
            self.guids[guid] = n
        date = _text(item, "pubDate")
        when = _rfc822(date)
        if when is None:
            self.err(where, f"<pubDate> is missing or not an RFC 822 date with a time zone: {date!r}")
        elif when > self.now + timedelta(minutes=5):
            self.err(where, f"<pubDate> {date} is in the future")
        for tag in ("description", "content:encoded"):
            size = len(_text(item, tag).encode("utf-8"))
            if size > MAX_DESCRIPTION_BYTES:
                self.err(
                    where,
                    f"<{tag}> is {size} bytes; Apple's limit is {MAX_DESCRIPTION_BYTES} "
                    "(shorten the episode description)",
                )
        if not _text(item, "description"):
            self.warn(where, "<description> is empty")
        enclosure = item.find("enclosure")
        if enclosure is None:
            self.err(where, "<enclosure> is missing")
        else:
            self.enclosure(n, where, enclosure)
        self.item_itunes(where, item)
        self.item_files(where, item)

    def enclosure(self, n: int, where: str, enclosure: etree._Element) -> None:
        url, length, mime = enclosure.get("url", ""), enclosure.get("length", ""), enclosure.get("type", "")
        if urlparse(url).scheme not in ("http", "https"):
            self.err(where, f"<enclosure url> is not an absolute http(s) URL: {url!r}")
        if url in self.enclosures:
            self.err(where, f"<enclosure> {url} repeats item {self.enclosures[url]}")
        self.enclosures.setdefault(url, n)
        if mime not in ENCLOSURE_TYPES:
            self.err(where, f"<enclosure type> {mime!r} is not one Apple accepts ({', '.join(ENCLOSURE_TYPES[:3])})")
        if not length.isdigit() or int(length) <= 0:
            self.err(where, f"<enclosure length> must be the file size in bytes, not {length!r}")
        local = self.local(url)
        if local is None:
            self.warn(where, f"enclosure {url} is not under base_url; not checked")
        elif not local.is_file():
            self.err(where, f"enclosure file {self.rel(local)} is missing from feed/")
        elif length.isdigit() and local.stat().st_size != int(length):
            self.err(where, f"<enclosure length> says {length} bytes but {local.name} has {local.stat().st_size}")

    def item_itunes(self, where: str, item: etree._Element) -> None:
        duration = _text(item, "itunes:duration")
        if not duration:
            self.warn(where, "<itunes:duration> is missing")
        elif not _DURATION.match(duration):
            self.err(where, f"<itunes:duration> {duration!r} is not seconds or HH:MM:SS")
        number = _text(item, "itunes:episode")
        if number and (not number.isdigit() or int(number) < 1):
            self.err(where, f"<itunes:episode> must be a whole number from 1, not {number!r}")
        episode_type = _text(item, "itunes:episodeType")
        if episode_type and episode_type not in EPISODE_TYPES:
            self.err(where, f"<itunes:episodeType> must be one of {', '.join(EPISODE_TYPES)}, not {episode_type!r}")
        item_image = item.find("itunes:image", NS)
        if item_image is not None and item_image.get("href") != self.artwork:
            local = self.local(item_image.get("href", ""))
            if local is not None:
                for level, message in artwork_problems(local):
                    level = "warning" if level == "error" else level
                    self.out.append(
                        Violation(level, f"{where} <itunes:image>", f"{message} (episode cover)", self.item_no)
                    )

    def item_files(self, where: str, item: etree._Element) -> None:
        for transcript in item.findall("podcast:transcript", NS):
            url, mime = transcript.get("url", ""), transcript.get("type", "")
            if mime not in PODCASTING20_TRANSCRIPT_TYPES:
                self.err(where, f"<podcast:transcript type> {mime!r} is not a Podcasting 2.0 transcript type")
            local = self.local(url)
            if local is not None and not local.is_file():
                self.err(where, f"transcript file {self.rel(local)} is missing from feed/")
        chapters = item.find("podcast:chapters", NS)
        local = self.local(chapters.get("url", "")) if chapters is not None else None
        if local is None:
            return
        try:
            doc = json.loads(local.read_text(encoding="utf-8"))
            if not isinstance(doc.get("chapters"), list):
                raise ValueError("no 'chapters' list")
        except FileNotFoundError:
            self.err(where, f"chapters file {self.rel(local)} is missing from feed/")
        except (ValueError, AttributeError, UnicodeDecodeError) as exc:
            self.err(where, f"chapters file {local.name} is not Podcasting 2.0 chapters JSON ({exc})")

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

from PIL import Image, UnidentifiedImageError

from cerdas.errors import CerdasError, SettingsError
from cerdas.platforms import MAX_DESCRIPTION_BYTES, check_category
from cerdas.settings import Settings

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


def check_feed(feed_dir: Path, settings: Settings, now: datetime | None = None) -> list[Violation]:
    """Check ``feed_dir/feed.xml`` and the files it points to against Apple's and Podcast Index's rules.

    Errors: missing required tags, artwork off the rules, descriptions over 4000 bytes, an enclosure missing from
    ``feed/`` or of another size than its ``length``, a wrong type, duplicate guids or enclosures, invalid dates,
    missing transcript or chapters files. Warnings: things apps cope with (no episodes yet, no owner e-mail)."""
    from lxml import etree

    now = now or datetime.now(UTC)
    base = settings.base_url
    out: list[Violation] = []
    feed_path = feed_dir / "feed.xml"

    def err(where: str, message: str) -> None:
        out.append(Violation("error", where, message))

    def warn(where: str, message: str) -> None:
        out.append(Violation("warning", where, message))

    try:
        root = etree.parse(str(feed_path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except OSError:
        return [Violation("error", "feed.xml", "not found; run 'cerdas feed' to build it")]
    except etree.XMLSyntaxError as exc:
        return [Violation("error", "feed.xml", f"not well-formed XML: {exc}")]
    if root.tag != "rss" or root.get("version") != "2.0" or root.find("channel") is None:
        return [Violation("error", "feed.xml", "not an RSS 2.0 document")]
    channel = root.find("channel")
    assert channel is not None

    def text(parent: etree._Element, path: str) -> str:
        found = parent.find(path, NS)
        return (found.text or "").strip() if found is not None else ""

    where = "channel"
    for tag in ("title", "link", "description", "language"):
        if not text(channel, tag):
            err(where, f"<{tag}> is missing or empty")
    link = text(channel, "link")
    if link and urlparse(link).scheme not in ("http", "https"):
        err(where, f"<link> is not an absolute http(s) URL: {link!r}")
    if len(text(channel, "description").encode("utf-8")) > MAX_DESCRIPTION_BYTES:
        err(where, f"<description> is longer than {MAX_DESCRIPTION_BYTES} bytes")
    self_link = channel.find("atom:link[@rel='self']", NS)
    if self_link is None or not self_link.get("href"):
        err(where, '<atom:link rel="self"> is missing')
    image = channel.find("itunes:image", NS)
    href = image.get("href", "") if image is not None else ""
    if not href:
        err(where, "<itunes:image href> is missing")
    else:
        local = _local_file(feed_dir, base, href)
        if local is None:
            warn(where, f"artwork {href} is not under base_url; not checked")
        else:
            for level, message in artwork_problems(local):
                out.append(Violation(level, f"channel <itunes:image> {local.name}", message))
    categories = channel.findall("itunes:category", NS)
    if not categories:
        err(where, "<itunes:category> is missing")
    for cat in categories:
        sub = cat.find("itunes:category", NS)
        problem = check_category(cat.get("text", ""), sub.get("text", "") if sub is not None else "")
        if problem:
            err(where, f"<itunes:category>: {problem}")
    if text(channel, "itunes:explicit") not in ("true", "false"):
        err(where, "<itunes:explicit> must be 'true' or 'false'")
    if not text(channel, "itunes:author"):
        warn(where, "<itunes:author> is missing")
    if not text(channel, "itunes:owner/itunes:email"):
        warn(where, "<itunes:owner> has no e-mail; Apple and Spotify send ownership checks there")
    guid = text(channel, "podcast:guid")
    try:
        uuid.UUID(guid)
    except ValueError:
        err(where, f"<podcast:guid> is missing or not a UUID: {guid!r}")
    if text(channel, "podcast:locked") not in ("yes", "no"):
        err(where, "<podcast:locked> must be 'yes' or 'no'")
    for tag in ("lastBuildDate", "pubDate"):
        if channel.find(tag) is not None and _rfc822(text(channel, tag)) is None:
            err(where, f"<{tag}> is not an RFC 822 date with a time zone")

    items = channel.findall("item")
    if not items:
        warn(where, "the feed has no episodes yet; Apple and Spotify accept a feed only with at least one")
    guids: dict[str, int] = {}
    enclosures: dict[str, int] = {}
    for n, item in enumerate(items, 1):
        title = text(item, "title")
        where = f"item {n} ({title[:40]!r})" if title else f"item {n}"
        if not title:
            err(where, "<title> is missing or empty")
        guid = text(item, "guid")
        if not guid:
            err(where, "<guid> is missing")
        elif guid in guids:
            err(where, f"<guid> {guid} repeats item {guids[guid]}")
        else:
            guids[guid] = n
        date = text(item, "pubDate")
        when = _rfc822(date)
        if when is None:
            err(where, f"<pubDate> is missing or not an RFC 822 date with a time zone: {date!r}")
        elif when > now + timedelta(minutes=5):
            err(where, f"<pubDate> {date} is in the future")
        for tag in ("description", "content:encoded"):
            body = text(item, tag)
            if len(body.encode("utf-8")) > MAX_DESCRIPTION_BYTES:
                err(
                    where,
                    f"<{tag}> is {len(body.encode('utf-8'))} bytes; Apple's limit is {MAX_DESCRIPTION_BYTES} "
                    "(shorten the episode description)",
                )
        if not text(item, "description"):
            warn(where, "<description> is empty")
        enclosure = item.find("enclosure")
        if enclosure is None:
            err(where, "<enclosure> is missing")
        else:
            url, length, mime = enclosure.get("url", ""), enclosure.get("length", ""), enclosure.get("type", "")
            if urlparse(url).scheme not in ("http", "https"):
                err(where, f"<enclosure url> is not an absolute http(s) URL: {url!r}")
            if url in enclosures:
                err(where, f"<enclosure> {url} repeats item {enclosures[url]}")
            enclosures.setdefault(url, n)
            if mime not in ENCLOSURE_TYPES:
                err(where, f"<enclosure type> {mime!r} is not one Apple accepts ({', '.join(ENCLOSURE_TYPES[:3])})")
            if not length.isdigit() or int(length) <= 0:
                err(where, f"<enclosure length> must be the file size in bytes, not {length!r}")
            local = _local_file(feed_dir, base, url)
            if local is None:
                warn(where, f"enclosure {url} is not under base_url; not checked")
            elif not local.is_file():
                err(where, f"enclosure file {local.relative_to(feed_dir).as_posix()} is missing from feed/")
            elif length.isdigit() and local.stat().st_size != int(length):
                err(where, f"<enclosure length> says {length} bytes but {local.name} has {local.stat().st_size}")
        duration = text(item, "itunes:duration")
        if not duration:
            warn(where, "<itunes:duration> is missing")
        elif not _DURATION.match(duration):
            err(where, f"<itunes:duration> {duration!r} is not seconds or HH:MM:SS")
        number = text(item, "itunes:episode")
        if number and (not number.isdigit() or int(number) < 1):
            err(where, f"<itunes:episode> must be a whole number from 1, not {number!r}")
        episode_type = text(item, "itunes:episodeType")
        if episode_type and episode_type not in EPISODE_TYPES:
            err(where, f"<itunes:episodeType> must be one of {', '.join(EPISODE_TYPES)}, not {episode_type!r}")
        item_image = item.find("itunes:image", NS)
        if item_image is not None and item_image.get("href") != href:
            local = _local_file(feed_dir, base, item_image.get("href", ""))
            if local is not None:
                for level, message in artwork_problems(local):
                    out.append(
                        Violation(
                            "warning" if level == "error" else level,
                            f"{where} <itunes:image>",
                            f"{message} (episode cover)",
                        )
                    )
        for transcript in item.findall("podcast:transcript", NS):
            url, mime = transcript.get("url", ""), transcript.get("type", "")
            if mime not in PODCASTING20_TRANSCRIPT_TYPES:
                err(where, f"<podcast:transcript type> {mime!r} is not a Podcasting 2.0 transcript type")
            local = _local_file(feed_dir, base, url)
            if local is not None and not local.is_file():
                err(where, f"transcript file {local.relative_to(feed_dir).as_posix()} is missing from feed/")
        chapters = item.find("podcast:chapters", NS)
        if chapters is not None:
            local = _local_file(feed_dir, base, chapters.get("url", ""))
            if local is not None:
                try:
                    doc = json.loads(local.read_text(encoding="utf-8"))
                    if not isinstance(doc.get("chapters"), list):
                        raise ValueError("no 'chapters' list")
                except FileNotFoundError:
                    err(where, f"chapters file {local.relative_to(feed_dir).as_posix()} is missing from feed/")
                except (ValueError, AttributeError, UnicodeDecodeError) as exc:
                    err(where, f"chapters file {local.name} is not Podcasting 2.0 chapters JSON ({exc})")
    return out

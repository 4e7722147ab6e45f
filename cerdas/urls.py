"""Where everything lives in ``feed/`` and at which public URL: one table that the feed, the site, YouTube
descriptions and search links all use, so no two places disagree.

Layout of ``feed/`` (served as ``show.base_url``)::

    feed.xml                       the RSS feed
    index.html                     the show page
    artwork.<ext>                  the show artwork
    episodes/<slug>/index.html     an episode page; ``#t=SECONDS`` opens the player at that moment
    audio/<slug>.mp3               the tagged episode audio (the enclosure)
    transcripts/<slug>.<ext>       vtt, srt, json (Podcasting 2.0), txt
    chapters/<slug>.json           Podcasting 2.0 chapters
    search/index.html              the search page
    covers/<slug>.<ext>            an episode's own cover (when it has one)
    assets/<name>                  the site's stylesheet, script and small artwork copies
"""

from __future__ import annotations

import ipaddress
from urllib.parse import quote, urlparse

from cerdas.settings import Settings


def feed_rel() -> str:
    return "feed.xml"


def episode_page_rel(slug: str) -> str:
    return f"episodes/{slug}/index.html"


def audio_rel(slug: str) -> str:
    return f"audio/{slug}.mp3"


def transcript_rel(slug: str, kind: str) -> str:
    return f"transcripts/{slug}.{kind}"


def chapters_rel(slug: str) -> str:
    return f"chapters/{slug}.json"


def clip_rel(slug: str, name: str) -> str:
    """A clip's MP4 in ``feed/`` (``name``: the file's name, e.g. ``<slug>-00012-00040-vertical.mp4``)."""
    return f"clips/{slug}/{name}"


def search_page_rel() -> str:
    return "search/index.html"


def artwork_rel(ext: str) -> str:
    """The show artwork in ``feed/`` (``ext`` without the dot: ``png`` or ``jpg``)."""
    return f"artwork.{ext}"


def cover_rel(slug: str, ext: str) -> str:
    """An episode's own cover in ``feed/``."""
    return f"covers/{slug}.{ext}"


def asset_rel(name: str) -> str:
    """A site asset (stylesheet, script, icon) in ``feed/``."""
    return f"assets/{name}"


def show_page_url(settings: Settings) -> str:
    """The show page (``index.html``): ``base_url`` itself."""
    return settings.base_url


def absolute(settings: Settings, rel: str) -> str:
    """``rel`` (a path inside ``feed/``) as a public URL under ``base_url``."""
    return settings.base_url + quote(rel)


def feed_url(settings: Settings) -> str:
    return absolute(settings, feed_rel())


def episode_page_url(settings: Settings, slug: str, seconds: float | None = None) -> str:
    """The episode page, at a moment when ``seconds`` is given (``#t=SECONDS``, whole seconds)."""
    url = settings.base_url + quote(f"episodes/{slug}/")
    return f"{url}#t={int(seconds)}" if seconds is not None else url


def audio_url(settings: Settings, slug: str) -> str:
    return absolute(settings, audio_rel(slug))


def transcript_url(settings: Settings, slug: str, kind: str) -> str:
    return absolute(settings, transcript_rel(slug, kind))


def chapters_url(settings: Settings, slug: str) -> str:
    return absolute(settings, chapters_rel(slug))


def youtube_watch_url(video_id: str, seconds: float | None = None) -> str:
    """``https://www.youtube.com/watch?v=ID`` (``&t=SECONDS`` at a moment)."""
    url = f"https://www.youtube.com/watch?v={quote(video_id)}"
    return f"{url}&t={int(seconds)}s" if seconds is not None else url


def is_local(url: str) -> bool:
    """Whether ``url`` points at this machine only (``localhost``, ``127.0.0.1``, ``[::1]``, ``0.0.0.0``,
    ``*.localhost``): fine for previewing with ``cerdas serve``, never reachable by a podcast app."""
    host = (urlparse(url).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified

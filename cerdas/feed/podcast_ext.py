"""A feedgen extension for what feedgen 1.0 lacks: the Podcasting 2.0 namespace and Apple's current iTunes tags.

Registered under the name ``podcastindex`` (feedgen's own ``podcast`` name is its iTunes extension). Channel:
``podcast:guid``, ``podcast:locked``, ``podcast:medium``, ``podcast:person``; ``itunes:title``, ``itunes:explicit``
as ``true``/``false`` and ``itunes:category`` from Apple's post-2019 list (feedgen's table is older). Item:
``podcast:transcript``, ``podcast:chapters``, ``podcast:soundbite``, ``podcast:person``, ``podcast:season``,
``podcast:episode``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# feedgen.util uses lxml.etree without importing it: import it first, whichever module is imported first
from lxml import etree  # noqa: F401

# isort: split
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from cerdas.links import safe_link
from cerdas.notes import strip_control

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
EXTENSION_NAME = "podcastindex"


@dataclass(frozen=True)
class Person:
    """``podcast:person``: a name with its role (``host``, ``guest``) and optional links."""

    name: str
    role: str = "host"
    href: str = ""
    img: str = ""


@dataclass(frozen=True)
class Transcript:
    """``podcast:transcript``: a transcript file's URL, MIME type, language and ``rel``."""

    url: str
    type: str
    language: str = ""
    rel: str = ""


@dataclass(frozen=True)
class Soundbite:
    """``podcast:soundbite``: a moment of the episode (seconds from its start, seconds long) and its title."""

    start: float
    duration: float
    title: str = ""


def _person(parent: Any, person: Person) -> None:
    elem = xml_elem(f"{{{PODCAST_NS}}}person", parent, role=person.role)
    if person.href and safe_link(person.href):
        elem.attrib["href"] = person.href
    if person.img and safe_link(person.img, mailto=False):
        elem.attrib["img"] = person.img
    elem.text = strip_control(person.name)


class PodcastIndexExtension(BaseExtension):  # type: ignore[misc]
    """Channel-level Podcasting 2.0 tags and the iTunes tags feedgen gets wrong or lacks."""

    def __init__(self) -> None:
        self._guid = ""
        self._locked: tuple[bool, str] | None = None
        self._medium = ""
        self._persons: list[Person] = []
        self._itunes_title = ""
        self._itunes_explicit: bool | None = None
        self._categories: list[tuple[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        channel = rss_feed[0]
        if self._itunes_title:
            xml_elem(f"{{{ITUNES_NS}}}title", channel).text = self._itunes_title
        if self._itunes_explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "true" if self._itunes_explicit else "false"
        for category, sub in self._categories:
            elem = xml_elem(f"{{{ITUNES_NS}}}category", channel, text=category)
            if sub:
                xml_elem(f"{{{ITUNES_NS}}}category", elem, text=sub)
        if self._guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self._guid
        if self._locked is not None:
            locked, owner = self._locked
            elem = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            if owner:
                elem.attrib["owner"] = owner
            elem.text = "yes" if locked else "no"
        if self._medium:
            xml_elem(f"{{{PODCAST_NS}}}medium", channel).text = self._medium
        for person in self._persons:
            _person(channel, person)
        return rss_feed

    def podcast_guid(self, guid: str) -> None:
        """``podcast:guid``: the show's global identifier (a UUIDv5 of the feed URL)."""
        self._guid = guid

    def podcast_locked(self, locked: bool, owner: str = "") -> None:
        """``podcast:locked``: whether other platforms may import the feed; ``owner`` is the e-mail to ask."""
        self._locked = (locked, owner)

    def podcast_medium(self, medium: str) -> None:
        """``podcast:medium`` (``podcast``, ``music``, ``audiobook``...)."""
        self._medium = medium

    def podcast_person(self, person: Person) -> None:
        """Add a ``podcast:person`` (the show's hosts)."""
        self._persons.append(person)

    def itunes_title(self, title: str) -> None:
        """Channel ``itunes:title`` (feedgen has it only on items)."""
        self._itunes_title = title

    def itunes_explicit(self, explicit: bool) -> None:
        """``itunes:explicit`` as Apple documents it: ``true`` or ``false``."""
        self._itunes_explicit = explicit

    def itunes_category(self, category: str, subcategory: str = "") -> None:
        """Add an ``itunes:category`` (with an optional nested subcategory); checked by the caller."""
        self._categories.append((category, subcategory))


class PodcastIndexEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Item-level Podcasting 2.0 tags."""

    def __init__(self) -> None:
        self._transcripts: list[Transcript] = []
        self._chapters: tuple[str, str] | None = None
        self._soundbites: list[Soundbite] = []
        self._persons: list[Person] = []
        self._season: int | None = None
        self._episode: int | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, entry: Any) -> Any:
        for t in self._transcripts:
            elem = xml_elem(f"{{{PODCAST_NS}}}transcript", entry, url=t.url, type=t.type)
            if t.language:
                elem.attrib["language"] = t.language
            if t.rel:
                elem.attrib["rel"] = t.rel
        if self._chapters is not None:
            url, mime = self._chapters
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry, url=url, type=mime)
        for bite in self._soundbites:
            elem = xml_elem(
                f"{{{PODCAST_NS}}}soundbite", entry, startTime=f"{bite.start:.3f}", duration=f"{bite.duration:.3f}"
            )
            elem.text = strip_control(bite.title)
        for person in self._persons:
            _person(entry, person)
        if self._season is not None:
            xml_elem(f"{{{PODCAST_NS}}}season", entry).text = str(self._season)
        if self._episode is not None:
            xml_elem(f"{{{PODCAST_NS}}}episode", entry).text = str(self._episode)
        return entry

    def podcast_transcript(self, transcript: Transcript) -> None:
        """Add a ``podcast:transcript``."""
        self._transcripts.append(transcript)

    def podcast_chapters(self, url: str, mime: str = "application/json+chapters") -> None:
        """``podcast:chapters``: the chapters JSON file."""
        self._chapters = (url, mime)

    def podcast_soundbite(self, bite: Soundbite) -> None:
        """Add a ``podcast:soundbite`` (a clip made with ``cerdas clip``)."""
        self._soundbites.append(bite)

    def podcast_person(self, person: Person) -> None:
        """Add a ``podcast:person`` (the episode's guests)."""
        self._persons.append(person)

    def podcast_season(self, season: int) -> None:
        """``podcast:season``."""
        self._season = season

    def podcast_episode(self, number: int) -> None:
        """``podcast:episode``."""
        self._episode = number

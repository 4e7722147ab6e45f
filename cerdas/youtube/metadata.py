"""The video's metadata, held to YouTube's limits before anything is sent.

Title ≤ 100 characters, description ≤ 5000 bytes, neither with ``<`` or ``>``; tags ≤ 500 characters as YouTube
counts them; chapters as description timestamps only when YouTube will accept them (first at 0:00, at least three,
each at least 10 s). Text over a limit is shortened with a warning, never rejected later by YouTube.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cerdas import urls
from cerdas.chapters import format_timestamp
from cerdas.episode import Chapter, Episode
from cerdas.facts import IngestFacts
from cerdas.fsutil import fingerprint
from cerdas.notes import notes_text, strip_control, truncate, truncate_bytes
from cerdas.platforms import YOUTUBE_CATEGORIES
from cerdas.settings import Settings

TITLE_MAX = 100
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX = 500
CHAPTERS_MIN = 3
CHAPTER_MIN_SECONDS = 10.0
CATEGORIES = YOUTUBE_CATEGORIES
PRIVACY = ("public", "unlisted", "private")

_LABELS = {
    "id": {
        "guests": "Narasumber",
        "chapters": "Bab",
        "feed": "Dengarkan sebagai podcast",
        "page": "Halaman episode dan transkrip",
    },
    "en": {
        "guests": "Guests",
        "chapters": "Chapters",
        "feed": "Listen as a podcast",
        "page": "Episode page and transcript",
    },
}


@dataclass
class VideoMetadata:
    """What ``videos.insert``/``update`` receives, already within YouTube's limits."""

    title: str
    description: str
    tags: list[str]
    category_id: int
    language: str
    privacy: str
    publish_at: str = ""
    made_for_kids: bool = False
    chapters_used: bool = False
    warnings: list[str] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        """The ``snippet`` + ``status`` resource body."""
        status: dict[str, Any] = {
            "privacyStatus": self.privacy,
            "selfDeclaredMadeForKids": self.made_for_kids,
            "embeddable": True,
            "license": "youtube",
        }
        if self.publish_at:
            status["publishAt"] = self.publish_at
        return {
            "snippet": {
                "title": self.title,
                "description": self.description,
                "tags": list(self.tags),
                "categoryId": str(self.category_id),
                "defaultLanguage": self.language,
                "defaultAudioLanguage": self.language,
            },
            "status": status,
        }

    def fingerprint(self) -> str:
        return fingerprint(self.body())


def clean_text(text: str) -> str:
    """Drop control characters and replace ``<``/``>`` (YouTube rejects them) with look-alike angle quotes."""
    return strip_control(text).replace("<", "‹").replace(">", "›")


def tag_cost(tag: str) -> int:
    """Characters a tag uses of the 500 as YouTube counts them (a tag with a space is quoted)."""
    return len(tag) + (2 if " " in tag else 0)


def fit_tags(candidates: list[str]) -> tuple[list[str], list[str]]:
    """Clean, de-duplicate and keep tags while they fit in 500 characters; returns (kept, dropped)."""
    kept: list[str] = []
    dropped: list[str] = []
    seen: set[str] = set()
    used = 0
    for raw in candidates:
        tag = " ".join(clean_text(raw).replace(",", " ").split())[:100]
        if not tag or tag.casefold() in seen:
            continue
        cost = tag_cost(tag) + (1 if kept else 0)
        if used + cost > TAGS_MAX:
            dropped.append(tag)
            continue
        seen.add(tag.casefold())
        kept.append(tag)
        used += cost
    return kept, dropped


def chapter_problem(chapters: list[Chapter], duration: float | None) -> str | None:
    """Why YouTube would not turn these chapters into video chapters (None: it will)."""
    if len(chapters) < CHAPTERS_MIN:
        return f"YouTube needs at least {CHAPTERS_MIN} chapters, the episode has {len(chapters)}"
    if chapters[0].start >= 1.0:
        return f"the first chapter starts at {format_timestamp(chapters[0].start, False)}, YouTube needs 0:00"
    ends = [c.start for c in chapters[1:]] + ([duration] if duration else [])
    for chapter, end in zip(chapters, ends, strict=False):
        if end - chapter.start < CHAPTER_MIN_SECONDS:
            return f"chapter '{chapter.title}' is shorter than {CHAPTER_MIN_SECONDS:.0f} s"
    return None


def chapter_lines(chapters: list[Chapter]) -> list[str]:
    """``0:00 Title`` lines (the first always ``0:00``)."""
    lines = []
    for i, chapter in enumerate(chapters):
        stamp = "0:00" if i == 0 else format_timestamp(chapter.start, always_hours=False)
        lines.append(f"{stamp} {' '.join(clean_text(chapter.title).split())}")
    return lines


def episode_duration(episode: Episode) -> float | None:
    """The episode's duration as measured at ingest (None before ingest ran)."""
    ingest = episode.facts(IngestFacts)
    return ingest.probe.duration if ingest is not None and ingest.probe.duration > 0 else None


def publish_time(episode: Episode, settings: Settings, now: datetime | None = None) -> str:
    """``publishAt`` when scheduling is on and the episode's pub_date is still ahead, else ''."""
    if not settings.youtube.schedule or not episode.pub_date:
        return ""
    try:
        when = datetime.fromisoformat(episode.pub_date.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when <= (now or datetime.now(UTC)):
        return ""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _description(episode: Episode, settings: Settings, labels: dict[str, str], warnings: list[str]) -> tuple[str, bool]:
    """The show notes, guests, chapters (when YouTube takes them) and links in 5000 bytes; whether the chapters
    made it in."""
    notes = clean_text(notes_text(episode.description))
    tail: list[str] = []
    if episode.guests:
        tail.append(f"{labels['guests']}: {', '.join(clean_text(g) for g in episode.guests)}")
    chapters_used = False
    if episode.chapters:
        problem = chapter_problem(episode.chapters, episode_duration(episode))
        if problem is None:
            tail.append(f"{labels['chapters']}:\n" + "\n".join(chapter_lines(episode.chapters)))
            chapters_used = True
        else:
            warnings.append(f"chapters left out of the YouTube description: {problem}")
    links = [
        f"{labels['feed']}: {urls.feed_url(settings)}",
        f"{labels['page']}: {urls.episode_page_url(settings, episode.slug)}",
    ]
    tail.append("\n".join(links))
    fixed = "\n\n".join(tail)
    room = DESCRIPTION_MAX_BYTES - len(fixed.encode("utf-8")) - 2
    if room < 200 and chapters_used:
        warnings.append("chapters left out of the YouTube description: too many for 5000 bytes")
        tail = [t for t in tail if not t.startswith(f"{labels['chapters']}:")]
        chapters_used = False
        fixed = "\n\n".join(tail)
        room = DESCRIPTION_MAX_BYTES - len(fixed.encode("utf-8")) - 2
    if notes and len(notes.encode("utf-8")) > room:
        warnings.append(
            f"the show notes are {len(notes.encode('utf-8'))} bytes; with the links they exceed "
            f"YouTube's {DESCRIPTION_MAX_BYTES} bytes: shortened"
        )
        notes = truncate_bytes(notes, max(room, 0))
    description = f"{notes}\n\n{fixed}" if notes else fixed
    return truncate_bytes(description, DESCRIPTION_MAX_BYTES), chapters_used


def build_metadata(episode: Episode, settings: Settings) -> VideoMetadata:
    """Title, description, tags and status for the episode's video, within YouTube's limits."""
    yt = settings.youtube
    warnings: list[str] = []
    lang = settings.show.language.split("-")[0]
    labels = _LABELS.get(lang, _LABELS["en"] if lang != "id" else _LABELS["id"])

    title = " ".join(clean_text(episode.title).split())
    if len(title) > TITLE_MAX:
        warnings.append(f"the title has {len(title)} characters; YouTube allows {TITLE_MAX}: shortened")
        title = truncate(title, TITLE_MAX)

    description, chapters_used = _description(episode, settings, labels, warnings)

    tags, dropped = fit_tags([*yt.tags, *episode.guests, settings.show.title])
    if dropped:
        warnings.append(f"{len(dropped)} tag(s) left out to stay within {TAGS_MAX} characters: {', '.join(dropped)}")

    publish_at = publish_time(episode, settings)
    privacy = "private" if publish_at else yt.privacy
    return VideoMetadata(
        title=title,
        description=description,
        tags=tags,
        category_id=yt.category_id,
        language=settings.show.language,
        privacy=privacy,
        publish_at=publish_at,
        made_for_kids=yt.made_for_kids,
        chapters_used=chapters_used,
        warnings=warnings,
    )

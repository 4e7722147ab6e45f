"""The :class:`Episode` that flows through the pipeline, persisted as ``episodes/<slug>/episode.toml``.

The file is the episode's journal: metadata, the facts measured on the way, and per stage the fingerprint of
its inputs and the outputs it produced. A stage whose fingerprint and outputs are unchanged is skipped.
"""

from __future__ import annotations

import contextlib
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar

import tomli_w

from cerdas.errors import CerdasError
from cerdas.facts import (
    ClipRecord,
    DataError,
    FeedProblem,
    IngestFacts,
    LoudnessFacts,
    NoFacts,
    StageFacts,
    TagFacts,
    TranscribeFacts,
    TranscriptGap,
    YouTubeVideo,
    convert,
    facts_from_data,
    from_data,
    to_data,
)
from cerdas.fsutil import MiB, atomic_write_text, read_text, sha256_file
from cerdas.workspace import EPISODE_FILE, Workspace

MAX_TITLE = 255
MAX_SLUG = 100
MAX_JOURNAL = 4 * MiB
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""What :func:`slugify` makes: lower-case letters and digits joined by single ``-``."""
VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{0,64}$")
EpisodeState = Literal["draft", "incomplete", "feed failed", "scheduled", "published"]
EpisodeType = Literal["full", "trailer", "bonus"]
F = TypeVar("F", bound=StageFacts)


@dataclass
class Chapter:
    """A chapter mark: start in seconds and a title (``url``/``img`` optional, as in Podcasting 2.0)."""

    start: float
    title: str
    url: str = ""
    img: str = ""


@dataclass
class Track:
    """One speaker's own recording in a multitrack episode: a file (stored path), its sha256, and for
    ``--channels-are-speakers`` the channel of the file that carries the speaker (0 left, 1 right)."""

    source: str
    sha256: str
    channel: int | None = None


@dataclass
class StageRecord:
    """What one stage did: the fingerprint of its inputs, its outputs (workspace-relative), its facts and the
    one-line summary the CLI showed."""

    fingerprint: str
    completed: str
    outputs: dict[str, str] = field(default_factory=dict)
    facts: StageFacts = field(default_factory=NoFacts)
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = to_data(self.facts)
        if self.summary:
            data["summary"] = self.summary
        return {
            "fingerprint": self.fingerprint,
            "completed": self.completed,
            "outputs": dict(self.outputs),
            "data": data,
        }

    @classmethod
    def from_dict(cls, stage: str, raw: Any, where: str) -> StageRecord:
        if not isinstance(raw, dict):
            raise DataError(where, "must be a table")
        data = raw.get("data", {})
        summary = data.get("summary", "") if isinstance(data, dict) else ""
        return cls(
            fingerprint=convert(str, raw.get("fingerprint", ""), f"{where}.fingerprint"),
            completed=convert(str, raw.get("completed", ""), f"{where}.completed"),
            outputs=convert(dict[str, str], raw.get("outputs", {}), f"{where}.outputs"),
            facts=facts_from_data(stage, data, f"{where}.data"),
            summary=convert(str, summary, f"{where}.data.summary"),
        )


@dataclass
class Episode:
    """One episode. ``source`` is the producer's recording, never modified."""

    slug: str
    title: str
    source: str
    source_sha256: str = ""
    number: int | None = None
    season: int | None = None
    description: str = ""
    guests: list[str] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    cover: str = ""
    episode_type: EpisodeType = "full"
    created: str = ""
    pub_date: str = ""
    draft: bool = False
    guid: str = ""
    stages: dict[str, StageRecord] = field(default_factory=dict)
    youtube: YouTubeVideo | None = None
    feed_problem: FeedProblem | None = None
    clips: list[ClipRecord] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    """Multitrack: one entry per speaker, in the order the speakers were named (empty: one recording)."""
    speakers: list[str] = field(default_factory=list)
    """``--speaker`` names: the voices in order of first speech (multitrack: one per track)."""
    speaker_count: int | None = None
    """``--speakers N``: how many voices there are, when known."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "stages":
                out["stages"] = {name: rec.to_dict() for name, rec in value.items()}
            elif f.name == "youtube":
                out["youtube"] = to_data(value) if value is not None else {}
            elif f.name == "clips" and not value:
                continue  # a journal without clips stays byte for byte as before clips existed
            elif f.name in ("tracks", "speakers") and not value:
                continue  # single-track episodes without names keep the journal they always had
            elif value is not None:
                out[f.name] = to_data(value)
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Episode:
        """The journal's content, every value's type checked (raises :class:`DataError` naming the key)."""
        plain = {k: v for k, v in raw.items() if k not in ("stages", "youtube")}
        episode = from_data(cls, plain, "")
        stages = raw.get("stages", {})
        if not isinstance(stages, dict):
            raise DataError("stages", "must be a table")
        episode.stages = {
            str(name): StageRecord.from_dict(str(name), rec, f"stages.{name}") for name, rec in stages.items()
        }
        youtube = raw.get("youtube") or {}
        episode.youtube = from_data(YouTubeVideo, youtube, "youtube") if youtube else None
        return episode

    # -- what the stages recorded ------------------------------------------------------------------------------

    def facts(self, kind: type[F]) -> F | None:
        """The facts a stage recorded, typed (``episode.facts(IngestFacts)``), or None when it has not run."""
        rec = self.stages.get(kind.stage)
        return rec.facts if rec is not None and isinstance(rec.facts, kind) else None

    def output(self, stage: str, name: str) -> str | None:
        """A stage's recorded output (workspace-relative path), if the stage has run."""
        rec = self.stages.get(stage)
        return rec.outputs.get(name) if rec else None

    @property
    def duration(self) -> float:
        """Seconds of the published audio (else of the levelled audio, else of the recording; 0 before ingest)."""
        tag, loud, ingest = self.facts(TagFacts), self.facts(LoudnessFacts), self.facts(IngestFacts)
        if tag is not None:
            return tag.duration
        if loud is not None:
            return loud.duration
        return ingest.probe.duration if ingest is not None else 0.0

    @property
    def is_video(self) -> bool:
        """Whether the recording has a picture (YouTube then gets the recording's picture, not the artwork)."""
        ingest = self.facts(IngestFacts)
        return bool(ingest and ingest.video)

    @property
    def normalised_audio(self) -> str | None:
        """The loudness stage's MP3 (workspace-relative), once it has run."""
        return self.output("loudness", "mp3")

    @property
    def published_audio(self) -> str | None:
        """The tagged MP3 (workspace-relative) the feed serves, once the tag stage has run."""
        return self.output("tag", "mp3")

    @property
    def transcript_gaps(self) -> tuple[TranscriptGap, ...]:
        """Speech the transcript marks as not understood (``[tidak terdengar jelas]``), for ``cerdas episodes``
        and the studio; empty when there is none or nothing was transcribed."""
        transcribed = self.facts(TranscribeFacts)
        return transcribed.gaps if transcribed is not None else ()

    @property
    def video_id(self) -> str:
        """The YouTube video's id, or "" when it is not uploaded."""
        return self.youtube.video_id if self.youtube is not None else ""

    def schedule(self, draft: bool | None, publish_at: datetime | None) -> None:
        """Apply a draft flag and/or a publication time (None leaves each as it is); a draft made public
        without a time is new from now."""
        if draft is not None:
            if self.draft and not draft and publish_at is None:
                self.pub_date = now_iso()
            self.draft = draft
        if publish_at is not None:
            self.pub_date = publish_at.isoformat()

    def published_at(self) -> datetime:
        """The publication moment (``pub_date``, else the creation), time-zone aware."""
        raw = self.pub_date or self.created
        if not raw:
            return datetime.now(UTC)
        try:
            return parse_when(raw)
        except CerdasError as exc:
            raise CerdasError(f"episode {self.slug!r}: pub_date {raw!r} is not an ISO 8601 date and time") from exc

    def state(self, now: datetime | None = None) -> EpisodeState:
        """``draft`` (kept out of the feed), ``incomplete`` (no published audio yet), ``feed failed`` (the last
        feed build left it out: :attr:`feed_problem` says why), ``scheduled`` (public from ``pub_date``) or
        ``published``: the one rule the feed, ``cerdas episodes`` and the studio share."""
        state = self.release_state(now)
        if state in ("scheduled", "published") and self.feed_problem is not None:
            return "feed failed"
        return state

    def release_state(self, now: datetime | None = None) -> EpisodeState:
        """What the episode's own data say, before the last feed build's verdict: ``draft``, ``incomplete``,
        ``scheduled`` or ``published`` (what a feed build decides from)."""
        if self.draft:
            return "draft"
        if self.published_audio is None:
            return "incomplete"
        return "scheduled" if self.published_at() > (now or datetime.now(UTC)) else "published"

    def state_text(self, now: datetime | None = None) -> str:
        """:meth:`state` in words, with the reason of a failed feed (``feed failed: <reason>``)."""
        state = self.state(now)
        if state == "feed failed" and self.feed_problem is not None:
            return f"feed failed: {self.feed_problem.reason}"
        return state


def recording(ws: Workspace, episode: Episode) -> Path:
    """The producer's recording, read later without a publish (``cerdas youtube upload`` muxes its picture): only
    the very file that was ingested, known by its sha256. The journal's ``source`` may name any file; a path
    that now holds something else is refused, so a hand-edited journal cannot publish another file."""
    path = ws.resolve(episode.source)
    if not path.is_file():
        raise CerdasError("the episode's recording is no longer there; publish it again from its new place", path)
    if not episode.source_sha256 or sha256_file(path) != episode.source_sha256:
        raise CerdasError(
            "this file is not the recording the episode was made from (its sha256 differs); publish again",
            path,
        )
    return path


def parse_when(text: str) -> datetime:
    """A publication moment: ISO 8601 (``2025-07-01T09:00``, ``2025-07-01 09:00+07:00``, ``2025-07-01``).
    Without an offset the local time zone of this machine is meant."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CerdasError(
            f"not a date and time: {text!r} (expected e.g. 2025-07-01T09:00 or 2025-07-01 09:00+07:00)"
        ) from exc
    return when.astimezone() if when.tzinfo is None else when


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII, lower case, words joined by ``-``: ``"Gratifikasi & WBK!"`` → ``"gratifikasi-wbk"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "episode"


def check_title(title: str) -> str:
    """The title stripped, or :class:`CerdasError` when empty, too long or holding control characters."""
    clean = " ".join(title.split())
    if not clean:
        raise CerdasError("the episode title is empty")
    if len(clean) > MAX_TITLE:
        raise CerdasError(f"the episode title is {len(clean)} characters long; the limit is {MAX_TITLE}")
    if any(unicodedata.category(c) == "Cc" for c in title if c not in "\n\t"):
        raise CerdasError("the episode title contains control characters")
    return clean


def load_episode(ws: Workspace, slug: str) -> Episode:
    """Read ``episodes/<slug>/episode.toml``: a file people edit and commit, so every value is checked (types,
    the slug against its folder, dates, every recorded path inside the workspace) and a bad one is one line
    naming the file and the key."""
    path = ws.episode_file(slug)
    try:
        text = read_text(path, MAX_JOURNAL, "episode file", follow=False)
        raw = tomllib.loads(text)
    except CerdasError as exc:
        if not path.exists() and not path.is_symlink():
            raise CerdasError(f"no episode {slug!r} (see 'cerdas episodes')", path) from exc
        raise
    except tomllib.TOMLDecodeError as exc:
        raise CerdasError(f"episode file is damaged: {exc}", path) from exc
    try:
        episode = Episode.from_dict(raw)
        check_journal(episode, ws, slug)
    except DataError as exc:
        raise CerdasError(f"episode file has a bad value: {exc}", path) from exc
    return episode


def check_slug(slug: str) -> str | None:
    """Why ``slug`` cannot name an episode folder, or None (what :func:`slugify` makes always can)."""
    if not SLUG.match(slug):
        return "must be lower-case letters, digits and single '-' (as cerdas makes them)"
    if len(slug) > MAX_SLUG:
        return f"is longer than {MAX_SLUG} characters"
    return None


def check_journal(episode: Episode, ws: Workspace, folder: str) -> None:
    """What the types alone do not say (raises :class:`DataError` naming the key): the slug is its folder's name,
    dates are dates, numbers are sane, and every recorded path stays where Cerdas puts it."""
    problem = check_slug(episode.slug)
    if problem:
        raise DataError("slug", f"{problem}, not {episode.slug!r}")
    if episode.slug != folder:
        raise DataError("slug", f"is {episode.slug!r} but the episode's folder is {folder!r}; they must agree")
    for key in ("created", "pub_date"):
        _check_when(getattr(episode, key), key)
    for key in ("number", "season"):
        value = getattr(episode, key)
        if value is not None and value < 0:
            raise DataError(key, f"must be 0 or more, not {value}")
    for i, chapter in enumerate(episode.chapters):
        if not math.isfinite(chapter.start) or chapter.start < 0:
            raise DataError(f"chapters[{i}].start", f"must be seconds from 0, not {chapter.start!r}")
    if episode.cover and not _is_episode_file(episode.cover, episode.slug, r"cover\.[a-z0-9]{1,5}"):
        raise DataError("cover", f"must be a cover in the episode's own folder, not {episode.cover!r}")
    if episode.source and not _inside_workspace(episode.source, ws):
        raise DataError("source", f"must name the recording by a path without '..', not {episode.source!r}")
    for name, record in episode.stages.items():
        for key, stored in record.outputs.items():
            if not _is_output(stored, episode.slug, ws):
                raise DataError(f"stages.{name}.outputs.{key}", f"is not a file of this episode: {stored!r}")
    for i, clip in enumerate(episode.clips):
        if not (math.isfinite(clip.start) and math.isfinite(clip.end)) or not 0 <= clip.start < clip.end:
            raise DataError(
                f"clips[{i}]", f"must span seconds from 0 with start before end, not {clip.start!r}..{clip.end!r}"
            )
        for key, stored in clip.files.items():
            if not _inside_workspace(stored, ws):
                raise DataError(f"clips[{i}].files.{key}", f"must not climb out with '..': {stored!r}")
        if not VIDEO_ID.match(clip.short_id):
            raise DataError(f"clips[{i}].short_id", f"is not a YouTube video id: {clip.short_id!r}")
    if episode.youtube is not None:
        if not VIDEO_ID.match(episode.youtube.video_id):
            raise DataError("youtube.video_id", f"is not a YouTube video id: {episode.youtube.video_id!r}")
        _check_when((episode.youtube.publish_at or "").replace("Z", "+00:00"), "youtube.publish_at")


def _check_when(text: str, key: str) -> None:
    if not text:
        return
    try:
        parse_when(text)
    except CerdasError:
        raise DataError(key, f"is not an ISO 8601 date and time: {text!r}") from None


def _parts(stored: str) -> tuple[str, ...] | None:
    """The parts of a stored relative path, or None when it is absolute, empty or climbs with ``..``."""
    path = PurePosixPath(stored)
    if not stored or path.is_absolute() or ".." in path.parts or "\\" in stored:
        return None
    return tuple(p for p in path.parts if p != ".")


def _is_episode_file(stored: str, slug: str, name: str) -> bool:
    parts = _parts(stored)
    if parts is None or len(parts) != 3:
        return False
    return parts[:2] == ("episodes", slug) and bool(re.fullmatch(name, parts[2]))


def _inside_workspace(stored: str, ws: Workspace) -> bool:
    """A relative path must stay inside the workspace; an absolute one (a recording elsewhere) may be anywhere."""
    return PurePosixPath(stored).is_absolute() or _parts(stored) is not None


def _is_output(stored: str, slug: str, ws: Workspace) -> bool:
    """Stage outputs live in the episode's folder, its transcripts, ``feed/`` or the search index. An absolute
    path (a workspace folder that is a link to another disk) must resolve to the same place."""
    if PurePosixPath(stored).is_absolute():
        target = Path(stored)
        folders = (ws.episode_dir(slug), ws.transcripts_dir.resolve(), ws.feed_dir.resolve())
        return target == ws.index_path.resolve() or any(folder in target.parents for folder in folders)
    parts = _parts(stored)
    if not parts:
        return False
    if parts[0] == "episodes":
        return len(parts) >= 3 and parts[1] == slug
    if parts[0] == "transcripts":
        return len(parts) == 2 and parts[1].startswith(f"{slug}.")
    return parts[0] == ws.feed_dir.name or parts == (ws.index_path.name,)


def save_episode(ws: Workspace, episode: Episode) -> None:
    """Write the journal atomically: a crash leaves the previous version, never half a file."""
    header = "# Written by cerdas; metadata may be edited by hand, [stages] is cerdas' own journal.\n"
    path = ws.episode_file(episode.slug)
    text = header + tomli_w.dumps(episode.to_dict())
    with contextlib.suppress(OSError):
        if path.read_text(encoding="utf-8") == text:
            return  # unchanged: no write (a re-run that does nothing must not need disk space either)
    atomic_write_text(path, text)


def episode_slugs(ws: Workspace) -> list[str]:
    """The slugs of every episode folder holding a journal, sorted."""
    if not ws.episodes_dir.is_dir():
        return []
    return sorted(
        path.parent.name
        for path in ws.episodes_dir.glob(f"*/{EPISODE_FILE}")
        if not path.parent.name.startswith(".")  # never a folder a slug can name (a backup, a staging copy)
    )


def list_episodes(
    ws: Workspace, current: Episode | None = None, broken: dict[str, CerdasError] | None = None
) -> list[Episode]:
    """Every episode in the workspace, oldest first (by number, then creation time).

    ``current`` stands in for its stored copy, or joins the list when not stored yet: the episode a running
    publish holds in memory, newer than its ``episode.toml``. With ``broken``, an episode whose journal cannot
    be read is collected there (slug → the error naming its file) instead of stopping the listing: one bad
    episode must not block the others.
    """
    episodes = []
    for slug in episode_slugs(ws):
        if current is not None and slug == current.slug:
            continue
        try:
            episodes.append(load_episode(ws, slug))
        except CerdasError as exc:
            if broken is None:
                raise
            broken[slug] = exc
    if current is not None:
        episodes.append(current)
    return sorted(episodes, key=lambda e: (e.created, e.number if e.number is not None else 0, e.slug))

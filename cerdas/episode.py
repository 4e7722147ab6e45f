"""The :class:`Episode` that flows through the pipeline, persisted as ``episodes/<slug>/episode.toml``.

The file is the episode's journal: metadata, the facts measured on the way, and per stage the fingerprint of
its inputs and the outputs it produced. A stage whose fingerprint and outputs are unchanged is skipped.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from cerdas.errors import CerdasError
from cerdas.fsutil import atomic_write_text
from cerdas.workspace import Workspace

EPISODE_FILE = "episode.toml"
MAX_TITLE = 255


@dataclass
class Chapter:
    """A chapter mark: start in seconds and a title (``url``/``img`` optional, as in Podcasting 2.0)."""

    start: float
    title: str
    url: str = ""
    img: str = ""


@dataclass
class StageRecord:
    """What one stage did: the fingerprint of its inputs, its outputs (workspace-relative) and facts."""

    fingerprint: str
    completed: str
    outputs: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


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
    episode_type: str = "full"
    created: str = ""
    pub_date: str = ""
    draft: bool = False
    guid: str = ""
    stages: dict[str, StageRecord] = field(default_factory=dict)
    youtube: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _drop_none(asdict(self))
        return data

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Episode:
        data = dict(raw)
        data["chapters"] = [Chapter(**c) for c in data.get("chapters", [])]
        data["stages"] = {k: StageRecord(**v) for k, v in data.get("stages", {}).items()}
        return cls(**data)

    def output(self, stage: str, name: str) -> str | None:
        """A stage's recorded output (workspace-relative path), if the stage has run."""
        rec = self.stages.get(stage)
        return rec.outputs.get(name) if rec else None


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


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


def episode_path(ws: Workspace, slug: str) -> Path:
    return ws.episode_dir(slug) / EPISODE_FILE


def load_episode(ws: Workspace, slug: str) -> Episode:
    """Read ``episodes/<slug>/episode.toml``."""
    path = episode_path(ws, slug)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CerdasError(f"no episode {slug!r} (see 'cerdas episodes')", path) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CerdasError(f"episode file is damaged: {exc}", path) from exc
    try:
        return Episode.from_dict(raw)
    except TypeError as exc:
        raise CerdasError(f"episode file has unexpected content: {exc}", path) from exc


def save_episode(ws: Workspace, episode: Episode) -> None:
    """Write the journal atomically: a crash leaves the previous version, never half a file."""
    header = "# Written by cerdas; metadata may be edited by hand, [stages] is cerdas' own journal.\n"
    path = episode_path(ws, episode.slug)
    text = header + tomli_w.dumps(episode.to_dict())
    with contextlib.suppress(OSError):
        if path.read_text(encoding="utf-8") == text:
            return  # unchanged: no write (a re-run that does nothing must not need disk space either)
    atomic_write_text(path, text)


def list_episodes(ws: Workspace, current: Episode | None = None) -> list[Episode]:
    """Every episode in the workspace, oldest first (by number, then creation time).

    ``current`` stands in for its stored copy, or joins the list when not stored yet: the episode a running
    publish holds in memory, newer than its ``episode.toml``.
    """
    episodes = []
    if ws.episodes_dir.is_dir():
        for path in sorted(ws.episodes_dir.glob(f"*/{EPISODE_FILE}")):
            if current is None or path.parent.name != current.slug:
                episodes.append(load_episode(ws, path.parent.name))
    if current is not None:
        episodes.append(current)
    return sorted(episodes, key=lambda e: (e.created, e.number if e.number is not None else 0, e.slug))

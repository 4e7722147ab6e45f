"""The whole ``feed/`` folder: feed, show page, episode pages, media, transcripts, chapters, assets.

Built into a staging folder beside ``feed/`` (media hard-linked, not copied), checked with
:func:`cerdas.feed.rules.check_feed`, given its search page, then swapped in with one atomic rename
(:func:`cerdas.fsutil.swap_folders`). Any failure leaves the published ``feed/`` as it was.

:class:`~cerdas.feed.stage.FeedStage` runs this in every ``publish``; ``cerdas feed`` runs it on its own.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from PIL import Image

from cerdas import urls
from cerdas.chapters import chapters_json
from cerdas.episode import Episode
from cerdas.feed.pages import environment, render_episode, render_show
from cerdas.feed.rss import Selection, artwork_ext, build_feed, select_episodes
from cerdas.feed.rules import FeedCheckError, Violation, check_feed, check_show_artwork
from cerdas.feed.searchpage import build_search_page
from cerdas.fsutil import swap_folders, sync_folder, umask
from cerdas.report import NullReporter, Reporter
from cerdas.settings import Settings
from cerdas.transcribe.formats import load_json
from cerdas.workspace import Workspace

SITE_FORMAT = 1
"""Bumped when the layout of ``feed/`` changes, so every publish rebuilds once."""
STAGING_PREFIX = ".feed.new-"
RETIRED_PREFIX = ".feed.old-"
PAGE_ART = 600
ICON = 192


@dataclass
class SiteResult:
    """What a build published and held back, and the check's warnings."""

    selection: Selection
    warnings: list[Violation] = field(default_factory=list)
    feed_dir: Path = Path("feed")

    def summary(self) -> str:
        sel = self.selection
        held = []
        if sel.drafts:
            held.append(f"{len(sel.drafts)} draft")
        if sel.scheduled:
            held.append(f"{len(sel.scheduled)} scheduled")
        if sel.unfinished:
            held.append(f"{len(sel.unfinished)} unfinished")
        extra = f" ({', '.join(held)} held back)" if held else ""
        return f"{len(sel.public)} episode(s) in feed.xml and on the site{extra}"


# ---------------------------------------------------------------- files


def _write(path: Path, data: str | bytes) -> None:
    """Write a file into the staging folder (whose folders exist; the folder as a whole is swapped in)."""
    with open(path, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


def _link(source: Path, target: Path) -> None:
    """Hard-link the episode audio: instant and no extra space. The tag stage replaces the MP3 by rename, never
    in place, so the published copy never changes under a listener. Copies across file systems. A missing
    source is left missing: the check reports it."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        return
    except OSError:
        _copy(source, target)


def _copy(source: Path, target: Path) -> None:
    """Copy a file the producer may edit in place (artwork, covers, transcripts): the site keeps its snapshot."""
    try:
        shutil.copyfile(source, target)
    except FileNotFoundError:
        return


def _images(settings: Settings, staging: Path) -> None:
    art = settings.artwork_path
    _copy(art, staging / urls.artwork_rel(artwork_ext(settings)))
    with Image.open(art) as img:
        rgb = img.convert("RGB")
    page = rgb.resize((PAGE_ART, PAGE_ART), Image.Resampling.LANCZOS)
    assets = staging / "assets"
    page.save(assets / "artwork-600.jpg", format="JPEG", quality=85, optimize=True)
    page.resize((ICON, ICON), Image.Resampling.LANCZOS).save(assets / "icon.png", format="PNG", optimize=True)


def _static(staging: Path) -> None:
    for entry in files("cerdas.feed").joinpath("static").iterdir():
        if entry.is_file() and not entry.name.startswith("."):
            _write(staging / urls.asset_rel(entry.name), entry.read_bytes())


def write_site(staging: Path, settings: Settings, selection: Selection, now: datetime) -> None:
    """Write every file of the site into ``staging`` (an empty folder)."""
    env = environment()
    for folder in ("assets", "audio", "transcripts", "chapters", "covers", "episodes"):
        (staging / folder).mkdir()
    _images(settings, staging)
    _static(staging)
    art_rel = urls.artwork_rel(artwork_ext(settings))
    for item in selection.public:
        slug = item.slug
        (staging / urls.episode_page_rel(slug)).parent.mkdir()
        _link(item.audio, staging / urls.audio_rel(slug))
        if item.cover is not None:
            _copy(item.cover, staging / item.cover_rel(art_rel))
        for kind, source in item.transcripts.items():
            _copy(source, staging / urls.transcript_rel(slug, kind))
        if item.episode.chapters:
            doc = chapters_json(sorted(item.episode.chapters, key=lambda c: c.start))
            _write(staging / urls.chapters_rel(slug), json.dumps(doc, ensure_ascii=False, indent=1))
        segments = load_json(item.transcripts["json"]) if "json" in item.transcripts else []
        _write(staging / urls.episode_page_rel(slug), render_episode(env, settings, item, segments, now))
    _write(staging / "index.html", render_show(env, settings, selection.public, now))
    _write(staging / urls.feed_rel(), build_feed(settings, selection.public, now))


def _clean_leftovers(parent: Path) -> None:
    """Remove staging folders a killed build left behind (the caller holds the workspace lock)."""
    for entry in parent.glob(".feed.*-*"):
        if entry.is_dir() and entry.name.startswith((STAGING_PREFIX, RETIRED_PREFIX)):
            shutil.rmtree(entry, ignore_errors=True)


def build_site(
    ws: Workspace,
    settings: Settings,
    now: datetime | None = None,
    current: Episode | None = None,
    reporter: Reporter | None = None,
) -> SiteResult:
    """Rebuild ``feed/`` from every episode: stage, check, add the search page, swap. Raises
    :class:`~cerdas.feed_rules.FeedCheckError` (published folder untouched) when the new feed breaks a rule."""
    reporter = reporter or NullReporter()
    now = now or datetime.now(UTC)
    check_show_artwork(settings)
    selection = select_episodes(ws, settings, now, current)
    target = ws.feed_dir.resolve() if ws.feed_dir.is_symlink() else ws.feed_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target.parent))
    try:
        os.chmod(staging, 0o777 & ~umask())
        write_site(staging, settings, selection, now)
        violations = check_feed(staging, settings, now)
        if any(v.level == "error" for v in violations):
            raise FeedCheckError(violations, ws.feed_dir / urls.feed_rel())
        build_search_page(staging, settings)
        sync_folder(staging)
        swap_folders(staging, target, RETIRED_PREFIX)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    warnings = [v for v in violations if v.level != "error"]
    for warning in warnings:
        reporter.warn(f"{warning.where}: {warning.message}")  # the reporter adds "Warning:" itself
    return SiteResult(selection, warnings, ws.feed_dir)


def rebuild(ws: Workspace, settings: Settings, reporter: Reporter | None = None) -> SiteResult:
    """``cerdas feed``: rebuild ``feed/`` under the workspace lock."""
    with ws.lock():
        return build_site(ws, settings, reporter=reporter)

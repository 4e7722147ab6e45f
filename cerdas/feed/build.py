"""The whole ``feed/`` folder: feed, show page, episode pages, media, transcripts, chapters, assets.

Built into a staging folder beside ``feed/`` (media hard-linked, not copied), checked with
:func:`cerdas.feed.rules.check_feed`, given its search page, then swapped in with one atomic rename
(:func:`cerdas.fsutil.swap_folders`). Any failure leaves the published ``feed/`` as it was.

:class:`~cerdas.feed.stage.FeedStage` runs this in every ``publish``; ``cerdas feed`` runs it on its own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from PIL import Image

from cerdas import urls
from cerdas.artwork import MAX_IMAGE
from cerdas.chapters import chapters_json
from cerdas.episode import Episode, now_iso, save_episode
from cerdas.errors import CerdasError
from cerdas.facts import FeedProblem
from cerdas.feed.pages import environment, render_episode, render_show
from cerdas.feed.rss import FeedEpisode, Selection, artwork_ext, build_feed, select_episodes
from cerdas.feed.rules import FeedCheckError, Violation, check_feed, check_show_artwork
from cerdas.feed.searchpage import build_search_page
from cerdas.fsutil import read_regular, read_text, swap_folders, sync_folder, umask
from cerdas.notes import strip_control
from cerdas.report import NullReporter, Reporter
from cerdas.settings import Settings
from cerdas.transcribe.formats import MAX_FILE, parse_json
from cerdas.workspace import Workspace

SITE_FORMAT = 2
"""Bumped when the layout of ``feed/`` changes, so every publish rebuilds once."""
STAGING_PREFIX = ".feed.new-"
RETIRED_PREFIX = ".feed.old-"
PAGE_ART = 600
ICON = 192
ISOLATION_ROUNDS = 3
"""Builds tried while items fail the feed check one by one (each round leaves the failing episodes out)."""


@dataclass
class SiteResult:
    """What a build published and held back, and the check's warnings."""

    selection: Selection
    warnings: list[Violation] = field(default_factory=list)
    feed_dir: Path = Path("feed")

    @property
    def left_out(self) -> dict[str, str]:
        """Episodes this build could not carry (slug → why); the rest was published."""
        return self.selection.left_out

    def summary(self) -> str:
        sel = self.selection
        held = []
        if sel.drafts:
            held.append(f"{len(sel.drafts)} draft")
        if sel.scheduled:
            held.append(f"{len(sel.scheduled)} scheduled")
        if sel.unfinished:
            held.append(f"{len(sel.unfinished)} unfinished")
        if sel.left_out:
            held.append(f"{len(sel.left_out)} left out")
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
    source is left missing (the check reports it); anything but a regular file is refused (a link in the
    repository must not publish what it points to)."""
    try:
        info = os.lstat(source)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        raise CerdasError("the episode's MP3 is not a regular file", source)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target, follow_symlinks=False)


def _copy(source: Path, target: Path) -> None:
    """Copy a file the producer may edit in place (artwork): the site keeps its snapshot."""
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


@dataclass
class _EpisodeFiles:
    """An episode's files for the site, made in memory first: a file that cannot be read leaves the episode out
    before anything of it is written."""

    page: str
    chapters: str | None
    transcripts: dict[str, str]
    cover: bytes | None


def _episode_files(env: Any, settings: Settings, item: FeedEpisode, now: datetime) -> _EpisodeFiles:
    """Read what the episode's pages and files need (transcripts cleaned of control characters)."""
    texts = {
        kind: strip_control(read_text(path, MAX_FILE, "transcript", follow=False))
        for kind, path in item.transcripts.items()
    }
    segments = parse_json(texts["json"], item.transcripts["json"]) if "json" in texts else []
    cover = read_regular(item.cover, MAX_IMAGE, "cover") if item.cover is not None else None
    chapters = None
    if item.episode.chapters:
        doc = chapters_json(sorted(item.episode.chapters, key=lambda c: c.start))
        chapters = json.dumps(doc, ensure_ascii=False, indent=1)
    return _EpisodeFiles(render_episode(env, settings, item, segments, now), chapters, texts, cover)


def _episode_paths(staging: Path, slug: str) -> list[Path]:
    """Every file and folder an episode has in the site (to take it out again)."""
    found = [staging / urls.audio_rel(slug), staging / urls.chapters_rel(slug), staging / "episodes" / slug]
    found.append(staging / "clips" / slug)
    found += list((staging / "covers").glob(f"{slug}.*")) + list((staging / "transcripts").glob(f"{slug}.*"))
    return found


def _remove_episode(staging: Path, slug: str) -> None:
    for path in _episode_paths(staging, slug):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _write_episode(staging: Path, item: FeedEpisode, done: _EpisodeFiles, art_rel: str) -> None:
    slug = item.slug
    (staging / urls.episode_page_rel(slug)).parent.mkdir()
    _link(item.audio, staging / urls.audio_rel(slug))
    for bite in item.clips:
        if bite.video is not None:
            target = staging / urls.clip_rel(slug, bite.video.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            _link(bite.video, target)
            if bite.captions is not None:
                _link(bite.captions, target.with_suffix(".vtt"))
    if done.cover is not None:
        _write(staging / item.cover_rel(art_rel), done.cover)
    for kind, text in done.transcripts.items():
        _write(staging / urls.transcript_rel(slug, kind), text)
    if done.chapters is not None:
        _write(staging / urls.chapters_rel(slug), done.chapters)
    _write(staging / urls.episode_page_rel(slug), done.page)


def write_site(staging: Path, settings: Settings, selection: Selection, now: datetime) -> None:
    """Write every file of the site into ``staging`` (an empty folder). An episode whose files cannot be made or
    that the feed cannot carry is left out (``selection.left_out``), the others are written."""
    env = environment()
    for folder in ("assets", "audio", "transcripts", "chapters", "covers", "episodes", "clips"):
        (staging / folder).mkdir()
    _images(settings, staging)
    _static(staging)
    art_rel = urls.artwork_rel(artwork_ext(settings))
    for item in list(selection.public):
        try:
            _write_episode(staging, item, _episode_files(env, settings, item, now), art_rel)
        except CerdasError as exc:
            _remove_episode(staging, item.slug)
            selection.leave_out(item.slug, str(exc))
    left: dict[str, str] = {}
    feed = build_feed(settings, selection.public, now, left)
    for slug, reason in left.items():
        _remove_episode(staging, slug)
        selection.leave_out(slug, reason)
    _write(staging / urls.feed_rel(), feed)
    _write(staging / "index.html", render_show(env, settings, selection.public, now))


_BUILD_DATE = re.compile(rb"<lastBuildDate>[^<]*</lastBuildDate>")


def keep_unchanged_feed(new: Path, published: Path) -> None:
    """Put the published feed back in place of the new one when they differ only in ``lastBuildDate``: a
    rebuild that changed nothing (a 15-minute cron) leaves ``feed.xml`` byte for byte as it was, so apps and
    caches see no change."""
    try:
        old = published.read_bytes()
    except OSError:
        return
    if _BUILD_DATE.sub(b"", old) == _BUILD_DATE.sub(b"", new.read_bytes()):
        _write(new, old)


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
    """Rebuild ``feed/`` from every episode: stage, check, add the search page, swap.

    One broken episode never blocks the others: an episode whose journal cannot be read, whose metadata an
    output cannot carry, whose files cannot be read or whose item fails the check is left out
    (``SiteResult.left_out``), the rest published, and the reason recorded in its journal
    (``feed_problem``; ``current`` is changed in memory only). Raises
    :class:`~cerdas.feed.rules.FeedCheckError` (published folder untouched) when the feed as a whole breaks a rule.
    """
    reporter = reporter or NullReporter()
    now = now or datetime.now(UTC)
    check_show_artwork(settings)
    selection = select_episodes(ws, settings, now, current)
    target = ws.feed_dir.resolve() if ws.feed_dir.is_symlink() else ws.feed_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(target.parent)
    for round_no in range(1, ISOLATION_ROUNDS + 1):
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target.parent))
        try:
            os.chmod(staging, 0o777 & ~umask())
            write_site(staging, settings, selection, now)
            keep_unchanged_feed(staging / urls.feed_rel(), target / urls.feed_rel())
            violations = check_feed(staging, settings, now, preview=True)
            errors = [v for v in violations if v.level == "error"]
            if errors and round_no < ISOLATION_ROUNDS and all(v.item for v in errors):
                culprits: dict[str, str] = {}
                for v in errors:
                    culprits.setdefault(selection.public[v.item - 1].slug, f"{v.message} (feed check)")
                for slug, reason in culprits.items():
                    selection.leave_out(slug, reason)
                shutil.rmtree(staging, ignore_errors=True)
                continue
            if errors:
                raise FeedCheckError(violations, ws.feed_dir / urls.feed_rel())
            build_search_page(staging, settings)
            sync_folder(staging)
            swap_folders(staging, target, RETIRED_PREFIX)
            break
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    record_problems(ws, selection, current)
    warnings = [v for v in violations if v.level != "error"]
    for warning in warnings:
        reporter.warn(f"{warning.where}: {warning.message}")  # the reporter adds "Warning:" itself
    return SiteResult(selection, warnings, ws.feed_dir)


def record_problems(ws: Workspace, selection: Selection, current: Episode | None) -> None:
    """Write each episode's feed problem (or its end) into its journal, only where it changed. ``current`` (the
    episode a publish holds) is changed in memory; its publish saves it."""
    for episode in selection.episodes:
        reason = selection.left_out.get(episode.slug)
        if reason is not None:
            reason = reason.replace(f"{ws.root}/", "")  # paths inside the workspace as the repository names them
        before = episode.feed_problem
        if (before.reason if before else None) == reason:
            continue
        episode.feed_problem = FeedProblem(reason, now_iso()) if reason is not None else None
        if current is None or episode.slug != current.slug:
            save_episode(ws, episode)


def rebuild(ws: Workspace, settings: Settings, reporter: Reporter | None = None) -> SiteResult:
    """``cerdas feed``: rebuild ``feed/`` under the workspace lock."""
    with ws.lock():
        return build_site(ws, settings, reporter=reporter)

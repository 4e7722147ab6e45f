"""The whole ``feed/`` folder: feed, show page, episode pages, media, transcripts, chapters, assets.

Built into a staging folder beside ``feed/`` (media hard-linked, not copied), checked with
:func:`cerdas.feed_rules.check_feed`, given its search page, then swapped in with one atomic rename (Linux
``renameat2(RENAME_EXCHANGE)``; elsewhere two renames). Any failure leaves the published ``feed/`` as it was.

:class:`FeedStage` runs this in every ``publish``; ``cerdas feed`` runs it on its own.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from PIL import Image

from cerdas import __version__, urls
from cerdas.chapters import chapters_json, format_timestamp
from cerdas.episode import Episode, list_episodes
from cerdas.errors import CerdasError
from cerdas.facts import FeedFacts, StageName
from cerdas.feed.rss import FeedEpisode, Selection, artwork_ext, build_feed, select_episodes
from cerdas.feed.rules import FeedCheckError, Violation, check_feed, check_show_artwork
from cerdas.fsutil import fingerprint
from cerdas.notes import summary
from cerdas.pipeline import BaseStage, Context, StageOutput
from cerdas.report import NullReporter, Reporter
from cerdas.settings import Settings
from cerdas.transcribe.formats import KINDS, Segment, load_json
from cerdas.workspace import Workspace

SITE_FORMAT = 1
"""Bumped when the layout of ``feed/`` changes, so every publish rebuilds once."""
STAGING_PREFIX = ".feed.new-"
RETIRED_PREFIX = ".feed.old-"
PAGE_ART = 600
ICON = 192
_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_TRANSCRIPT_LABELS = {
    "vtt": ("WebVTT (.vtt)", "text/vtt"),
    "srt": ("SubRip (.srt)", "application/x-subrip"),
    "json": ("JSON", "application/json"),
    "txt": ("Teks (.txt)", "text/plain"),
}


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


# ---------------------------------------------------------------- formatting (Indonesian interface text)


def tanggal(when: datetime) -> str:
    """``12 Januari 2025``."""
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


def durasi(seconds: float) -> str:
    """``1 jam 5 menit``, ``24 menit``, ``45 detik``."""
    total = round(seconds)
    hours, minutes = divmod(total // 60, 60)
    if hours:
        return f"{hours} jam {minutes} menit" if minutes else f"{hours} jam"
    return f"{minutes} menit" if minutes else f"{total % 60} detik"


def ukuran(size: int) -> str:
    """``12,3 MB``."""
    return f"{size / 1e6:.1f} MB".replace(".", ",")


@dataclass
class Paragraph:
    """Transcript segments joined into a paragraph; ``t`` (whole seconds) is its anchor ``#t=``."""

    t: int
    stamp: str
    speaker: str
    text: str


def paragraphs(
    segments: list[Segment], max_seconds: float = 45.0, gap: float = 2.0, max_chars: int = 700
) -> list[Paragraph]:
    """Group segments into paragraphs: a new one at a new speaker, a pause, or after ``max_seconds``/``max_chars``.
    Two paragraphs never start in the same second (their anchors must be unique)."""
    out: list[Paragraph] = []
    start = end = 0.0
    speaker = ""
    texts: list[str] = []

    def flush() -> None:
        if texts:
            t = int(start)
            out.append(Paragraph(t, format_timestamp(t), speaker, " ".join(texts)))

    for seg in sorted(segments, key=lambda s: s.start):
        text = " ".join(seg.text.split())
        if not text:
            continue
        new = (
            not texts
            or seg.speaker != speaker
            or seg.start - end > gap
            or seg.start - start >= max_seconds
            or sum(len(x) for x in texts) >= max_chars
        )
        if new and texts and int(seg.start) <= int(start):
            new = False
        if new:
            flush()
            start, speaker, texts = seg.start, seg.speaker, []
        texts.append(text)
        end = max(end, seg.end)
    flush()
    return out


# ---------------------------------------------------------------- rendering


def environment() -> Environment:
    """The Jinja environment of the site's templates (autoescaped). The search page may extend ``base.html``."""
    return Environment(
        loader=PackageLoader("cerdas.feed", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def base_context(settings: Settings, root: str, canonical: str, now: datetime) -> dict[str, Any]:
    """What ``base.html`` needs; ``root`` is the relative way back to ``feed/`` (``""``, ``"../../"``)."""
    show = settings.show
    return {
        "lang": show.language,
        "show": show,
        "root": root,
        "canonical": canonical,
        "feed_url": urls.feed_url(settings),
        "og_image": urls.absolute(settings, urls.artwork_rel(artwork_ext(settings))),
        "og_type": "website",
        "og_title": show.title,
        "page_title": show.title,
        "meta_description": summary(show.description or show.title, 160),
        "version": __version__,
        "year": now.year,
        "nav": "",
    }


def _kicker(item: FeedEpisode) -> str:
    ep = item.episode
    parts = []
    if ep.number:
        parts.append(f"Episode {ep.number}" + (f", musim {ep.season}" if ep.season else ""))
    if ep.episode_type == "trailer":
        parts.append("Cuplikan")
    elif ep.episode_type == "bonus":
        parts.append("Bonus")
    parts.append(tanggal(item.published))
    if item.duration:
        parts.append(durasi(item.duration))
    return " · ".join(parts)


def render_episode(
    env: Environment, settings: Settings, item: FeedEpisode, segments: list[Segment], now: datetime
) -> str:
    """The episode page ``episodes/<slug>/index.html``."""
    ep = item.episode
    root = "../../"
    art_rel = urls.artwork_rel(artwork_ext(settings))
    ctx = base_context(settings, root, urls.episode_page_url(settings, ep.slug), now)
    description = summary(item.notes, 160) or f"{ep.title}: episode {settings.show.title}"
    ctx.update(
        page_title=f"{ep.title} · {settings.show.title}",
        og_title=ep.title,
        og_type="music.song",
        og_image=urls.absolute(settings, item.cover_rel(art_rel)),
        meta_description=description,
        title=ep.title,
        kicker=_kicker(item),
        audio_src=root + urls.audio_rel(ep.slug),
        audio_url=urls.audio_url(settings, ep.slug),
        cover_src=root + (item.cover_rel(art_rel) if item.cover else urls.asset_rel("artwork-600.jpg")),
        size=ukuran(item.size),
        youtube_url=item.youtube_url,
        notes=Markup(item.notes),  # sanitised by cerdas.shownotes
        guests=ep.guests,
        chapters=[
            {"t": int(c.start), "stamp": format_timestamp(c.start), "title": c.title, "url": c.url}
            for c in sorted(ep.chapters, key=lambda c: c.start)
        ],
        transcript_files=[
            {"href": root + urls.transcript_rel(ep.slug, kind), "label": label, "mime": mime}
            for kind, (label, mime) in _TRANSCRIPT_LABELS.items()
            if kind in item.transcripts
        ],
        paragraphs=paragraphs(segments),
    )
    return env.get_template("episode.html").render(ctx)


def render_show(env: Environment, settings: Settings, items: list[FeedEpisode], now: datetime) -> str:
    """The show page ``index.html``: artwork, description, subscribe links, every public episode."""
    ctx = base_context(settings, "", urls.show_page_url(settings), now)
    ctx.update(
        nav="home",
        episodes=[
            {
                "href": urls.episode_page_rel(i.slug).removesuffix("index.html"),
                "title": i.episode.title,
                "kicker": _kicker(i),
                "summary": summary(i.notes, 220),
            }
            for i in items
        ],
    )
    return env.get_template("show.html").render(ctx)


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


# ---------------------------------------------------------------- the atomic swap

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ``renameat2``); ``False`` where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _sync(folder: Path) -> None:
    """Flush the staging folder's file system before it goes live (one ``syncfs``, not one fsync per file)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if getattr(libc, "syncfs", None) is None or libc.syncfs(fd) != 0:
            os.sync()
    except OSError:
        os.sync()
    finally:
        os.close(fd)


def swap_in(staging: Path, target: Path) -> None:
    """Make ``staging`` the new ``target`` folder in one step and delete the previous one."""
    if target.is_dir():
        if _exchange(staging, target):
            shutil.rmtree(staging, ignore_errors=True)
            return
        retired = target.with_name(f"{RETIRED_PREFIX}{os.getpid()}-{int(time.time())}")
        os.rename(target, retired)
        os.rename(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        if target.exists() or target.is_symlink():
            raise CerdasError("is not a folder; move it away so that the site can be written", target)
        os.rename(staging, target)


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
    from cerdas.feed.searchpage import build_search_page

    reporter = reporter or NullReporter()
    now = now or datetime.now(UTC)
    check_show_artwork(settings)
    selection = select_episodes(ws, settings, now, current)
    target = ws.feed_dir.resolve() if ws.feed_dir.is_symlink() else ws.feed_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target.parent))
    try:
        os.chmod(staging, 0o777 & ~_umask())
        write_site(staging, settings, selection, now)
        violations = check_feed(staging, settings, now)
        if any(v.level == "error" for v in violations):
            raise FeedCheckError(violations, ws.feed_dir / urls.feed_rel())
        build_search_page(staging, settings)
        _sync(staging)
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    warnings = [v for v in violations if v.level != "error"]
    for warning in warnings:
        reporter.warn(f"{warning.where}: {warning.message}")  # the reporter adds "Warning:" itself
    return SiteResult(selection, warnings, ws.feed_dir)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def rebuild(ws: Workspace, settings: Settings, reporter: Reporter | None = None) -> SiteResult:
    """``cerdas feed``: rebuild ``feed/`` under the workspace lock."""
    with ws.lock():
        return build_site(ws, settings, reporter=reporter)


# ---------------------------------------------------------------- the publish stage


def _file_state(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _package_hash() -> str:
    digest = hashlib.sha256()
    for folder in ("templates", "static"):
        for entry in sorted(files("cerdas.feed").joinpath(folder).iterdir(), key=lambda e: e.name):
            if entry.is_file():
                digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()[:16]


FEED_INPUT_STAGES = ("tag", "transcribe", "youtube")
"""The stages whose results the feed and the pages show."""


def site_inputs(
    ws: Workspace, settings: Settings, current: Episode | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Everything the built ``feed/`` depends on, for the stage fingerprint: every episode's metadata and
    results, the transcript files, the show settings and artwork, which scheduled episodes are due, the code."""
    now = now or datetime.now(UTC)
    episodes = list_episodes(ws, current)
    state = []
    for ep in episodes:
        meta = ep.to_dict()
        meta["stages"] = {
            name: [rec.fingerprint, rec.outputs, rec.to_dict()["data"]]
            for name, rec in ep.stages.items()
            if name in FEED_INPUT_STAGES
        }
        meta.pop("created", None)
        try:
            due = ep.published_at() <= now
        except CerdasError:
            due = None
        state.append(
            {
                "meta": meta,
                "due": due,
                "transcripts": [_file_state(ws.transcript(ep.slug, k)) for k in KINDS],
                "cover": _file_state(ws.resolve(ep.cover)) if ep.cover else None,
            }
        )
    return {
        "format": [SITE_FORMAT, __version__, _package_hash()],
        "show": asdict(settings.show),
        "artwork": _file_state(settings.artwork_path),
        "episodes": fingerprint(state),
    }


class FeedStage(BaseStage):
    """Publish stage ``feed``: rebuild ``feed/`` (feed + site) from all episodes whenever anything they show changed."""

    name: ClassVar[StageName] = "feed"

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        return site_inputs(ctx.workspace, ctx.settings, current=episode)

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        result = build_site(ctx.workspace, ctx.settings, current=episode, reporter=ctx.reporter)
        sel = result.selection
        note = ""
        if episode.slug in sel.drafts:
            note = "; this episode is a draft, not in the feed"
        elif any(slug == episode.slug for slug, _ in sel.scheduled):
            when = next(w for s, w in sel.scheduled if s == episode.slug)
            note = f"; this episode appears from {when.isoformat()} (run 'cerdas feed' then)"
        public = [i.slug for i in sel.public]
        ws = ctx.workspace
        return StageOutput(
            # stored as written under the workspace, also when feed/ is a link to the web server's folder
            outputs={"feed": f"{ws.feed_dir.name}/{urls.feed_rel()}", "site": f"{ws.feed_dir.name}/index.html"},
            facts=FeedFacts(episodes=len(public), public=episode.slug in public),
            summary=result.summary() + note,
        )

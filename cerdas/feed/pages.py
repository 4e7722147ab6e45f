"""The site's pages: the Jinja environment, Indonesian dates and sizes, the show page and each episode page.

Every value reaches the page through Jinja's autoescaping; only show notes, sanitised by :mod:`cerdas.notes`,
are marked safe.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from cerdas import __version__, urls
from cerdas.chapters import format_timestamp
from cerdas.feed.rss import FeedEpisode, artwork_ext
from cerdas.links import safe_link
from cerdas.notes import strip_control, summary
from cerdas.settings import Settings
from cerdas.transcribe.formats import Segment, paragraphs

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


# ---------------------------------------------------------------- rendering


@functools.cache
def environment() -> Environment:
    """The Jinja environment of the site's templates (autoescaped). The search page may extend ``base.html``.
    Render with :func:`render`.

    One per process: it keeps the compiled templates, so a long-running studio rebuilds the site without
    compiling them again each time (0.6 s of every rebuild)."""
    return Environment(
        loader=PackageLoader("cerdas.feed", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(env: Environment, template: str, context: dict[str, Any]) -> str:
    """A page, without control characters (the one rule of every output): a NUL or an ESC from a hand-edited
    journal or VTT never reaches a page. A page's own markup has none, so the whole page is cleaned in one pass
    (a filter on every printed value costs a function call per value)."""
    return strip_control(env.get_template(template).render(context))


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
        notes=Markup(item.notes),  # sanitised by cerdas.notes (nh3)
        guests=ep.guests,
        chapters=[
            {
                "t": int(c.start),
                "stamp": format_timestamp(c.start),
                "title": c.title,
                "url": c.url if safe_link(c.url) else "",  # the link rule again, whatever the journal says
            }
            for c in sorted(ep.chapters, key=lambda c: c.start)
        ],
        transcript_files=[
            {"href": root + urls.transcript_rel(ep.slug, kind), "label": label, "mime": mime}
            for kind, (label, mime) in _TRANSCRIPT_LABELS.items()
            if kind in item.transcripts
        ],
        paragraphs=_paragraphs(segments),
        clips=_clips(item, root),
    )
    return render(env, "episode.html", ctx)


def _clips(item: FeedEpisode, root: str) -> list[dict[str, Any]]:
    """The episode's clips on its page: the MP4 when the site carries it, else the episode's MP3 from the
    clip's start to its end (a media fragment, ``#t=start,end``)."""
    out = []
    audio = root + urls.audio_rel(item.slug)
    for bite in item.clips:
        clip = bite.clip
        out.append(
            {
                "title": clip.title or item.episode.title,
                "stamp": f"{format_timestamp(clip.start)}–{format_timestamp(clip.end)}",
                "t": int(clip.start),
                "speaker": clip.speaker,
                "format": clip.format,
                "video": root + urls.clip_rel(item.slug, bite.video.name) if bite.video is not None else "",
                "track": root + urls.clip_rel(item.slug, bite.captions.name) if bite.captions is not None else "",
                "audio": f"{audio}#t={clip.start:.2f},{clip.end:.2f}",
            }
        )
    return out


def _paragraphs(segments: list[Segment]) -> list[dict[str, Any]]:
    """The transcript as the page shows it: paragraphs (a heading with the time and speaker), each made of its
    captions, and every caption that starts in a new whole second an anchor ``t=SECONDS``: ``#t=73`` scrolls to
    the caption heard at 73 s, and the site search lands on it (Pagefind reports every anchor)."""
    out = []
    grouped = paragraphs(segments)
    taken = {p.t for p in grouped}  # the headings' anchors come first; a caption never repeats one
    for p in grouped:
        parts = []
        for start, text in p.parts:
            t = int(start)
            parts.append({"t": t, "id": f"t={t}" if t not in taken else "", "text": text})
            taken.add(t)
        out.append({"t": p.t, "stamp": format_timestamp(p.t), "speaker": p.speaker, "text": p.text, "parts": parts})
    return out


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
    return render(env, "show.html", ctx)

"""``cerdas search`` and ``cerdas index``: find any moment in any episode from the terminal."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from cerdas.chapters import format_timestamp
from cerdas.cli.core import cli, library_context
from cerdas.notes import strip_control
from cerdas.search.index import EpisodeHits, Hit, SearchResult
from cerdas.search.query import mark
from cerdas.search.upkeep import index_size, rebuild_index, refresh_index, update_index

CONTEXT_WORDS = 8  # words of the passage before and after a hit
_PLACES = {"title": "title", "description": "notes", "guest": "guest"}
_LABELS = {"chapter": "chapter", "speaker": "speaker (first heard here)", "guest": "guest"}


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--episode", "-e", metavar="SLUG", help="Search only this episode.")
@click.option(
    "--limit", "-n", type=click.IntRange(1, 1000), default=20, show_default=True, help="At most this many hits in all."
)
@click.option(
    "--per-episode",
    type=click.IntRange(1, 1000),
    default=5,
    show_default=True,
    help="At most this many hits from one episode (without --episode).",
)
@click.option(
    "--speaker", "-s", metavar="NAME", help="Only what this speaker said (any of their names' words: --speaker Sekda)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit, one per line.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Highlight with colour (default: on a terminal, unless NO_COLOR is set); else [marks].",
)
@click.pass_context
def search(
    ctx: click.Context,
    query: tuple[str, ...],
    episode: str | None,
    limit: int,
    per_episode: int,
    speaker: str | None,
    as_json: bool,
    color: bool | None,
) -> None:
    """Search every transcript, title, description and chapter for QUERY.

    \b
    Words match in any case and without diacritics; a root word finds its
    forms (korupsi: korupsinya, berkorupsi, dikorupsi).
      gratifik*              words starting with "gratifik"
      "wilayah bebas korupsi"  the exact phrase (quote it for the shell too:
                             cerdas search '"wilayah bebas korupsi"')
      suap OR gratifikasi    either word (ATAU works too)
      korupsi -dana          passages without "dana" (put -- before a query
                             that starts with '-': cerdas search -- -dana suap)

    Hits are grouped by episode, the episode that discusses the subject most
    first, each with its time, the passage with the match highlighted, and links
    to the episode page and the YouTube video at that moment.
    """
    from cerdas.search.upkeep import search as run_search

    context = library_context(ctx)
    refresh_index(context.workspace, context.reporter)
    result = run_search(
        context.workspace,
        context.settings,
        " ".join(query),
        episode=episode,
        limit=limit,
        per_episode=per_episode,
        speaker=speaker,
    )
    if result.notice:
        context.reporter.warn(result.notice)
    if not result.episodes:
        click.echo(f"No matches for {' '.join(query)!r}.", err=True)
        return
    if as_json:
        for group in result.episodes:
            for hit in group.hits:
                click.echo(json.dumps(hit_json(group, hit), ensure_ascii=False))
        return
    if color is None:
        color = sys.stdout.isatty() and not context.env.no_color
    click.echo(render(result, color), color=color)


def hit_json(group: EpisodeHits, hit: Hit) -> dict[str, Any]:
    """The ``--json`` object of one hit."""
    return {
        "episode": hit.slug,
        "episode_title": strip_control(group.title),
        "episode_number": group.number,
        "kind": hit.kind,
        "start": hit.start,
        "end": hit.end,
        "timestamp": format_timestamp(hit.start) if hit.start is not None else None,
        "speaker": strip_control(hit.speaker) or None,
        "text": strip_control(hit.text),
        "highlights": [list(span) for span in hit.spans],
        "context_before": strip_control(hit.before),
        "context_before_speaker": strip_control(hit.before_speaker) or None,
        "context_after": strip_control(hit.after),
        "context_after_speaker": strip_control(hit.after_speaker) or None,
        "page_url": hit.page_url,
        "youtube_url": hit.youtube_url,
    }


def render(result: SearchResult, color: bool) -> str:
    """The terminal listing: episodes best first, each hit with time, highlighted passage and links."""
    lines: list[str] = []
    found, shown = sum(g.matches for g in result.episodes), len(result.hits)
    header = (
        f"{_plural(found, 'passage')} in {_plural(len(result.episodes), 'episode')} for {result.query.text.strip()!r}"
    )
    if shown < found:
        header += f"; {shown} shown (more with --per-episode, --limit or --episode)"
    lines.append(header)
    for group in result.episodes:
        number = f"#{group.number} " if group.number is not None else ""
        heading = f"{number}{strip_control(group.title)}"  # no text from a file ever drives the terminal
        more = _plural(group.matches, "passage")
        if len(group.hits) < group.matches:
            more = f"{len(group.hits)} of {more} shown"
        if group.partial:
            more += ", each with some of the words"
        if group.draft:
            more += ", draft"
        lines += ["", (click.style(heading, bold=True) if color else heading) + f"  ({group.slug}; {more})"]
        for hit in group.hits:
            lines += _hit_lines(hit, color)
    return "\n".join(lines)


def _hit_lines(hit: Hit, color: bool) -> list[str]:
    when = format_timestamp(hit.start) if hit.start is not None else _PLACES.get(hit.kind, hit.kind)
    # control characters go before the highlight's own colour codes are added
    text = mark(strip_control(hit.text), hit.spans, *(("\x1b[1;33m", "\x1b[0m") if color else ("[", "]")))
    if hit.kind in _LABELS:
        text = f"{_LABELS[hit.kind]}: {text}"
    before = _tail(strip_control(hit.before))
    after = _head(strip_control(hit.after))
    if color:
        before, after = (click.style(part, dim=True) if part else "" for part in (before, after))
    passage = _voiced(
        [(hit.before_speaker, before), ("" if hit.kind in _LABELS else hit.speaker, text), (hit.after_speaker, after)]
    )
    lines = [f"  {when:<9} {passage}", f"  {'':<9} {hit.page_url}"]
    if hit.youtube_url:
        lines.append(f"  {'':<9} {hit.youtube_url}")
    return lines


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _voiced(parts: list[tuple[str, str]]) -> str:
    """The passages in order, each speaker named where the voice changes (so that the context around a hit is
    never read as the hit's speaker's words)."""
    out, last = [], ""
    for speaker, text in parts:
        if not text:
            continue
        name = strip_control(speaker)
        out.append(f"{name}: {text}" if name and name != last else text)
        last = name or last
    return " ".join(out)


def _tail(text: str) -> str:
    words = text.split()
    return ("…" if len(words) > CONTEXT_WORDS else "") + " ".join(words[-CONTEXT_WORDS:])


def _head(text: str) -> str:
    words = text.split()
    return " ".join(words[:CONTEXT_WORDS]) + ("…" if len(words) > CONTEXT_WORDS else "")


@cli.command()
@click.option("--rebuild", is_flag=True, help="Build the whole index anew (into a new file renamed into place).")
@click.pass_context
def index(ctx: click.Context, rebuild: bool) -> None:
    """Bring the search index (search.sqlite3) up to date with every episode.

    Only episodes whose metadata or transcript changed are indexed again;
    'publish' does this for its episode by itself.
    """
    context = library_context(ctx)
    ws = context.workspace
    with ws.lock():
        report = rebuild_index(ws) if rebuild else update_index(ws, reporter=context.reporter)
    parts = [
        f"{len(report.indexed)} episode{'s' if len(report.indexed) != 1 else ''} indexed "
        f"({report.segments} transcript segments)"
    ]
    if report.unchanged:
        parts.append(f"{report.unchanged} unchanged")
    if report.removed:
        parts.append(f"{len(report.removed)} removed")
    click.echo(
        f"Search index: {', '.join(parts)}; {ws.relative(ws.index_path)}, {index_size(ws.index_path) / 1e6:.1f} MB"
    )

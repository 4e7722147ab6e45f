"""``cerdas stats``: import access logs (IAB v2.2 downloads), fetch YouTube figures, manage user-agent lists."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from cerdas.cli.core import cli, library_context, workspace_of


@cli.group()
def stats() -> None:
    """Count downloads from the web server's logs and fetch YouTube figures (read by cerdas report)."""


def _import_lines(out: dict[str, Any]) -> list[str]:
    files = out["files"]
    known = sum(f["already_imported"] for f in files)
    lines = [
        f"Read {out['lines']} new lines from {len(files)} file(s)"
        + (f" ({known} lines already imported were skipped)" if known else "")
        + ".",
        f"Added: {out['downloads']} downloads, {out['page_views']} episode page views, "
        f"{out['visitors']} daily visitors.",
        f"Left out: {out['bots']} from bots and tools, {out['probes']} probes, {out['not_counted']} HEAD/error "
        f"requests, {out['duplicates']} lines seen before, {out['unknown_files']} requests for no episode.",
    ]
    if out["too_old"]:
        lines.append(
            f"{out['too_old']} lines were older than the data already closed and were skipped "
            "(import logs oldest first, all rotated files in one command)."
        )
    if out["unparseable"]:
        lines.append(
            f"{out['unparseable']} lines could not be read and were skipped; the first: {out['first_unparseable']}"
        )
    for f in files:
        if f["partial_last_line"]:
            lines.append(f"{f['name']}: its last line is incomplete; it will be read by the next import.")
    return lines


@stats.command("import")
@click.argument("logs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "combined", "caddy"]),
    default="auto",
    show_default=True,
    help="Log format: nginx/Apache combined or Caddy JSON (auto: told from the first lines).",
)
@click.option("--json", "as_json", is_flag=True, help="The summary as one JSON object.")
@click.pass_context
def import_(ctx: click.Context, logs: tuple[Path, ...], fmt: str, as_json: bool) -> None:
    """Import access logs (plain, .gz, rotated; any order); importing the same lines again counts nothing twice."""
    from cerdas.stats.importer import import_logs

    context = library_context(ctx)
    summary = import_logs(context.workspace, context.settings, list(logs), context.reporter, fmt=fmt)
    out = summary.as_dict()
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for line in _import_lines(out):
        click.echo(line)


@stats.command("youtube")
@click.option("--days", default=28, show_default=True, type=click.IntRange(1, 3650), help="Watch-time period, days.")
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
@click.pass_context
def youtube_(ctx: click.Context, days: int, as_json: bool) -> None:
    """Fetch every uploaded episode's views, likes and comments (a dated snapshot; 1 quota unit per 50 videos)."""
    from cerdas.stats.youtube import fetch_youtube

    context = library_context(ctx)
    end = date.today() - timedelta(days=1)
    result = fetch_youtube(context.workspace, context.env, (end - timedelta(days=days - 1), end))
    if as_json:
        click.echo(json.dumps(result.__dict__, ensure_ascii=False, indent=2))
        return
    if not result.asked:
        click.echo("No episode is on YouTube yet; nothing fetched.")
        return
    click.echo(
        f"Snapshot {result.fetched}: {result.videos} of {result.asked} videos ({result.quota_units} quota units)."
    )
    if result.missing:
        click.echo(f"YouTube no longer has: {', '.join(result.missing)}")
    click.echo(
        f"Watch time for the last {days} days fetched too."
        if result.analytics
        else "No watch time: the sign-in lacks YouTube Analytics (cerdas youtube login --analytics)."
    )


@stats.group()
def agents() -> None:
    """The user-agent lists that tell podcast apps from bots (OPAWG's, imported; Cerdas's own otherwise)."""


@agents.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["bots", "apps", "browsers", "libraries", "devices", "referrers"]),
    help="Which OPAWG list the file is (default: from its name, e.g. bots.runtime.json).",
)
@click.pass_context
def agents_import(ctx: click.Context, files: tuple[Path, ...], kind: str | None) -> None:
    """Import OPAWG user-agents-v2 runtime files (all checked first; a bad pattern stores nothing)."""
    from cerdas.stats import store
    from cerdas.stats.agent_lists import read_list, store_lists

    ws = workspace_of(ctx)
    lists = [read_list(path, kind) for path in files]
    with store.connect(ws.stats_path, write=True) as db:
        store_lists(db, lists)
    for item in lists:
        click.echo(f"{item.kind}: {len(item.entries)} entries from {item.source} (dated {item.dated})")


@agents.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_context
def agents_list(ctx: click.Context, as_json: bool) -> None:
    """Show which lists classify user agents, and their dates."""
    from cerdas.stats import store
    from cerdas.stats.agent_lists import stored_lists
    from cerdas.stats.agents import Classifier

    ws = workspace_of(ctx)
    with store.connect(ws.stats_path) as db:
        lists = stored_lists(db)
    out: dict[str, Any] = {
        "imported": [
            {"kind": a.kind, "source": a.source, "dated": a.dated, "imported": a.imported, "entries": len(a.entries)}
            for a in lists
        ],
        "order": Classifier(lists).sources,
    }
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for line in out["order"]:
        click.echo(line)


@agents.command("check")
@click.argument("user_agent")
@click.pass_context
def agents_check(ctx: click.Context, user_agent: str) -> None:
    """Show how a user agent is classified (bot, tool, app, player, browser, unknown) and whether it counts."""
    from cerdas.stats import store
    from cerdas.stats.agent_lists import stored_lists
    from cerdas.stats.agents import Classifier

    with store.connect(workspace_of(ctx).stats_path) as db:
        agent = Classifier(stored_lists(db)).classify(user_agent)
    verdict = "counted" if agent.counted else "not counted"
    click.echo(f"{agent.kind}: {agent.name} ({verdict}; rule from {agent.source})")


@agents.command("forget")
@click.argument("kinds", nargs=-1)
@click.pass_context
def agents_forget(ctx: click.Context, kinds: tuple[str, ...]) -> None:
    """Drop imported lists (all, or the KINDS named); Cerdas's own rules apply again."""
    from cerdas.stats import store
    from cerdas.stats.agent_lists import forget_lists

    with store.connect(workspace_of(ctx).stats_path, write=True) as db:
        removed = forget_lists(db, list(kinds))
    click.echo(f"Removed {removed} list(s).")

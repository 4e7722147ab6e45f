"""``cerdas report``: the period's report (HTML, A4 PDF, XLSX, JSON) and the evidence pack."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from cerdas.cli.core import cli, library_context


@cli.command()
@click.option("--from", "start", metavar="DATE", help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "end", metavar="DATE", help="Last day of the period (YYYY-MM-DD, included).")
@click.option("--month", metavar="YYYY-MM", help="A calendar month, e.g. 2026-10.")
@click.option("--quarter", metavar="YYYYQn", help="A quarter, e.g. 2026Q4.")
@click.option(
    "--format",
    "formats",
    metavar="LIST",
    help="Comma-separated: html, pdf, xlsx, json (default: all; pdf only when Chromium and Playwright are there).",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Folder (default: reports/<period>/).")
@click.option("--evidence", is_flag=True, help="Also the evidence ZIP: report, page screenshots, feed, manifest.")
@click.option("--no-youtube", is_flag=True, help="Do not fetch YouTube figures now (use the stored snapshots).")
@click.option("--json", "as_json", is_flag=True, help="Print the files written and the report's JSON.")
@click.pass_context
def report(
    ctx: click.Context,
    start: str | None,
    end: str | None,
    month: str | None,
    quarter: str | None,
    formats: str | None,
    out: Path | None,
    evidence: bool,
    no_youtube: bool,
    as_json: bool,
) -> None:
    """Report what was published and how far it reached in a period (default: this month so far)."""
    from cerdas.reports import browser
    from cerdas.reports.build import FORMATS, ReportRequest, make_report, parse_formats
    from cerdas.reports.json_report import report_data
    from cerdas.reports.period import PeriodError, choose_period

    context = library_context(ctx)
    today = datetime.now(context.settings.timezone).date()
    try:
        period = choose_period(start, end, month, quarter, today)
    except PeriodError as exc:
        raise click.UsageError(str(exc)) from exc
    if formats is None:
        chosen: tuple[str, ...] = FORMATS
        try:
            browser.check_browser(context.env)
        except browser.BrowserMissing as exc:
            context.reporter.warn(f"no PDF: {exc}")
            chosen = tuple(f for f in FORMATS if f != "pdf")
    else:
        chosen = parse_formats(formats)
    request = ReportRequest(period, chosen, out, evidence, fetch_youtube=not no_youtube)
    result = make_report(context.workspace, context.settings, context.env, request, context.reporter)
    if as_json:
        payload = {
            "files": [str(p) for p in result.files],
            "evidence": str(result.evidence) if result.evidence else None,
            "youtube_problem": result.youtube_problem or None,
            "report": report_data(result.report),
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    totals = result.report.totals
    click.echo(
        f"{period.start.isoformat()} – {period.end.isoformat()}: {len(result.report.published)} episodes published, "
        f"{totals.downloads} downloads, {totals.page_views} page views"
        + (f", {totals.youtube_views} YouTube views" if totals.youtube_views is not None else "")
    )
    if not result.report.youtube_available:
        click.echo("YouTube figures not available.")
    for path in [*result.files, *([result.evidence] if result.evidence else [])]:
        click.echo(str(path))

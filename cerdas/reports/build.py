"""``cerdas report``: fetch fresh YouTube figures, build the period's report, write each format and the evidence.

Everything that can be refused is checked first (formats, the browser for the PDF and the screenshots); a YouTube
sign-in that is missing or failing only means the report says so. Files are written atomically into
``reports/<period>/`` (or ``--out``).
"""

from __future__ import annotations

import tempfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.fsutil import atomic_write_text
from cerdas.report import Reporter
from cerdas.reports import browser
from cerdas.reports.charts import charts
from cerdas.reports.evidence import check_site, write_evidence
from cerdas.reports.html_report import render_html
from cerdas.reports.json_report import render_json
from cerdas.reports.model import Report, build_report
from cerdas.reports.period import Period
from cerdas.reports.texts import Texts
from cerdas.reports.xlsx_report import write_xlsx
from cerdas.settings import Settings
from cerdas.stats import store
from cerdas.stats.agent_lists import stored_lists
from cerdas.stats.agents import Classifier
from cerdas.stats.youtube import fetch_youtube
from cerdas.workspace import Workspace
from cerdas.youtube.errors import YouTubeError

FORMATS = ("html", "pdf", "xlsx", "json")


@dataclass(frozen=True)
class ReportRequest:
    period: Period
    formats: tuple[str, ...] = FORMATS
    out: Path | None = None
    evidence: bool = False
    fetch_youtube: bool = True


@dataclass
class ReportResult:
    report: Report
    files: list[Path] = field(default_factory=list)
    evidence: Path | None = None
    youtube_problem: str = ""


def parse_formats(text: str) -> tuple[str, ...]:
    """``html,pdf`` → ("html", "pdf"); unknown names refused."""
    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise CerdasError(f"unknown report format {', '.join(unknown) or '(none)'} (choose from {', '.join(FORMATS)})")
    return names


def _fetch(ws: Workspace, env: Environment, period: Period, today: date, reporter: Reporter) -> str:
    try:
        fetched = fetch_youtube(ws, env, (period.start, min(period.end, today)))
    except YouTubeError as exc:
        reporter.warn(f"YouTube figures not fetched: {exc}")
        return str(exc)
    if fetched.asked:
        reporter.info(
            f"YouTube: {fetched.videos} of {fetched.asked} videos fetched ({fetched.quota_units} quota units)"
        )
    return ""


def _base_name(report: Report) -> str:
    return ("report-" if Texts(report.language).language == "en" else "laporan-") + report.period.slug


def _write_formats(report: Report, formats: tuple[str, ...], out: Path, chrome: browser.Browser | None) -> list[Path]:
    base = out / _base_name(report)
    files = []
    if "json" in formats:
        atomic_write_text(base.with_suffix(".json"), render_json(report))
        files.append(base.with_suffix(".json"))
    if "xlsx" in formats:
        files.append(write_xlsx(report, base.with_suffix(".xlsx")))
    if "html" in formats or "pdf" in formats:
        page = render_html(report, charts(report, Texts(report.language)))
        if "html" in formats:
            atomic_write_text(base.with_suffix(".html"), page)
            files.append(base.with_suffix(".html"))
        if "pdf" in formats and chrome is not None:
            with tempfile.TemporaryDirectory(prefix=".report-", dir=out) as tmp:
                source = Path(tmp) / "report.html"
                source.write_text(page, encoding="utf-8")
                files.append(chrome.pdf(source, base.with_suffix(".pdf")))
    return files


def make_report(
    ws: Workspace,
    settings: Settings,
    env: Environment,
    request: ReportRequest,
    reporter: Reporter,
    now: datetime | None = None,
) -> ReportResult:
    """Build and write the report; returns what was written."""
    if "pdf" in request.formats or request.evidence:
        browser.check_browser(env)  # before any work: a missing part is said at once
    today = (now or datetime.now(settings.timezone)).astimezone(settings.timezone).date()
    problem = _fetch(ws, env, request.period, today, reporter) if request.fetch_youtube else ""
    with store.connect(ws.stats_path) as db:
        classifier = Classifier(stored_lists(db))
        report = build_report(ws, settings, db, request.period, now=now, classifier=classifier)
    if request.evidence:
        check_site(ws, report)
    out = request.out or ws.reports_dir / request.period.slug
    out.mkdir(parents=True, exist_ok=True)
    result = ReportResult(report, youtube_problem=problem)
    needs_browser = "pdf" in request.formats or request.evidence
    with browser.browser(env) if needs_browser else nullcontext(None) as chrome:  # one Chromium for both
        result.files = _write_formats(report, request.formats, out, chrome)
        if request.evidence and chrome is not None:
            target = out / (_base_name(report).replace("laporan-", "bukti-").replace("report-", "evidence-") + ".zip")
            result.evidence = write_evidence(ws, settings, report, result.files, chrome, target)
    return result

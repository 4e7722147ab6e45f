"""The report as one self-contained HTML page (styles inline, charts as inline SVG: it opens offline, and the PDF
is this page printed on A4)."""

from __future__ import annotations

from datetime import date

from jinja2 import Environment, PackageLoader, select_autoescape

from cerdas.reports.model import EpisodeRow, Report
from cerdas.reports.texts import Texts

_ENV = Environment(
    loader=PackageLoader("cerdas.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def number(value: float | int | None, language: str = "id") -> str:
    """``12.345`` (Indonesian) or ``12,345``; ``–`` for None; one decimal for fractions."""
    if value is None:
        return "–"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if language == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def duration(seconds: float | None) -> str:
    """``1:02:03`` or ``12:03``; ``–`` for None."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def change(now: int | None, before: int | None) -> str:
    """``+25 %``, ``-10 %``; "" when there is nothing to compare with."""
    if now is None or not before:
        return ""
    percent = round((now - before) * 100 / before)
    return f"{percent:+d} %"


def render_html(report: Report, charts: dict[str, str]) -> str:
    """The page."""
    t = Texts(report.language)

    def access(row: EpisodeRow) -> str:
        parts = [t["corrected"] if row.corrected else t["transcript"]] if row.transcript else []
        if row.captions:
            parts.append(t["captions"])
        return ", ".join(parts) or "–"

    total = report.totals.downloads
    cards = [
        ("downloads", report.totals.downloads, report.totals_before.downloads),
        ("page_views", report.totals.page_views, report.totals_before.page_views),
        ("visitors", report.totals.visitors, report.totals_before.visitors),
        ("youtube_views", report.totals.youtube_views, report.totals_before.youtube_views),
    ]
    return _ENV.get_template("report.html").render(
        r=report,
        t=t,
        period_text=t.span(report.period.start, report.period.end),
        previous_text=t.span(report.previous.start, report.previous.end),
        cards=cards,
        charts=charts,
        num=lambda v: number(v, t.language),
        duration=duration,
        change=change,
        access=access,
        share=lambda n: f"{n * 100 / total:.0f} %" if total else "–",
        day=date.fromisoformat,
    )

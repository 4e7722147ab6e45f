"""The report as an XLSX workbook for the evaluation worksheets: one sheet per table, numbers as numbers, dates as
dates (local to the show's zone, which Excel cannot store), durations as time values, links as hyperlinks."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cerdas.fsutil import atomic_path
from cerdas.reports.model import Report
from cerdas.reports.texts import Texts

DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
DURATION = "[h]:mm:ss"
INTEGER = "#,##0"
DECIMAL = "#,##0.0"
PERCENT = "0%"
_HEAD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="EEF4F2")


def _local(when: datetime) -> datetime:
    return when.replace(tzinfo=None)


def _table(ws: Worksheet, headers: list[str], rows: list[list[Any]], formats: dict[int, str]) -> None:
    """Write a header row and rows; column ``i`` (0-based) gets ``formats[i]``; widths fit the contents."""
    start = ws.max_row + 1 if ws.max_row > 1 else 1
    for col, name in enumerate(headers, start=1):
        cell = ws.cell(start, col, name)
        cell.font, cell.fill = _HEAD, _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=start + 1):
        for c, value in enumerate(row):
            cell = ws.cell(r, c + 1)
            if isinstance(value, tuple):  # (text, link)
                cell.value, cell.hyperlink = value
                cell.style = "Hyperlink"
            else:
                cell.value = value
            if c in formats and value is not None:
                cell.number_format = formats[c]
    for col, name in enumerate(headers, start=1):
        values = [len(str(name))] + [len(str(ws.cell(r, col).value or "")) for r in range(start + 1, ws.max_row + 1)]
        ws.column_dimensions[get_column_letter(col)].width = min(max(values) + 2, 60)
    ws.freeze_panes = ws.cell(start + 1, 1)


def _summary(wb: Workbook, report: Report, t: Texts) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = t["sheets"].split(",")[0]
    ws.append([report.show])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([t["title"]])
    rows: list[list[Any]] = [
        [t["period"], report.period.start, report.period.end],
        [t["previous"], report.previous.start, report.previous.end],
        [t["generated"], _local(report.generated), report.timezone],
    ]
    for row in rows:
        ws.append(row)
    for r in (3, 4):
        for c in (2, 3):
            ws.cell(r, c).number_format = DATE
    ws.cell(5, 2).number_format = DATETIME
    ws.append([])
    figures = [
        (t["downloads"], report.totals.downloads, report.totals_before.downloads),
        (t["page_views"], report.totals.page_views, report.totals_before.page_views),
        (t["visitors"], report.totals.visitors, report.totals_before.visitors),
        (t["youtube_views"], report.totals.youtube_views, report.totals_before.youtube_views),
        (t["youtube_growth"], report.totals.youtube_growth, report.totals_before.youtube_growth),
    ]
    table = [
        [name, now, before, (now - before) / before if now is not None and before else None]
        for name, now, before in figures
    ]
    _table(ws, ["", t["period"], t["previous"], t["change"]], table, {1: INTEGER, 2: INTEGER, 3: PERCENT})
    ws.freeze_panes = None
    if not report.youtube_available:
        ws.append([t["youtube_unavailable"]])


def _published(wb: Workbook, report: Report, t: Texts) -> None:
    ws = wb.create_sheet(t["sheets"].split(",")[1])
    rows = [
        [
            e.number,
            _local(e.published),
            e.title,
            ", ".join(e.guests),
            e.duration / 86400,
            (e.page_url, e.page_url),
            (e.audio_url, e.audio_url),
            (e.video_url, e.video_url) if e.video_url else None,
            e.transcript,
            e.corrected,
            e.captions,
            e.chapters,
        ]
        for e in report.published
    ]
    headers = [
        "number",
        "date",
        "episode",
        "guests",
        "duration",
        "page",
        "audio",
        "video",
        "transcript",
        "corrected",
        "captions",
        "chapters",
    ]
    _table(ws, [t[h] for h in headers], rows, {0: "0", 1: DATETIME, 4: DURATION, 11: "0"})


def _reach(wb: Workbook, report: Report, t: Texts) -> None:
    ws = wb.create_sheet(t["sheets"].split(",")[2])
    rows = []
    for e in sorted(report.episodes, key=lambda e: -e.downloads):
        yt = e.youtube
        rows.append(
            [
                e.title,
                e.slug,
                _local(e.published).date(),
                e.downloads,
                e.downloads_before,
                e.page_views,
                yt.views if yt else None,
                yt.growth if yt else None,
                yt.likes if yt else None,
                yt.comments if yt else None,
                yt.minutes if yt else None,
                yt.average_seconds / 86400 if yt and yt.average_seconds is not None else None,
            ]
        )
    headers = [
        t["episode"],
        "slug",
        t["date"],
        t["downloads"],
        t["previous"],
        t["page_views"],
        t["youtube_views"],
        t["growth"],
        t["likes"],
        t["comments"],
        t["watch_minutes"],
        t["average_view"],
    ]
    formats = {
        2: DATE,
        3: INTEGER,
        4: INTEGER,
        5: INTEGER,
        6: INTEGER,
        7: INTEGER,
        8: INTEGER,
        9: INTEGER,
        10: DECIMAL,
        11: DURATION,
    }
    _table(ws, headers, rows, formats)


def _daily(wb: Workbook, report: Report, t: Texts) -> None:
    ws = wb.create_sheet(t["sheets"].split(",")[3])
    rows: list[list[Any]] = [[d.day, d.downloads, d.page_views, d.visitors] for d in report.daily]
    _table(
        ws,
        [t["date"], t["downloads"], t["page_views"], t["visitors"]],
        rows,
        {0: DATE, 1: INTEGER, 2: INTEGER, 3: INTEGER},
    )


def _apps(wb: Workbook, report: Report, t: Texts) -> None:
    ws = wb.create_sheet(t["sheets"].split(",")[4])
    total = report.totals.downloads
    rows = [
        [a.name, t.kinds.get(a.kind, a.kind), a.downloads, a.downloads / total if total else None] for a in report.apps
    ]
    _table(ws, [t["app"], t["kind"], t["downloads"], t["share"]], rows, {2: INTEGER, 3: PERCENT})


def write_xlsx(report: Report, target: Path) -> Path:
    """Write the workbook atomically; returns ``target``."""
    t = Texts(report.language)
    wb = Workbook()
    for part in (_summary, _published, _reach, _daily, _apps):
        part(wb, report, t)
    wb.properties.title = f"{t['title']}: {report.show}"
    wb.properties.created = datetime(report.generated.year, report.generated.month, report.generated.day)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


__all__ = ["date", "write_xlsx"]

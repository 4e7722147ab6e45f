"""``cerdas report``: the period's figures in JSON (the issue's exact shape), XLSX (read back with openpyxl:
numbers are numbers, dates are dates) and HTML; periods; an empty period; no YouTube sign-in; bad input."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from cerdas.cli.main import cli
from cerdas.reports.period import Period, PeriodError, choose_period, month_period, quarter_period
from cerdas.workspace import Workspace
from tests.browser import CHROMIUM, chromium_available
from tests.report_support import EXPECTED, month_of_listening


@pytest.fixture
def show(tmp_path: Path) -> Workspace:
    return month_of_listening(tmp_path / "show")


def report(ws: Workspace, *args: str, token: Path | None = None) -> Result:
    env = {"CERDAS_YOUTUBE_TOKEN": str(token or ws.root.parent / "no-sign-in" / "token.json")}
    return CliRunner(env=env).invoke(cli, ["-w", str(ws.root), "report", *args])


def test_json_has_the_issues_shape_and_the_figures(show: Workspace, tmp_path: Path) -> None:
    result = report(show, "--month", "2026-10", "--format", "json", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "laporan-2026-10.json").read_text(encoding="utf-8"))
    assert set(data) == {"period", "episodes", "totals", "daily"}
    assert data["period"] == {"from": "2026-10-01", "to": "2026-10-31"}
    assert data["totals"] == {"downloads": 25, "page_views": 2, "youtube_views": 1500}
    by_slug = {e["slug"]: e for e in data["episodes"]}
    assert set(by_slug["gratifikasi"]) == {"slug", "title", "published", "downloads", "page_views", "youtube"}
    assert by_slug["gratifikasi"]["published"] == "2026-10-03T09:00:00+08:00"
    assert (by_slug["gratifikasi"]["downloads"], by_slug["gratifikasi"]["page_views"]) == (20, 2)
    assert by_slug["gratifikasi"]["youtube"] == {"video_id": "vidGratif01", "views": 1500, "likes": 52, "comments": 6}
    assert (by_slug["pendek"]["downloads"], by_slug["pendek"]["youtube"]) == (5, None)
    assert len(data["daily"]) == 31 and set(data["daily"][0]) == {"date", "downloads"}
    daily = {d["date"]: d["downloads"] for d in data["daily"]}
    assert (daily["2026-10-05"], daily["2026-10-06"], daily["2026-10-20"], daily["2026-10-07"]) == (12, 5, 8, 0)
    assert "YouTube figures not available" not in result.output  # stored snapshots stand in for a fresh fetch


def test_the_workbook_has_real_numbers_and_dates(show: Workspace, tmp_path: Path) -> None:
    result = report(show, "--month", "2026-10", "--format", "xlsx", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "laporan-2026-10.xlsx")
    assert wb.sheetnames == ["Ringkasan", "Episode terbit", "Jangkauan", "Harian", "Aplikasi"]
    summary = wb["Ringkasan"]
    assert summary["B3"].value == datetime(2026, 10, 1) and summary["B3"].is_date
    figures = {row[0].value: row for row in summary.iter_rows(min_row=7) if row[0].value}
    downloads = figures["Unduhan"]
    assert downloads[1].value == EXPECTED["downloads"] and isinstance(downloads[1].value, int)
    assert downloads[2].value == EXPECTED["previous_downloads"]
    assert downloads[3].value == pytest.approx((25 - 4) / 4)  # a fraction shown as a percentage
    published = wb["Episode terbit"]
    first = [c.value for c in published[2]]
    assert first[0] == 1 and first[2] == "Menolak Gratifikasi di Meja Layanan"
    assert published.cell(2, 2).is_date and published.cell(2, 2).value == datetime(2026, 10, 3, 9, 0)
    assert published.cell(2, 5).value == timedelta(seconds=600) and published.cell(2, 5).number_format == "[h]:mm:ss"
    assert published.cell(2, 6).hyperlink.target == "https://podcast.example.go.id/cerdas/episodes/gratifikasi/"
    assert published.cell(2, 9).value is True and published.cell(2, 10).value is True  # transcript, corrected
    daily = wb["Harian"]
    assert daily.max_row == 32 and daily["A2"].is_date and daily["A2"].value == datetime(2026, 10, 1)
    assert sum(daily.cell(r, 2).value for r in range(2, 33)) == 25
    reach = {row[1].value: row for row in wb["Jangkauan"].iter_rows(min_row=2)}
    assert reach["gratifikasi"][3].value == 20 and reach["gratifikasi"][6].value == 1500
    assert reach["gratifikasi"][7].value == 500  # views gained since the snapshot before the period
    apps = {row[0].value: row[2].value for row in wb["Aplikasi"].iter_rows(min_row=2)}
    assert apps == {"Apple (AppleCoreMedia)": 12, "Spotify": 8, "Chrome": 5}


def test_the_html_page_is_self_contained(show: Workspace, tmp_path: Path) -> None:
    result = report(show, "--month", "2026-10", "--format", "html", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "laporan-2026-10.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 3  # downloads per day, top episodes, YouTube
    assert "http://" not in page.split("<body>")[0] and "<script" not in page and "<link" not in page
    assert 'data-figure="downloads">25<' in page and "1–31 Oktober 2026" in page
    assert "Menolak Gratifikasi di Meja Layanan" in page and "transkrip dikoreksi" in page


def test_an_empty_period_is_an_empty_report(show: Workspace, tmp_path: Path) -> None:
    result = report(
        show, "--from", "2025-01-01", "--to", "2025-01-31", "--format", "json,html,xlsx", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "laporan-2025-01-01_2025-01-31.json").read_text(encoding="utf-8"))
    assert data["totals"] == {"downloads": 0, "page_views": 0, "youtube_views": None}
    assert data["episodes"] == []  # nothing was public yet
    assert "Tidak ada episode yang terbit" in (tmp_path / "laporan-2025-01-01_2025-01-31.html").read_text()


def test_without_a_youtube_sign_in_the_report_says_so(tmp_path: Path) -> None:
    from tests.stats_support import add_episode, make_show

    ws = make_show(tmp_path / "fresh")
    add_episode(ws, "satu", size=1_000_000, duration=600, video_id="vidSatu0001", published="2026-10-02T09:00:00+08:00")
    result = report(ws, "--month", "2026-10", "--format", "json,html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "YouTube figures not fetched" in result.stderr and "no YouTube sign-in" in result.stderr
    assert "YouTube figures not available." in result.stdout
    assert "Data YouTube tidak tersedia" in (tmp_path / "out" / "laporan-2026-10.html").read_text()
    data = json.loads((tmp_path / "out" / "laporan-2026-10.json").read_text())
    assert data["episodes"][0]["youtube"] is None and data["totals"]["youtube_views"] is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2026-10-31", "--to", "2026-10-01"], "is before --from"),
        (["--month", "2026-13"], "is not a month"),
        (["--quarter", "2026Q5"], "is not a quarter"),
        (["--month", "2026-10", "--quarter", "2026Q4"], "choose one of"),
        (["--from", "1 Oktober"], "is not a date"),
    ],
)
def test_a_bad_period_is_a_usage_error(show: Workspace, args: list[str], message: str) -> None:
    result = report(show, *args, "--format", "json")
    assert result.exit_code == 2 and message in result.output
    assert not show.reports_dir.exists()


def test_bad_formats_and_a_missing_pdf_part_are_one_line(show: Workspace, tmp_path: Path) -> None:
    result = report(show, "--month", "2026-10", "--format", "docx")
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "unknown report format docx" in result.output
    env = {"CERDAS_CHROMIUM": str(tmp_path / "no-chromium"), "CERDAS_YOUTUBE_TOKEN": str(tmp_path / "t.json")}
    result = CliRunner(env=env).invoke(cli, ["-w", str(show.root), "report", "--month", "2026-10", "--format", "pdf"])
    assert result.exit_code == 1 and "CERDAS_CHROMIUM names no file" in result.output
    assert "Traceback" not in result.output and not show.reports_dir.exists()


def test_periods() -> None:
    assert month_period("2026-02") == Period(date(2026, 2, 1), date(2026, 2, 28), "month")
    assert quarter_period("2026Q4") == Period(date(2026, 10, 1), date(2026, 12, 31), "quarter")
    assert quarter_period("2026Q4").previous() == Period(date(2026, 7, 1), date(2026, 9, 30))
    assert month_period("2026-03").previous() == Period(date(2026, 1, 29), date(2026, 2, 28))  # 31 days before
    assert choose_period(None, None, None, None, date(2026, 11, 30)) == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert choose_period("2026-10-05", None, None, None, date(2026, 11, 30)).end == date(2026, 11, 30)
    assert month_period("2026-10").slug == "2026-10" and quarter_period("2026q4").slug == "2026Q4"
    with pytest.raises(PeriodError):
        choose_period("2026-10-05", "2026-10-04", None, None, date(2026, 11, 30))


def test_doctor_says_whether_pdfs_can_be_made(tmp_path: Path) -> None:
    from cerdas.env import Environment
    from cerdas.reports.doctor import report_lines

    missing = report_lines(None, Environment(chromium=str(tmp_path / "no-chromium")))
    assert [(c.name, c.ok) for c in missing] == [("report pdf", None)]  # optional: information, not a failure
    assert "CERDAS_CHROMIUM names no file" in missing[0].detail
    if chromium_available():
        assert report_lines(None, Environment(chromium=CHROMIUM))[0].ok is True

"""The report as people see it: the A4 PDF rendered to PNG by poppler's pdftoppm and read back with pdftotext,
and the evidence ZIP with its screenshots and manifest (the HTML in Chromium: test_report_page.py, whose browser
fixture must not run beside the report's own Chromium)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from cerdas.cli.main import cli
from cerdas.workspace import Workspace
from tests.browser import chromium_available
from tests.report_support import month_of_listening

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    if not chromium_available():
        pytest.skip("Chromium (/usr/bin/chromium) or Playwright is not installed")
    return month_of_listening(tmp_path_factory.mktemp("report") / "show")


def run(ws: Workspace, *args: str) -> Result:
    env = {"CERDAS_YOUTUBE_TOKEN": str(ws.root.parent / "no-sign-in.json"), "CERDAS_CHROMIUM": "/usr/bin/chromium"}
    result = CliRunner(env=env).invoke(cli, ["-w", str(ws.root), *args])
    assert result.exit_code == 0, result.output
    return result


def test_the_pdf_is_a4_and_prints_the_figures(show: Workspace, tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    run(show, "report", "--month", "2026-10", "--format", "pdf", "--out", str(tmp_path), "--no-youtube")
    pdf = tmp_path / "laporan-2026-10.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages >= 2
    first = Image.open(images[0]).convert("L")
    assert first.size == (331, 468)  # A4 at 40 dpi
    darkest, _lightest = first.getextrema()
    assert isinstance(darkest, int) and darkest < 80  # ink on the page: text and the dark bars of the chart
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(raw.split())
    for expected in (
        "Laporan Jangkauan dan Bukti Publikasi",
        "1–31 Oktober 2026",
        "Menolak Gratifikasi di Meja Layanan",
        "Unduhan",
        "25",
        "1.500",
        "Mengetahui,",
    ):
        assert expected in text, expected


def test_the_evidence_pack(show: Workspace, tmp_path: Path) -> None:
    run(show, "feed")
    result = run(
        show,
        "report",
        "--month",
        "2026-10",
        "--format",
        "html,json",
        "--evidence",
        "--out",
        str(tmp_path),
        "--no-youtube",
    )
    pack = tmp_path / "bukti-2026-10.zip"
    assert str(pack) in result.stdout
    with zipfile.ZipFile(pack) as zf:
        names = set(zf.namelist())
        assert names == {
            "report/laporan-2026-10.html",
            "report/laporan-2026-10.json",
            "screenshots/gratifikasi.png",  # published in October; "pendek" came out in September
            "feed/feed.xml",
            "transcripts/gratifikasi.vtt",
            "manifest.csv",
            "manifest.json",
        }
        manifest = json.loads(zf.read("manifest.json"))
        for entry in manifest:
            assert hashlib.sha256(zf.read(entry["file"])).hexdigest() == entry["sha256"]
        rows = list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode("utf-8-sig"))))
        shot = Image.open(io.BytesIO(zf.read("screenshots/gratifikasi.png")))
    assert [r["file"] for r in rows] == [e["file"] for e in manifest]
    by_file = {e["file"]: e for e in manifest}
    page = by_file["screenshots/gratifikasi.png"]
    assert page["url"] == "https://podcast.example.go.id/cerdas/episodes/gratifikasi/"
    assert page["published"] == "2026-10-03T09:00:00+08:00"
    assert by_file["feed/feed.xml"]["url"] == "https://podcast.example.go.id/cerdas/feed.xml"
    assert shot.format == "PNG" and shot.width == 1280 and shot.height >= 600
    assert not list(tmp_path.glob(".evidence-*")) and not list(tmp_path.glob(".report-*"))

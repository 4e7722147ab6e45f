"""The report's HTML opened offline in headless Chromium: the figures, the charts, accessibility, no network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cerdas.workspace import Workspace
from tests.browser import serious_axe_violations
from tests.report_support import month_of_listening
from tests.test_report import report

pytestmark = pytest.mark.slow


@pytest.fixture
def show(tmp_path: Path) -> Workspace:
    return month_of_listening(tmp_path / "show")


def test_the_html_opens_offline_in_chromium(show: Workspace, tmp_path: Path, browser: Any) -> None:
    result = report(show, "--month", "2026-10", "--format", "html", "--out", str(tmp_path), "--no-youtube")
    assert result.exit_code == 0, result.output
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((tmp_path / "laporan-2026-10.html").as_uri())
    assert page.locator("[data-figure=downloads]").inner_text() == "25"
    assert page.locator("[data-figure=youtube_views]").inner_text() == "1.500"
    charts = page.locator("figure.chart svg")
    assert charts.count() == 3
    assert all(charts.nth(i).bounding_box()["height"] > 50 for i in range(3))
    assert page.locator("tr[data-slug=gratifikasi] td").nth(1).inner_text() == "20"
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert not serious_axe_violations(page)
    page.close()

"""``cerdas doctor`` line of the reports area: whether the A4 PDF and the evidence screenshots can be made."""

from __future__ import annotations

from cerdas import doctor
from cerdas.doctor import Check
from cerdas.env import Environment
from cerdas.reports import browser
from cerdas.settings import Settings


@doctor.check(70)
def report_lines(settings: Settings | None, env: Environment) -> list[Check]:
    """The report's PDF and screenshots: Playwright (the ``report`` extra) and a Chromium. Optional: without
    them ``cerdas report`` writes HTML, XLSX and JSON, so a missing part is information, not a failure."""
    try:
        chromium = browser.check_browser(env)
    except browser.BrowserMissing as exc:
        return [Check("report pdf", None, f"not available: {exc}")]
    return [Check("report pdf", True, f"Playwright with {chromium}")]

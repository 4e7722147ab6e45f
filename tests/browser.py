"""Shared headless-Chromium helpers for site tests (feed/site pages, the search page).

Debian's ``/usr/bin/chromium`` driven by Playwright (never ``playwright install``), offline, with a fresh profile
per launch. Import the fixtures into a test module to use them::

    from tests.browser import console_errors, serious_axe_violations  # the fixtures come from conftest.py

    @pytest.mark.slow
    def test_page(browser: BrowserContext, served: Callable[[Path], str], tmp_path: Path) -> None:
        base = served(site_dir)                      # http://127.0.0.1:PORT/ serving site_dir with cerdas.serve
        page = browser.new_page()
        errors = console_errors(page)                # filled as the page logs errors
        page.goto(base + "episodes/x/")
        assert not errors
        assert not serious_axe_violations(page)

Browser tests are slow (a few seconds to start Chromium): mark them ``@pytest.mark.slow``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_available() -> bool:
    """Whether Debian's Chromium and the Playwright driver are installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).is_file()


@contextmanager
def launch_chromium(**context_options: Any) -> Iterator[Any]:
    """A Playwright ``BrowserContext`` on headless Chromium with a fresh, temporary user-data folder."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="cerdas-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **context_options
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(page: Any) -> list[str]:
    """A list that collects the page's console errors and uncaught exceptions from now on."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"exception: {exc}"))
    return errors


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core (bundled with axe-playwright-python, offline) on the page; violations of these impacts."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def serious_axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations, one readable line each (empty when the page passes)."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in axe_violations(page)
    ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module (start-up costs seconds); tests open their own pages."""
    if not chromium_available():
        pytest.skip("Chromium (/usr/bin/chromium) or Playwright is not installed")
    with launch_chromium() as context:
        yield context


@pytest.fixture
def served() -> Iterator[Callable[[Path], str]]:
    """``served(folder)`` serves ``folder`` over HTTP with :mod:`cerdas.serve` until the test ends; returns
    the base URL (``http://127.0.0.1:PORT/``)."""
    from cerdas.feed.serve import serving

    with ExitStack() as stack:

        def serve(folder: Path) -> str:
            return stack.enter_context(serving(folder))

        yield serve

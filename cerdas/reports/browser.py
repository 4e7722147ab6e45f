"""The one adapter around headless Chromium (driven by Playwright): the report's A4 PDF and the evidence pack's
screenshots of episode pages.

Both are the ``report`` extra (``pip install 'cerdas[report]'``: Playwright's Python package) plus a Chromium on
the machine (Debian: ``apt-get install chromium``; ``CERDAS_CHROMIUM`` names another). Playwright never downloads
a browser here: it drives the installed one with a fresh, temporary profile, offline. Without either part,
:class:`BrowserMissing` says in one line which is missing; the HTML, XLSX and JSON formats need neither.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.fsutil import atomic_path

_playwright: Any
try:
    _playwright = importlib.import_module("playwright.sync_api")
except ImportError:  # the report extra is not installed
    _playwright = None
PlaywrightError: type[Exception] = _playwright.Error if _playwright is not None else OSError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
A4_MARGIN = {"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}


class BrowserMissing(CerdasError):
    """The PDF or the screenshots need a part that is not installed."""


def find_chromium(env: Environment) -> str:
    """The Chromium to drive: ``CERDAS_CHROMIUM``, else the first of :data:`CANDIDATES` on the PATH."""
    if env.chromium:
        if not Path(env.chromium).is_file():
            raise BrowserMissing("CERDAS_CHROMIUM names no file", env.chromium)
        return env.chromium
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing(
        "the PDF and screenshots need Chromium, which is not installed (Debian: apt-get install chromium, "
        "or set CERDAS_CHROMIUM)"
    )


def check_browser(env: Environment) -> str:
    """Both parts, or :class:`BrowserMissing` naming the one that is missing; returns Chromium's path."""
    if _playwright is None:
        raise BrowserMissing(
            "the PDF and screenshots need the 'report' extra (Playwright): pip install 'cerdas[report]'"
        )
    return find_chromium(env)


class Browser:
    """One running Chromium: print pages to PDF, take screenshots."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def pdf(self, page_file: Path, target: Path) -> Path:
        """Print a local HTML file on A4 (backgrounds kept) to ``target``, atomically."""
        page = self._context.new_page()
        try:
            page.goto(page_file.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            with atomic_path(target) as tmp:
                page.pdf(path=str(tmp), format="A4", print_background=True, margin=A4_MARGIN, prefer_css_page_size=True)
        except PlaywrightError as exc:
            raise CerdasError(f"Chromium could not print the report ({_first_line(exc)})", target) from None
        finally:
            page.close()
        return target

    def screenshot(self, url: str, target: Path, width: int = 1280) -> Path:
        """The whole page at ``url`` as PNG (``width`` CSS pixels wide), atomically."""
        page = self._context.new_page()
        try:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(url, wait_until="load")
            if response is not None and response.status >= 400:
                raise CerdasError(f"the page answered {response.status}", url)
            with atomic_path(target) as tmp:
                page.screenshot(path=str(tmp), full_page=True)
        except PlaywrightError as exc:
            raise CerdasError(f"Chromium could not open the page ({_first_line(exc)})", url) from None
        finally:
            page.close()
        return target


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0][:200]


@contextmanager
def browser(env: Environment) -> Iterator[Browser]:
    """Start headless Chromium with a fresh temporary profile; stopped and removed on leaving."""
    executable = check_browser(env)
    profile = tempfile.mkdtemp(prefix="cerdas-report-chromium-")
    try:
        with _playwright.sync_playwright() as pw:
            try:
                context = pw.chromium.launch_persistent_context(
                    profile, executable_path=executable, headless=True, args=ARGS
                )
            except PlaywrightError as exc:
                raise CerdasError(f"Chromium did not start ({_first_line(exc)})", executable) from None
            try:
                yield Browser(context)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)

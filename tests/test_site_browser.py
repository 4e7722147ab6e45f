"""The site in headless Chromium, over ``cerdas serve``: an episode published through the real pipeline, its
page free of console errors and serious accessibility violations, timestamps and ``#t=`` seeking the player."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cerdas.cli.main import cli
from cerdas.transcribe.formats import Segment
from cerdas.workspace import Workspace
from tests.browser import console_errors, serious_axe_violations
from tests.feed_support import disable_whisper, write_transcript
from tests.media import uneven_speech

pytestmark = pytest.mark.slow

SLUG = "gratifikasi-script-alert-1-script"
SEGMENTS = [
    Segment(0.0, 3.5, "Selamat datang di Podcast Cerdas.", "Pembawa acara"),
    Segment(4.0, 9.0, "Hari ini kita membahas gratifikasi.", "Tamu"),
    Segment(12.0, 18.0, "Gratifikasi wajib dilaporkan dalam tiga puluh hari kerja.", "Pembawa acara"),
    Segment(20.0, 26.0, "Pelaporan bisa dilakukan secara daring.", "Tamu"),
    Segment(30.0, 34.0, "Terima kasih, sampai jumpa.", "Pembawa acara"),
]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """One episode through the real pipeline (36 s of generated speech-like audio), with a transcript."""
    from cerdas.workspace import init_workspace

    tmp = tmp_path_factory.mktemp("site")
    ws = init_workspace(tmp / "show", "Podcast Uji", "Podcast untuk pengujian.", "Inspektorat Uji", "uji@example.go.id")
    disable_whisper(ws)
    write_transcript(ws, SLUG, SEGMENTS)
    source = uneven_speech(tmp / "rekaman.wav", seconds=36)
    chapters = tmp / "bab.txt"
    chapters.write_text("00:00 Pembuka\n00:12 Cara melapor\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "-w",
            str(ws.root),
            "publish",
            str(source),
            "--title",
            "Gratifikasi <script>alert(1)</script>",
            "--guest",
            "Budi",
            "--chapters",
            str(chapters),
            "--description",
            "Catatan <b>penting</b>.",
            "--no-youtube",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert (ws.feed_dir / "episodes" / SLUG / "index.html").is_file()
    return ws


def _open(context: Any, url: str) -> tuple[Any, list[str], list[str]]:
    page = context.new_page()
    errors = console_errors(page)
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(url, wait_until="load")
    page.wait_for_function("document.getElementById('pemutar').readyState >= 1", timeout=10_000)
    return page, errors, dialogs


def _current_time(page: Any) -> float:
    return float(page.evaluate("document.getElementById('pemutar').currentTime"))


def test_episode_page_loads_clean_and_accessible(
    published: Workspace,
    browser: Any,
    served: Callable[[Path], str],
) -> None:
    base = served(published.feed_dir)
    page, errors, dialogs = _open(browser, f"{base}episodes/{SLUG}/")
    assert page.title().startswith("Gratifikasi <script>alert(1)</script>")
    assert page.locator("h1").inner_text() == "Gratifikasi <script>alert(1)</script>"
    assert page.locator("section.transcript section.para").count() == 5
    duration = page.evaluate("document.getElementById('pemutar').duration")
    assert 35 < duration < 37
    assert page.locator(".player-tools").is_visible()  # the script ran and showed the controls
    assert serious_axe_violations(page) == []
    assert errors == [] and dialogs == []
    page.close()


def test_clicking_a_timestamp_seeks_the_player(
    published: Workspace,
    browser: Any,
    served: Callable[[Path], str],
) -> None:
    base = served(published.feed_dir)
    page, errors, _ = _open(browser, f"{base}episodes/{SLUG}/")
    assert _current_time(page) == 0
    page.locator("section.transcript a[data-t='20']").click()
    page.wait_for_function("Math.abs(document.getElementById('pemutar').currentTime - 20) < 1.5", timeout=10_000)
    assert page.url.endswith("#t=20")
    assert page.locator("section.para.is-current h3").get_attribute("id") == "t=20"
    page.locator("nav.chapters a[data-t='12']").click()
    page.wait_for_function("Math.abs(document.getElementById('pemutar').currentTime - 12) < 1.5", timeout=10_000)
    page.evaluate("document.getElementById('pemutar').pause()")
    page.locator("button[data-skip='-15']").click()
    page.wait_for_function("document.getElementById('pemutar').currentTime < 1", timeout=10_000)
    assert errors == []
    page.close()


def test_hash_opens_the_player_at_that_moment(
    published: Workspace,
    browser: Any,
    served: Callable[[Path], str],
) -> None:
    base = served(published.feed_dir)
    page, errors, _ = _open(browser, f"{base}episodes/{SLUG}/#t=30")
    page.wait_for_function("Math.abs(document.getElementById('pemutar').currentTime - 30) < 0.5", timeout=10_000)
    assert page.evaluate("document.getElementById('pemutar').paused")  # opened there, not playing uninvited
    page.evaluate("location.hash = '#t=4'")
    page.wait_for_function("Math.abs(document.getElementById('pemutar').currentTime - 4) < 0.5", timeout=10_000)
    assert errors == []
    page.close()


def test_show_page_is_clean_accessible_and_fits_a_phone(
    published: Workspace,
    browser: Any,
    served: Callable[[Path], str],
) -> None:
    base = served(published.feed_dir)
    page = browser.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    errors = console_errors(page)
    page.goto(base, wait_until="load")
    assert page.locator("h1").inner_text() == "Podcast Uji"
    assert page.locator("ol.episode-list a").get_attribute("href") == f"episodes/{SLUG}/"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_axe_violations(page) == []
    page.goto(f"{base}episodes/{SLUG}/", wait_until="load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []
    page.close()


def test_the_accessibility_check_does_catch_violations(
    browser: Any,
    served: Callable[[Path], str],
    tmp_path: Path,
) -> None:
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><title>x</title></head><body><img src="a.png">'
        '<button></button><input type="text"></body></html>',
        encoding="utf-8",
    )
    page = browser.new_page()
    page.goto(served(tmp_path))
    found = " ".join(serious_axe_violations(page))
    assert "image-alt" in found and "button-name" in found and "label" in found
    page.close()


LONG = [  # one speaker for 5 minutes: paragraphs of about 45 s, a caption every 6 s
    Segment(i * 6.0, i * 6.0 + 5.5, f"Kalimat nomor {i} tentang pelayanan publik yang bersih.", "Tamu")
    for i in range(50)
]


@pytest.fixture(scope="module")
def long_episode(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """An episode with a five-minute transcript (no pipeline: episode.toml, a real 5-minute MP3, the JSON)."""
    from cerdas.feed.build import build_site
    from cerdas.workspace import init_workspace
    from tests.feed_support import make_episode, tiny_mp3

    tmp = tmp_path_factory.mktemp("panjang")
    ws = init_workspace(tmp / "show", "Podcast Uji", "Podcast untuk pengujian.", "Inspektorat Uji", "uji@example.go.id")
    audio = tiny_mp3(tmp / "panjang.mp3", seconds=300)
    make_episode(ws, "panjang", "Wawancara Panjang", number=1, audio=audio, duration=300, pub_date="2025-01-01")
    write_transcript(ws, "panjang", LONG)
    build_site(ws, ws.settings())
    return ws


def _visible_below_player(page: Any, selector: str) -> dict[str, float]:
    return dict(
        page.evaluate(
            """(selector) => {
                const target = document.querySelector(selector).getClientRects()[0];
                const player = document.querySelector('.player').getBoundingClientRect();
                return {top: target.top, bottom: target.bottom, player: player.bottom, height: innerHeight};
            }""",
            selector,
        )
    )


def test_on_a_phone_the_moment_opened_is_visible_below_a_compact_player(
    long_episode: Workspace, browser: Any, served: Callable[[Path], str]
) -> None:
    base = served(long_episode.feed_dir)
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    errors = console_errors(page)
    # a caption in the middle of a paragraph (the paragraph starts earlier), and a paragraph's own start
    for seconds, selector in ((204, "#t\\=204"), (0, "h3#t\\=0")):
        page.goto(f"{base}episodes/panjang/#t={seconds}", wait_until="load")
        page.wait_for_function(
            f"Math.abs(document.getElementById('pemutar').currentTime - {seconds}) < 0.5", timeout=10_000
        )
        settled = """(selector) => {
            const box = document.querySelector(selector).getClientRects()[0];
            const below = document.querySelector('.player').getBoundingClientRect().bottom - 1;
            return box.top >= below && box.bottom <= innerHeight;
        }"""
        with contextlib.suppress(Exception):  # a hash change scrolls smoothly: wait for it to arrive
            page.wait_for_function(settled, arg=selector, timeout=3_000)
        box = _visible_below_player(page, selector)
        assert box["player"] <= 120, box  # one row: the player hides little of the screen
        assert box["player"] - 1 <= box["top"] and box["bottom"] <= box["height"], (seconds, box)
    assert page.locator(".player-tools").is_hidden()  # folded away on a phone, one tap away
    page.locator(".tools-toggle").click()
    assert page.locator(".player-tools").is_visible()
    assert page.locator(".tools-toggle").get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_axe_violations(page) == []
    assert errors == []
    page.close()

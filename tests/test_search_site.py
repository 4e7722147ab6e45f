"""The site's search page: Pagefind over the episode pages (Indonesian stemming), results linking to moments,
tested in headless Chromium on a site built by the real site builder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cerdas.errors import CerdasError
from cerdas.feed.build import build_site
from cerdas.feed.searchpage import DIGEST_FILE, Pagefind, build_search_page
from cerdas.transcribe.formats import Segment
from cerdas.workspace import Workspace
from tests.browser import console_errors, serious_axe_violations
from tests.feed_support import make_episode, tiny_mp3, write_transcript

SATU = [
    Segment(0.0, 5.0, "Selamat datang di Podcast Cerdas.", "Pembawa acara"),
    Segment(12.0, 17.0, "Pegawai yang berkorupsi harus dilaporkan ke inspektorat.", "Tamu"),
    Segment(20.0, 25.0, "Terima kasih sudah mendengarkan.", "Pembawa acara"),
]
DUA = [
    Segment(0.0, 5.0, "Hari ini kita bicara pelayanan publik.", "Pembawa acara"),
    Segment(8.0, 14.0, "Wilayah bebas korupsi dimulai dari pelayanan yang bersih.", "Tamu"),
]


@pytest.fixture
def site(workspace: Workspace, tmp_path: Path) -> Path:
    """Two published episodes with known transcripts, built into ``feed/`` by the site builder."""
    audio = tiny_mp3(tmp_path / "audio.mp3", seconds=30)
    make_episode(
        workspace,
        "satu",
        "Episode Satu: Pelaporan",
        number=1,
        audio=audio,
        duration=30,
        pub_date="2025-01-01T00:00:00+00:00",
    )
    write_transcript(workspace, "satu", SATU)
    make_episode(
        workspace,
        "dua",
        "Episode Dua: Pelayanan",
        number=2,
        audio=audio,
        duration=30,
        pub_date="2025-02-01T00:00:00+00:00",
    )
    write_transcript(workspace, "dua", DUA)
    build_site(workspace, workspace.settings())
    return workspace.feed_dir


def test_search_page_and_indonesian_index_are_written(site: Path) -> None:
    page = (site / "search" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="id">' in page
    assert '<label for="q">' in page and 'role="search"' in page and 'role="status"' in page
    assert '<script type="module" src="search.js">' in page
    assert "http" not in page.split("<body>")[1].split("<footer")[0]  # nothing from a CDN
    entry = json.loads((site / "search" / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["id"]
    assert entry["languages"]["id"]["page_count"] == 2  # the two episode pages, not the show or search page


def test_an_unchanged_site_keeps_its_search_index(site: Path, workspace: Workspace) -> None:
    bundle = site / "search" / "pagefind"
    entry = bundle / "pagefind-entry.json"
    built, digest = entry.stat().st_mtime_ns, (bundle / DIGEST_FILE).read_text(encoding="ascii")
    build_site(workspace, workspace.settings())  # nothing changed: the index is carried over, not rebuilt
    assert entry.stat().st_mtime_ns == built and (bundle / DIGEST_FILE).read_text(encoding="ascii") == digest
    write_transcript(workspace, "dua", [*DUA, Segment(20.0, 25.0, "Akuntabilitas itu penting.", "Tamu")])
    build_site(workspace, workspace.settings())
    assert (bundle / DIGEST_FILE).read_text(encoding="ascii") != digest
    assert entry.stat().st_mtime_ns != built


def test_a_site_without_episodes_gets_the_page_only(tmp_path: Path, workspace: Workspace) -> None:
    build_search_page(tmp_path, workspace.settings())
    assert (tmp_path / "search" / "index.html").is_file() and (tmp_path / "search" / "search.js").is_file()
    assert not (tmp_path / "search" / "pagefind").exists()


def test_pagefind_failure_is_one_clear_error(tmp_path: Path, workspace: Workspace) -> None:
    (tmp_path / "episodes" / "x").mkdir(parents=True)
    (tmp_path / "episodes" / "x" / "index.html").write_text("<html><body><main data-pagefind-body>x</main>")
    false = Path("/bin/false")
    with pytest.raises(CerdasError, match="Pagefind failed to index the site"):
        build_search_page(tmp_path, workspace.settings(), Pagefind(false))


def _results(page: Any, query: str) -> list[str]:
    page.fill("#q", query)
    page.wait_for_function(f"document.getElementById('cari-status').textContent.includes('“{query}”')")
    return [a.get_attribute("href") for a in page.query_selector_all("#hasil a")]


@pytest.mark.slow
def test_typing_a_word_finds_its_episode_and_the_result_opens_the_moment(
    site: Path, browser: Any, served: Callable[[Path], str]
) -> None:
    base = served(site)
    page = browser.new_page()
    errors = console_errors(page)
    page.goto(base + "search/")
    assert serious_axe_violations(page) == []

    links = _results(page, "inspektorat")  # said only in episode one, at 00:00:12
    assert links == ["/episodes/satu/", "/episodes/satu/#t=12"]
    moment = page.query_selector("#hasil .moments a")
    assert "00:00:12" in moment.inner_text() and "inspektorat" in moment.inner_text()
    assert moment.query_selector("mark").inner_text().rstrip(".") == "inspektorat"  # Pagefind marks the word
    assert serious_axe_violations(page) == []  # with results on the page too

    # Indonesian stemming: "korupsi" also finds "berkorupsi" (episode one) beside "korupsi" (episode two)
    assert set(_results(page, "korupsi")) == {
        "/episodes/satu/",
        "/episodes/satu/#t=12",
        "/episodes/dua/",
        "/episodes/dua/#t=8",
    }
    assert _results(page, "tidakadakatainiwkwk") == []
    assert "Tidak ada episode" in page.inner_text("#cari-status")

    _results(page, "inspektorat")
    page.click("#hasil .moments a")
    page.wait_for_url("**/episodes/satu/#t=12")
    page.wait_for_function("document.getElementById('pemutar').currentTime >= 11.9")
    assert page.evaluate("document.getElementById('pemutar').currentTime") == pytest.approx(12, abs=0.5)

    # a search can be linked to: ?q= runs it on load
    page.goto(base + "search/?q=pelayanan")
    page.wait_for_function("document.getElementById('cari-status').textContent.includes('“pelayanan”')")
    assert page.input_value("#q") == "pelayanan"
    assert page.query_selector_all("#hasil > li")[0].inner_text().startswith("Episode Dua")
    assert errors == []


@pytest.mark.slow
def test_search_page_without_episodes_says_so(
    tmp_path: Path,
    workspace: Workspace,
    browser: Any,
    served: Callable[[Path], str],
) -> None:
    build_search_page(tmp_path, workspace.settings())
    (tmp_path / "assets").mkdir()
    page = browser.new_page()
    page.goto(served(tmp_path) + "search/?q=korupsi")
    page.wait_for_function("document.getElementById('cari-status').textContent.includes('belum ada episode')")


@pytest.mark.slow
def test_a_result_lands_on_the_caption_not_the_paragraph(
    workspace: Workspace, tmp_path: Path, browser: Any, served: Callable[[Path], str]
) -> None:
    """One speaker talking for 40 s is one paragraph; the word said at 24 s opens the page at 24 s."""
    audio = tiny_mp3(tmp_path / "audio.mp3", seconds=45)
    make_episode(workspace, "tiga", "Episode Tiga", number=3, audio=audio, duration=45, pub_date="2025-03-01")
    lines = [Segment(i * 6.0, i * 6.0 + 5.5, f"Kalimat biasa nomor {i} tentang layanan.", "Tamu") for i in range(7)]
    lines[4] = Segment(24.0, 29.5, "Di sini kami menyebut akuntabilitas dengan jelas.", "Tamu")
    write_transcript(workspace, "tiga", lines)
    build_site(workspace, workspace.settings())
    page_html = (workspace.feed_dir / "episodes" / "tiga" / "index.html").read_text(encoding="utf-8")
    assert page_html.count('class="para"') == 1 and 'id="t=24"' in page_html  # one paragraph, an anchor per caption
    page = browser.new_page()
    page.goto(served(workspace.feed_dir) + "search/")
    links = _results(page, "akuntabilitas")
    assert "/episodes/tiga/#t=24" in links, links
    moment = page.query_selector("#hasil .moments a")
    assert "00:00:24" in moment.inner_text() and moment.query_selector("mark").inner_text() == "akuntabilitas"
    moment.click()
    page.wait_for_url("**/episodes/tiga/#t=24")
    page.wait_for_function("Math.abs(document.getElementById('pemutar').currentTime - 24) < 0.5")
    page.close()

"""The studio end to end in headless Chromium: upload a generated interview (real Whisper, the YouTube emulator),
watch the job, correct the transcript and name a speaker, save, and find the correction in the VTT, on the public
episode page, in ``cerdas search`` and in the emulator's caption track; a second tab's stale save is refused;
chapters added at the playhead reach the ID3 tags; no console errors; axe-core clean; a tablet fits."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3

from cerdas.cli.main import cli
from cerdas.devtools.emulator.server import Emulator
from cerdas.workspace import Workspace, init_workspace
from tests.browser import console_errors, serious_axe_violations
from tests.studio_support import StudioProcess, running_studio
from tests.transcribe_support import spoken_clip
from tests.workspace_support import set_keys
from tests.youtube_support import configure, environment

pytestmark = pytest.mark.slow

TITLE = "Gratifikasi <script>alert(1)</script>"
CORRECTED = "Selamat datang di Podcast Cerdas, cerita integritas dari Balikpapan tentang WBBM."


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(tmp_path_factory.mktemp("emulator")) as emu:
        yield emu


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = init_workspace(tmp_path_factory.mktemp("studio-e2e") / "show", "Podcast Uji", "Uji.", "Inspektorat", "u@x.id")
    configure(ws)
    set_keys(ws, "whisper", enabled=True, vocabulary=["Balikpapan", "WBBM", "Gratifikasi"])
    set_keys(ws, "show", hosts=["Rina Wulandari"])
    return ws


@pytest.fixture(scope="module")
def studio(show: Workspace, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudioProcess]:
    home = tmp_path_factory.mktemp("home")
    env = environment(emulator, home / "token.json")
    emulator.write_token(env.youtube_token)
    variables = {
        "CERDAS_YOUTUBE_ENDPOINT": env.youtube_endpoint,
        "CERDAS_YOUTUBE_TOKEN": str(env.youtube_token),
        "CERDAS_YOUTUBE_BACKOFF": env.youtube_backoff,
        "CERDAS_YOUTUBE_TIMEOUT": env.youtube_timeout,
    }
    with running_studio(show, home, env=variables) as running:
        yield running


def _page(browser: Any, url: str, **viewport: int) -> tuple[Any, list[str]]:
    page = browser.new_page()
    if viewport:
        page.set_viewport_size(viewport)
    errors = console_errors(page)
    page.on("dialog", lambda dialog: _dialog(dialog, errors))
    page.goto(url, wait_until="load")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    return page, errors


def _dialog(dialog: Any, errors: list[str]) -> None:
    if dialog.type == "beforeunload":  # "leave with unsaved changes?": the test means to leave
        dialog.accept()
        return
    errors.append(f"dialog: {dialog.message}")  # an alert() would be an injected script
    dialog.dismiss()


def wait_js(page: Any, expression: str, timeout: float = 20_000) -> None:
    """Poll ``expression`` until true. The studio's CSP forbids eval, which Playwright's wait_for_function needs;
    evaluate() goes through the DevTools protocol instead."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:.0f} s: {expression}")
        time.sleep(0.1)


def _job_done(page: Any) -> None:
    wait_js(
        page, "['done','failed','interrupted'].includes(document.getElementById('job').dataset.status)", timeout=240_000
    )
    assert page.locator("#job").get_attribute("data-status") == "done", page.locator("#job-error").inner_text()


@pytest.fixture(scope="module")
def published(studio: StudioProcess, browser: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The producer's first episode, uploaded through the new-episode form."""
    clip = tmp_path_factory.mktemp("clip") / "wawancara.wav"
    spoken_clip(clip)
    page, errors = _page(browser, studio.url + "episodes/new")
    assert serious_axe_violations(page) == []
    page.set_input_files("#rekaman", str(clip))
    page.fill("#judul", TITLE)
    page.fill("#tamu", "Budi Santoso")
    assert page.locator("input[name=youtube]").is_checked()
    page.click("button[type=submit]")
    page.wait_for_url("**/jobs/*", timeout=60_000)
    _job_done(page)
    assert page.locator("[data-stage='transcribe']").get_attribute("class") == "stage stage-ran"
    assert page.locator("[data-stage='youtube'] .stage-status").inner_text() == "selesai"
    assert serious_axe_violations(page) == []
    assert not page.locator("#job-retry").is_visible()  # a finished job has nothing to run again
    slug = str(page.locator("#job-episode").get_attribute("href")).split("/")[2]
    assert errors == []
    page.close()
    return slug


def test_the_episode_list_shows_states_and_the_title_as_text(
    studio: StudioProcess, browser: Any, published: str
) -> None:
    page, errors = _page(browser, studio.url)
    row = page.locator(f"tr[data-slug='{published}']")
    assert row.locator("th.title").inner_text().startswith(TITLE)
    assert row.locator(".badge").nth(0).inner_text() == "Terbit"
    assert row.locator(".badge").nth(1).inner_text() == "Otomatis, belum dikoreksi"
    assert row.locator(".badge").nth(2).inner_text() == "Diunggah"
    assert serious_axe_violations(page) == []
    page.click("a[hreflang='en']")
    page.wait_for_selector("html[lang='en']")
    assert page.locator(f"tr[data-slug='{published}'] .badge").nth(0).inner_text() == "Published"
    page.click("a[hreflang='id']")
    page.wait_for_selector("html[lang='id']")
    assert errors == []
    page.close()


def test_correcting_the_transcript_reaches_vtt_page_search_and_youtube(
    studio: StudioProcess,
    browser: Any,
    published: str,
    show: Workspace,
    emulator: Emulator,
    served: Callable[[Path], str],
) -> None:
    editor = f"{studio.url}episodes/{published}/transcript"
    words = studio.client().get(f"/api/episodes/{published}/transcript").json()  # Whisper's words, for the editor
    assert words["words"] and all(len(w) == 4 and w[0] <= w[1] and 0 <= w[3] <= 1 for w in words["words"])
    page, errors = _page(browser, editor)
    other, other_errors = _page(browser, editor)  # a second tab on the same episode
    assert page.locator(".cue").count() >= 2
    assert serious_axe_violations(page) == []
    first = page.locator(".cue").nth(0)
    first.locator("textarea").fill(CORRECTED)
    first.locator("input.cue-speaker").fill("Budi Santoso")
    page.keyboard.press("Control+s")
    wait_js(page, "document.getElementById('status-editor').textContent.includes('Selesai')", timeout=120_000)
    vtt = show.transcript(published, "vtt").read_text(encoding="utf-8")
    assert f"<v Budi Santoso>{CORRECTED}" in vtt
    base = served(show.feed_dir)
    public = browser.new_page()
    public.goto(f"{base}episodes/{published}/")
    assert CORRECTED in public.locator("section.transcript").inner_text()
    public.close()
    found = CliRunner().invoke(cli, ["-w", str(show.root), "search", "WBBM", "--json"], catch_exceptions=False)
    hits = [json.loads(line) for line in found.stdout.splitlines() if line.strip()]
    assert any(h["episode"] == published and "WBBM" in h["text"] and h["speaker"] == "Budi Santoso" for h in hits)
    bodies = [body.decode("utf-8") for body in emulator.state.caption_bodies.values()]
    assert any(CORRECTED in body for body in bodies)  # captions replaced on YouTube

    other.locator(".cue").nth(1).locator("textarea").fill("Suntingan dari tab lain.")
    other.click("#simpan")
    wait_js(other, "document.getElementById('status-editor').textContent.includes('tempat lain')")
    assert CORRECTED in show.transcript(published, "vtt").read_text(encoding="utf-8")  # nothing overwritten
    other.reload(wait_until="load")
    other.wait_for_selector("#draf:not([hidden])")  # the unsaved edit survived the reload, offered back
    refused = "console: Failed to load resource: the server responded with a status of 409 (Conflict)"
    assert errors == [] and other_errors == [refused]  # Chromium logs the refused save itself, nothing else
    page.close()
    other.close()


def test_editor_tools_split_merge_replace_and_tablet_layout(
    studio: StudioProcess, browser: Any, published: str
) -> None:
    page, errors = _page(browser, f"{studio.url}episodes/{published}/transcript", width=768, height=1024)
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    count = page.locator(".cue").count()
    text = page.locator(".cue textarea").nth(0)
    text.click()
    text.evaluate("el => el.setSelectionRange(8, 8)")
    page.keyboard.press("Alt+s")
    assert page.locator(".cue").count() == count + 1
    assert page.locator(".cue textarea").nth(1).input_value().startswith("datang")
    page.locator(".cue textarea").nth(0).click()
    page.keyboard.press("Alt+m")
    assert page.locator(".cue").count() == count
    page.fill("#cari", "WBBM")
    page.fill("#ganti", "Wilayah Birokrasi Bersih dan Melayani")
    page.click("#ganti-semua")
    assert page.locator("#status-editor").inner_text() == "1 penggantian."
    assert "Birokrasi Bersih" in page.locator(".cue textarea").nth(0).input_value()
    page.locator(".cue-time").nth(1).click()
    wait_js(page, "!document.getElementById('pemutar').paused")
    page.keyboard.press("Escape")
    assert page.evaluate("document.getElementById('pemutar').paused")
    wait_js(page, "document.querySelectorAll('.cue.now').length === 1")  # the cue heard is highlighted
    assert serious_axe_violations(page) == []
    page.evaluate("localStorage.clear()")
    assert errors == []
    page.close()


def test_chapters_added_at_the_playhead_reach_the_id3_tags(
    studio: StudioProcess, browser: Any, published: str, show: Workspace
) -> None:
    page, errors = _page(browser, f"{studio.url}episodes/{published}/chapters")
    wait_js(page, "document.getElementById('pemutar').readyState >= 1")
    page.click("#bab-tambah")  # at 0:00
    page.locator(".chapter input[id^='bab-judul']").nth(0).fill("Pembuka")
    page.evaluate("document.getElementById('pemutar').currentTime = 6")
    wait_js(page, "Math.abs(document.getElementById('pemutar').currentTime - 6) < 0.2")
    page.click("#bab-tambah")
    page.locator(".chapter input[id^='bab-judul']").nth(1).fill("Tentang <gratifikasi>")
    assert serious_axe_violations(page) == []
    page.click("#bab-simpan")
    wait_js(page, "document.getElementById('status-bab').textContent.includes('Selesai')", timeout=120_000)
    chapters = sorted(
        (frame.start_time, frame.sub_frames["TIT2"].text[0])
        for frame in ID3(show.published_audio(published)).getall("CHAP")
    )
    assert chapters == [(0, "Pembuka"), (6000, "Tentang <gratifikasi>")]
    assert errors == []
    page.close()

"""The studio's parts without a server: both languages complete (and every message the scripts ask for), cue
checks, saving a transcript with a version check, jobs that a stopped studio left running, upload names."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from cerdas.errors import CerdasError, VersionConflict, WorkspaceError
from cerdas.revise import check_cues, read_transcript, save_transcript, transcript_version
from cerdas.studio.i18n import MESSAGES, language_for, script_messages, translator
from cerdas.studio.jobs import JobStore
from cerdas.studio.state import is_loopback
from cerdas.studio.uploads import display_name, safe_suffix
from cerdas.transcribe.formats import Segment, load_vtt
from cerdas.workspace import Workspace
from tests.feed_support import make_episode


def test_both_languages_have_every_message_and_the_scripts_ask_for_known_ones() -> None:
    for key, (indonesian, english) in MESSAGES.items():
        assert indonesian.strip() and english.strip(), key
        assert set(re.findall(r"{(\w+)}", indonesian)) == set(re.findall(r"{(\w+)}", english)), key
    static = files("cerdas.studio").joinpath("static")
    asked = set()
    for name in ("common.js", "editor.js", "chapters.js", "job.js", "episode_form.js"):
        asked |= set(re.findall(r'S\.t\("([\w.]+)"', static.joinpath(name).read_text(encoding="utf-8")))
        asked |= set(re.findall(r'\bt\("([\w.]+)"', static.joinpath(name).read_text(encoding="utf-8")))
    asked = {a for a in asked if not a.endswith(".")}
    assert asked <= set(script_messages("id")), asked - set(script_messages("id"))
    templates = files("cerdas.studio").joinpath("templates")
    used = set()
    for entry in templates.iterdir():
        used |= set(re.findall(r"t\('([\w.]+)'\)", entry.read_text(encoding="utf-8")))
    assert used <= set(MESSAGES), used - set(MESSAGES)
    assert translator("id")("js.replaced", n=3) == "3 penggantian." and translator("en")("js.replaced", n=1)


def test_the_interface_speaks_the_show_language_or_english() -> None:
    assert language_for("id", None) == "id" and language_for("id-ID", None) == "id"
    assert language_for("jv", None) == "en" and language_for("id", "en") == "en" and language_for("en", "xx") == "en"


def test_cues_are_checked_sorted_and_emptied_ones_dropped() -> None:
    cues = [Segment(5, 6, "  dua\x07  ", "Budi\x1b "), Segment(0, 2, "satu\n\nbaris"), Segment(3, 4, "   ")]
    assert check_cues(cues) == [Segment(0, 2, "satu\nbaris"), Segment(5, 6, "dua", "Budi")]  # control chars gone
    for bad, message in [
        (Segment(2, 1, "x"), "end after the start"),
        (Segment(0, 1, "a --> b"), "must not contain '-->'"),
        (Segment(0, 1, "x", "N" * 101), "too long"),
        (Segment(0, 1, "x" * 1001), "the limit is 1000"),
    ]:
        with pytest.raises(CerdasError, match=re.escape(message)):
            check_cues([bad])
    with pytest.raises(CerdasError, match="after the end of the episode"):
        check_cues([Segment(500, 501, "x")], duration=95)


def test_saving_needs_the_version_it_was_made_on(workspace: Workspace) -> None:
    make_episode(workspace, "uji", "Uji")
    vtt = workspace.transcript("uji", "vtt")
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nhalo semua\n", encoding="utf-8")
    cues, version = read_transcript(workspace, "uji")
    cues = [Segment(c.start, c.end, "Halo semua <b>&</b>", "Rina <Ketua>") for c in cues]
    new = save_transcript(workspace, "uji", cues, version)
    assert new == transcript_version(workspace, "uji") != version
    assert "<v Rina &lt;Ketua&gt;>Halo semua &lt;b&gt;&amp;&lt;/b&gt;" in vtt.read_text(encoding="utf-8")
    assert load_vtt(vtt) == [Segment(0.0, 2.0, "Halo semua <b>&</b>", "Rina <Ketua>")]
    before = vtt.read_bytes()
    with pytest.raises(VersionConflict, match="changed elsewhere"):
        save_transcript(workspace, "uji", cues, version)
    with pytest.raises(CerdasError, match="empty"):
        save_transcript(workspace, "uji", [Segment(0, 1, " ")], new)
    assert vtt.read_bytes() == before
    assert not [p for p in vtt.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_jobs_a_stopped_studio_left_running_are_interrupted(workspace: Workspace) -> None:
    store = JobStore(workspace)
    running = store.new("publish", "Publish: x", {"source": "recordings/a.wav"})
    store.update(running, status="running")
    store.edit(running, lambda j: setattr(j, "stage", "loudness"), force_save=True)
    done = store.new("transcript", "Transcript: y", {"slug": "y"})
    store.update(done, status="done")
    again = JobStore(workspace)
    jobs = {j.id: j for j in again.load()}
    assert jobs[running.id].status == "interrupted" and jobs[running.id].error
    assert jobs[done.id].status == "done"
    assert "params" not in jobs[running.id].public() and jobs[running.id].public()["can_retry"]


def test_upload_names_never_come_from_the_browser(workspace: Workspace) -> None:
    assert safe_suffix("../../etc/passwd") == "" and safe_suffix("rekaman.WAV") == ".wav"
    assert safe_suffix("a.wav/../../x") == "" and safe_suffix("x.tar;rm -rf") == ""
    assert display_name("C:\\Users\\rina\\rekaman\x07.wav") == "rekaman.wav"
    for name in ("../x", "a/b", ".hidden", ""):
        with pytest.raises(WorkspaceError):
            workspace.recording(name)
    assert workspace.recording("20261130-a.wav") == workspace.root / "recordings" / "20261130-a.wav"


def test_loopback_addresses() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.5", "studio.kantor", ""]))


def test_the_readme_screenshot_is_a_real_png() -> None:
    shot = Path(__file__).resolve().parent.parent / "docs" / "studio-editor.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

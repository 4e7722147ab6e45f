"""A full disk while writing: the workspace lives on a small real tmpfs that is filled up, so every write path
(ffmpeg's encoder, the tag stage's copy, the journal) meets a genuine ENOSPC from the kernel.

Mounting needs root (CI runs as root); elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cerdas.cli.main import cli
from cerdas.episode import list_episodes, save_episode
from cerdas.errors import CerdasError
from cerdas.workspace import Workspace, init_workspace
from tests.audio_support import leftovers, no_whisper, snapshot
from tests.media import uneven_speech
from tests.workspace_support import set_keys


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 12 MiB tmpfs mounted for this test."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("mounting a small tmpfs needs root")
    point = tmp_path / "disk"
    point.mkdir()
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=12m,mode=0755", "tmpfs", str(point)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


@contextlib.contextmanager
def nearly_full(disk: Path, leave: int) -> Iterator[None]:
    """Fill ``disk`` until only ``leave`` bytes are free; free it again afterwards."""
    filler = disk / "filler.bin"
    stat = os.statvfs(disk)
    size = max(0, stat.f_bavail * stat.f_frsize - leave)
    with open(filler, "wb") as fh:
        fh.truncate(0)
        block = bytes(1 << 16)
        while size > 0:
            fh.write(block[: min(size, len(block))])
            size -= min(size, len(block))
    try:
        yield
    finally:
        filler.unlink()


@pytest.fixture
def show_on_small_disk(small_disk: Path, tmp_path: Path) -> tuple[Workspace, Callable[..., Result], Path]:
    ws = no_whisper(init_workspace(small_disk / "show", "Podcast Uji", "Uji.", "Inspektorat Uji", "uji@example.go.id"))
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=20)  # on the ordinary disk, as a producer's would be

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, ["-w", str(ws.root), *args], catch_exceptions=False)

    assert run("publish", str(source), "--title", "Episode Satu", "--no-youtube").exit_code == 0
    return ws, run, source


def _free(disk: Path) -> int:
    stat = os.statvfs(disk)
    return stat.f_bavail * stat.f_frsize


def _error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error:") and sum(line.startswith("Error:") for line in lines) == 1, result.stderr
    return lines[-1]


LEVELLED_BYTES = 20 * 44100 * 2 * 4  # the stage's float intermediate for the 20 s stereo recording


@pytest.mark.parametrize(("leave", "step"), [(64 * 1024, "levelling"), (LEVELLED_BYTES + 160 * 1024, "encoding")])
def test_disk_full_in_the_loudness_stage(
    show_on_small_disk: tuple[Workspace, Callable[..., Result], Path], small_disk: Path, leave: int, step: str
) -> None:
    """No room for the levelled intermediate, or room for it but not for the ~480 KB MP3."""
    ws, run, source = show_on_small_disk
    set_keys(ws, "audio", bitrate_kbps=192)  # a new encode is due; ingest stays current
    before = snapshot(ws.root)
    with nearly_full(small_disk, leave=leave):
        message = _error_line(run("publish", str(source), "--title", "Episode Satu", "--no-youtube"))
        assert f"no space left on the device while {step}" in message
        assert "normalised.mp3" in message
        assert snapshot(ws.root) == before
    assert snapshot(ws.root) == before
    assert leftovers(ws.root) == []
    # with room again, the same command finishes the job
    result = run("publish", str(source), "--title", "Episode Satu", "--no-youtube")
    assert result.exit_code == 0, result.output
    assert " loudness    ran" in result.stdout


def test_disk_full_while_tagging(
    show_on_small_disk: tuple[Workspace, Callable[..., Result], Path], small_disk: Path
) -> None:
    """A new title only re-tags: the copy of the MP3 that gets the tags cannot be written."""
    ws, run, source = show_on_small_disk
    before = snapshot(ws.root)
    with nearly_full(small_disk, leave=48 * 1024):
        message = _error_line(run("publish", str(source), "--title", "Judul Baru", "--no-youtube"))
        assert "no space left on the device" in message
        assert "episode-satu.mp3" in message
    assert snapshot(ws.root) == before
    assert leftovers(ws.root) == []


def test_disk_full_while_mutagen_writes_the_tags(
    show_on_small_disk: tuple[Workspace, Callable[..., Result], Path], small_disk: Path
) -> None:
    """Finding 7: the copy fits but the tags do not; mutagen's error (not an OSError) used to be a traceback."""
    ws, run, source = show_on_small_disk
    before = snapshot(ws.root)
    size = ws.normalised_audio("episode-satu").stat().st_size
    with nearly_full(small_disk, leave=size + 24 * 1024):
        message = _error_line(run("publish", str(source), "--title", "Judul Baru", "--no-youtube"))
        assert "no space left on the device" in message and "ID3" in message
    assert snapshot(ws.root) == before
    assert leftovers(ws.root) == []


def test_disk_full_in_a_later_stage(
    show_on_small_disk: tuple[Workspace, Callable[..., Result], Path], small_disk: Path
) -> None:
    """A new guest changes only what the feed shows: that stage meets the full disk, and says so in one line."""
    ws, run, source = show_on_small_disk
    before = snapshot(ws.root)
    with nearly_full(small_disk, leave=0):
        message = _error_line(
            run("publish", str(source), "--title", "Episode Satu", "--guest", "Tamu Baru", "--no-youtube")
        )
        assert "no space left on the device" in message
    assert snapshot(ws.root) == before
    assert leftovers(ws.root) == []


def test_disk_full_while_saving_the_journal(
    show_on_small_disk: tuple[Workspace, Callable[..., Result], Path], small_disk: Path
) -> None:
    """The journal itself cannot be written: episode.toml keeps its previous content, no temporary file remains;
    saving an unchanged journal needs no space at all."""
    ws, _, _ = show_on_small_disk
    [episode] = list_episodes(ws)
    before = snapshot(ws.root)
    with nearly_full(small_disk, leave=0):
        save_episode(ws, episode)  # unchanged: nothing to write
        episode.guests = ["Tamu Baru"]
        with pytest.raises(CerdasError, match="no space left on the device") as caught:
            save_episode(ws, episode)
        assert "episode.toml" in str(caught.value) and "\n" not in str(caught.value)
    assert snapshot(ws.root) == before
    assert leftovers(ws.root) == []

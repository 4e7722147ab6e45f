"""Bad input: a one-line error naming the file and the problem, a non-zero exit, no half-written output, and the
episode exactly as the last good publish left it. Every case runs through the real CLI on real (damaged) media."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from cerdas.cli.main import cli
from cerdas.workspace import Workspace, init_workspace
from tests.audio_support import (
    cut_in_half,
    garbage_in_middle,
    leftovers,
    no_whisper,
    snapshot,
    video_only,
    zero_length_wav,
)
from tests.media import ffmpeg, silence, uneven_speech

GOOD_TITLE = "Episode Baik"


@pytest.fixture(scope="module")
def published_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with one good episode, made once; each test works on its own copy."""
    base = tmp_path_factory.mktemp("published")
    ws = no_whisper(init_workspace(base / "show", "Podcast Uji", "Uji.", "Inspektorat Uji", "uji@example.go.id"))
    good = uneven_speech(base / "baik.wav", seconds=6)
    result = CliRunner().invoke(
        cli, ["-w", str(ws.root), "publish", str(good), "--title", GOOD_TITLE, "--no-youtube"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return ws.root


@pytest.fixture
def show(published_template: Path, tmp_path: Path) -> Workspace:
    root = tmp_path / "show"
    shutil.copytree(published_template, root)
    return Workspace(root)


@pytest.fixture
def cerdas(show: Workspace) -> Callable[..., Result]:
    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, ["-w", str(show.root), *args], catch_exceptions=False)

    return run


def assert_refused(result: Result, *needles: str, code: int = 1) -> str:
    """Exit ``code``; the error is the last line on stderr, one line starting with 'Error:' naming every needle
    (progress lines may come before it); nothing published on stdout."""
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    message = errors[0]
    for needle in needles:
        assert needle in message, (needle, message)
    assert "Published" not in result.stdout
    return message


def check_nothing_changed(show: Workspace, before: dict[str, str]) -> None:
    assert snapshot(show.root) == before
    assert leftovers(show.root) == []


# -- the recording -----------------------------------------------------------------------------------------------
def _missing(tmp: Path) -> Path:
    return tmp / "tidak-ada.wav"


def _text_as_wav(tmp: Path) -> Path:
    path = tmp / "catatan.wav"
    path.write_text("Ini bukan rekaman, hanya catatan rapat.\n" * 50, encoding="utf-8")
    return path


def _empty_file(tmp: Path) -> Path:
    path = tmp / "kosong.mp3"
    path.write_bytes(b"")
    return path


def _video_only(tmp: Path) -> Path:
    return video_only(tmp / "tanpa-suara.mp4")


def _zero_length(tmp: Path) -> Path:
    return zero_length_wav(tmp / "nol.wav")


def _wav_cut(tmp: Path) -> Path:
    return cut_in_half(uneven_speech(tmp / "full.wav", seconds=10), tmp / "terpotong.wav")


def _mp3_cut(tmp: Path) -> Path:
    full = tmp / "full.mp3"
    ffmpeg("-i", str(uneven_speech(tmp / "full.wav", seconds=20)), "-c:a", "libmp3lame", "-b:a", "96k", str(full))
    return cut_in_half(full, tmp / "terpotong.mp3")


def _mp3_garbage(tmp: Path) -> Path:
    full = tmp / "full.mp3"
    ffmpeg("-i", str(uneven_speech(tmp / "full.wav", seconds=20)), "-c:a", "libmp3lame", "-b:a", "96k", str(full))
    return garbage_in_middle(full, tmp / "rusak.mp3")


def _flac_cut(tmp: Path) -> Path:
    full = tmp / "full.flac"
    ffmpeg("-i", str(uneven_speech(tmp / "full.wav", seconds=10)), str(full))
    return cut_in_half(full, tmp / "terpotong.flac")


def _ogg_cut(tmp: Path) -> Path:
    full = tmp / "full.ogg"
    ffmpeg("-i", str(uneven_speech(tmp / "full.wav", seconds=10)), "-c:a", "libvorbis", str(full))
    return cut_in_half(full, tmp / "terpotong.ogg")


def _m4a_cut(tmp: Path) -> Path:
    full = tmp / "full.m4a"
    ffmpeg("-i", str(uneven_speech(tmp / "full.wav", seconds=10)), "-c:a", "aac", str(full))
    return cut_in_half(full, tmp / "terpotong.m4a")


def _silence(tmp: Path) -> Path:
    return silence(tmp / "hening.wav", seconds=5)


def _hiss_only(tmp: Path) -> Path:
    path = tmp / "desis.wav"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=color=white:amplitude=0.0003", "-t", "5", str(path))
    return path


def _meeting_notes(tmp: Path) -> Path:
    """A text file named .txt: ffmpeg's tty demuxer reads it as ANSI art, a video without sound."""
    path = tmp / "catatan-rapat.txt"
    path.write_text(("Catatan rapat tentang gratifikasi dan pelaporannya. " * 30 + "\n") * 40, encoding="utf-8")
    return path


def _picture(tmp: Path) -> Path:
    path = tmp / "sampul.png"
    Image.new("RGB", (64, 64), (10, 20, 30)).save(path)
    return path


BAD_SOURCES = [
    pytest.param(_missing, "file not found", id="missing"),
    pytest.param(_text_as_wav, "not a media file", id="text-renamed-wav"),
    pytest.param(_empty_file, "empty", id="empty-file"),
    pytest.param(_video_only, "no audio stream", id="video-only"),
    pytest.param(_zero_length, "zero length", id="zero-length"),
    pytest.param(_wav_cut, "truncated", id="wav-cut-in-half"),
    pytest.param(_mp3_cut, "truncated", id="mp3-cut-in-half"),
    pytest.param(_mp3_garbage, "corrupt", id="mp3-garbage-in-middle"),
    pytest.param(_flac_cut, "truncated", id="flac-cut-in-half"),
    pytest.param(_ogg_cut, "truncated", id="ogg-cut-in-half"),
    pytest.param(_m4a_cut, "truncated", id="m4a-cut-in-half"),
    pytest.param(_silence, "silent", id="only-silence"),
    pytest.param(_hiss_only, "silent", id="only-hiss"),
    pytest.param(_meeting_notes, "not an audio or video file (ffmpeg reads it as text)", id="text-file-txt"),
    pytest.param(_picture, "not an audio or video file (ffmpeg reads it as an image)", id="picture"),
]


@pytest.mark.parametrize(("make", "problem"), BAD_SOURCES)
def test_bad_recording_replacing_a_good_one(
    show: Workspace, cerdas: Callable[..., Result], tmp_path: Path, make: Callable[[Path], Path], problem: str
) -> None:
    """Same title: publish would continue the good episode with a new recording; it must refuse and keep it."""
    bad = make(tmp_path)
    before = snapshot(show.root)
    assert_refused(cerdas("publish", str(bad), "--title", GOOD_TITLE, "--no-youtube"), bad.name, problem)
    check_nothing_changed(show, before)


@pytest.mark.parametrize(("make", "problem"), BAD_SOURCES[3:6])
def test_bad_recording_for_a_new_episode_leaves_no_folder(
    show: Workspace, cerdas: Callable[..., Result], tmp_path: Path, make: Callable[[Path], Path], problem: str
) -> None:
    bad = make(tmp_path)
    before = snapshot(show.root)
    assert_refused(cerdas("publish", str(bad), "--title", "Episode Baru", "--no-youtube"), bad.name, problem)
    check_nothing_changed(show, before)
    assert not (show.episodes_dir / "episode-baru").exists()


def test_source_is_a_folder(show: Workspace, cerdas: Callable[..., Result], tmp_path: Path) -> None:
    result = cerdas("publish", str(tmp_path), "--title", GOOD_TITLE, "--no-youtube")
    assert result.exit_code == 2 and "is a directory" in result.stderr


# -- everything else the producer gives ---------------------------------------------------------------------------
@pytest.fixture
def good_source(tmp_path: Path) -> Path:
    return uneven_speech(tmp_path / "baru.wav", seconds=6)


def test_unreadable_cover(show: Workspace, cerdas: Callable[..., Result], tmp_path: Path, good_source: Path) -> None:
    cover = tmp_path / "sampul.jpg"
    cover.write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG" + bytes(200))
    before = snapshot(show.root)
    assert_refused(
        cerdas("publish", str(good_source), "--title", GOOD_TITLE, "--cover", str(cover), "--no-youtube"),
        "sampul.jpg",
        "not a readable image",
    )
    check_nothing_changed(show, before)


def test_missing_cover(show: Workspace, cerdas: Callable[..., Result], tmp_path: Path, good_source: Path) -> None:
    before = snapshot(show.root)
    assert_refused(
        cerdas("publish", str(good_source), "--title", GOOD_TITLE, "--cover", str(tmp_path / "x.png"), "--no-youtube"),
        "x.png",
        "not found",
    )
    check_nothing_changed(show, before)


@pytest.mark.parametrize(
    ("title", "problem"),
    [("", "empty"), ("   \t ", "empty"), ("J" * 300, "300 characters"), ("Judul\x07aneh", "control characters")],
)
def test_bad_title(show: Workspace, cerdas: Callable[..., Result], good_source: Path, title: str, problem: str) -> None:
    before = snapshot(show.root)
    message = assert_refused(
        cerdas("publish", str(good_source), "--title", title, "--no-youtube"), "--title", problem, code=2
    )
    assert len(message) < 200
    check_nothing_changed(show, before)


@pytest.mark.parametrize("slug", ["../x", "../../etc", "a/b", ".hidden", "Huruf-Besar"])
def test_slug_that_would_escape(show: Workspace, cerdas: Callable[..., Result], good_source: Path, slug: str) -> None:
    before = snapshot(show.root)
    assert_refused(
        cerdas("publish", str(good_source), "--title", "Baru", "--slug", slug, "--no-youtube"), "episodes", "slug"
    )
    check_nothing_changed(show, before)
    assert not (show.root.parent / "x").exists()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("00:00:00 Pembukaan\nbukan baris bab\n", "line 2"),
        ('{"version": "1.2.0", "chapters": [{"title": "tanpa waktu"}]}', "Podcasting 2.0"),
        ("00:00:00 Pembukaan\n00:09:00 Jauh setelah akhir\n", "after the end of the recording"),
        ("00:00:00 Satu\n00:00:00 Dua\n", "same time"),
        ("# hanya komentar\n", "no chapters"),
    ],
)
def test_bad_chapters_file(
    show: Workspace, cerdas: Callable[..., Result], tmp_path: Path, good_source: Path, text: str, problem: str
) -> None:
    chapters = tmp_path / "bab.txt"
    chapters.write_text(text, encoding="utf-8")
    before = snapshot(show.root)
    assert_refused(
        cerdas("publish", str(good_source), "--title", GOOD_TITLE, "--chapters", str(chapters), "--no-youtube"),
        "bab.txt",
        problem,
    )
    check_nothing_changed(show, before)


def test_locked_workspace(show: Workspace, cerdas: Callable[..., Result], good_source: Path) -> None:
    """Another process holds the lock (a publish in another terminal): a clear message, nothing touched."""
    holder = subprocess.Popen(
        [
            "python3",
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'4242'); print('locked', flush=True); sys.stdin.read()",
            str(show.root / ".cerdas.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        before = snapshot(show.root)
        message = assert_refused(
            cerdas("publish", str(good_source), "--title", GOOD_TITLE, "--no-youtube"),
            str(show.root),
            "another cerdas command",
        )
        assert "4242" in message
        check_nothing_changed(show, before)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    # once the other publish has finished, the same command works (the lock file left behind is no obstacle)
    assert cerdas("publish", str(good_source), "--title", "Sesudah Kunci", "--no-youtube").exit_code == 0

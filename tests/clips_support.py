"""A generated episode for the clip tests and the benchmark: published through the real pipeline (real ffmpeg
levelling), with a words file laid out the way the transcribe stage writes it (known times, so a test knows
which words a clip must hold). The slow test in ``test_clips_whisper.py`` takes the words from real Whisper."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cerdas.cli.main import cli
from cerdas.transcribe.words import Word, save_words
from cerdas.workspace import Workspace, init_workspace
from tests.feed_support import disable_whisper
from tests.media import uneven_speech
from tests.workspace_support import set_keys

SLUG = "menolak-gratifikasi"
TITLE = "Menolak Gratifikasi"
SCRIPT = [
    ("Pembawa Acara", "Selamat datang di Podcast Cerdas, cerita integritas dari Balikpapan."),
    ("Pembawa Acara", "Hari ini kita membahas gratifikasi bersama Inspektorat kota."),
    ("Ibu Ratna", "Gratifikasi wajib dilaporkan dalam tiga puluh hari kerja sejak diterima."),
    ("Ibu Ratna", "Pelaporan bisa dilakukan secara daring melalui aplikasi resmi."),
    ("Ibu Ratna", "Pegawai yang menolak hadiah menjaga kepercayaan warga kepada pemerintah."),
    ("Pembawa Acara", "Apakah hadiah kecil juga termasuk gratifikasi, Ibu?"),
    ("Ibu Ratna", "Ya, nilai tidak menentukan; yang menentukan adalah hubungannya dengan jabatan pegawai itu."),
    ("Ibu Ratna", "Karena itu setiap pemberian kepada pegawai harus dicatat dan dilaporkan ke Inspektorat."),
    ("Ibu Ratna", "Dengan begitu integritas kantor tetap terjaga di mata masyarakat Balikpapan."),
    ("Pembawa Acara", "Terima kasih atas penjelasannya, sampai jumpa di episode berikutnya."),
]
WORD_SECONDS = 0.42
GAP = 0.08
SENTENCE_PAUSE = 0.7
VOCABULARY = ["Balikpapan", "Inspektorat", "gratifikasi", "integritas"]


def generated_words(duration: float, speakers: bool = True, begin: float = 0.5) -> list[Word]:
    """The script's words, one every half second with a pause between sentences, repeated until ``duration``."""
    words: list[Word] = []
    clock = begin
    while True:
        for speaker, text in SCRIPT:
            for token in text.split():
                if clock + WORD_SECONDS > duration - 0.3:
                    return words
                words.append(Word(clock, clock + WORD_SECONDS, token, 0.9, speaker if speakers else ""))
                clock += WORD_SECONDS + GAP
            clock += SENTENCE_PAUSE


def published_episode(folder: Path, seconds: float = 40.0, speakers: bool = True) -> Workspace:
    """``cerdas publish`` of generated speech-like audio (Whisper off), then the words file beside it."""
    ws = init_workspace(
        folder / "show", "Podcast Uji", "Podcast untuk pengujian.", "Inspektorat Uji", "uji@example.go.id"
    )
    disable_whisper(ws)
    set_keys(ws, "show", base_url="https://podcast.example.go.id/")
    set_keys(ws, "whisper", vocabulary=VOCABULARY)
    source = uneven_speech(folder / "rekaman.wav", seconds=seconds)
    result = CliRunner().invoke(
        cli, ["-w", str(ws.root), "publish", str(source), "--title", TITLE, "--no-youtube"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    save_words(ws.words(SLUG), generated_words(seconds, speakers))
    return ws

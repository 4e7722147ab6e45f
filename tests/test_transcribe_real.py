"""The real Whisper base model on real synthesised Indonesian speech (espeak-ng): slow, CI runs them.

The model is loaded once for the whole session (the adapter caches it); the clip is made once per module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
import srt
import webvtt
from click.testing import Result

from cerdas.episode import load_episode
from cerdas.facts import TranscribeFacts
from cerdas.report import NullReporter
from cerdas.settings import WhisperSettings
from cerdas.transcribe import whisper
from cerdas.transcribe.captions import build_cues, check_cues
from cerdas.transcribe.formats import load_json, load_vtt, to_srt, to_vtt
from cerdas.transcribe.guards import guard
from cerdas.transcribe.stage import Prepared, prepare, transcribe_audio
from cerdas.workspace import Workspace
from tests.media import ffmpeg, silence
from tests.transcribe_support import MODEL_DIR, SpokenLine, cer, spoken_clip, words
from tests.workspace_support import set_keys

pytestmark = pytest.mark.slow

SETTINGS = WhisperSettings(
    vocabulary=("Balikpapan", "Inspektorat", "PAKSI", "WBK", "WBBM", "gratifikasi", "integritas")
)


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    """The bundled model, checked and loaded once (later loads in this process reuse it)."""
    ready = prepare(SETTINGS, Path.cwd(), MODEL_DIR)
    whisper.load(ready.model, ready.device)
    return ready


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SpokenLine]]:
    """About 20 s: the host's welcome, the topic, the guest's thanks (two voices, 1.5 s pauses)."""
    path = tmp_path_factory.mktemp("clip") / "wawancara.wav"
    return path, spoken_clip(path)


def test_known_words_come_back_with_sane_timestamps(
    prepared: Prepared, clip: tuple[Path, list[SpokenLine]], tmp_path: Path
) -> None:
    path, lines = clip
    result = transcribe_audio(path, SETTINGS, prepared, NullReporter())
    cues = result.cues
    said = " ".join(c.flat for c in cues)
    heard = set(words(said))
    assert {"selamat", "datang", "balikpapan", "hari", "ini", "kita", "berbagi", "pengalaman"} <= heard, said
    assert cer(said, " ".join(line.text for line in lines)) <= 0.3, said
    assert result.facts.language == "id" and (result.facts.rtf or 0) > 0
    assert check_cues(cues) == []
    end = lines[-1].end + 1.0
    assert all(0.0 <= c.start < c.end <= end for c in cues)
    assert all(a.start <= b.start for a, b in pairwise(cues))
    for word, line in (("selamat", lines[0]), ("berbincang", lines[1]), ("pengalaman", lines[2])):
        cue = next(c for c in cues if word in words(c.flat))
        assert line.start - 0.5 <= cue.start and cue.end <= line.end + 1.5, (word, cue, line)
    # the files a player and YouTube read
    (tmp_path / "t.vtt").write_text(to_vtt(cues), encoding="utf-8")
    captions = webvtt.read(str(tmp_path / "t.vtt")).captions
    assert [c.text for c in captions] == [c.text for c in cues]
    subs = list(srt.parse(to_srt(cues)))
    assert {c.start for c in cues} <= {round(s.start.total_seconds(), 3) for s in subs}  # 32-character cards
    assert all(len(line) <= 32 for s in subs for line in s.content.split("\n"))


def test_silence_gives_no_text(prepared: Prepared, tmp_path: Path) -> None:
    quiet = silence(tmp_path / "sunyi.wav", seconds=12)
    result = transcribe_audio(quiet, SETTINGS, prepared, NullReporter())
    assert result.cues == []
    assert result.facts.speech_seconds == 0


def test_a_repeated_phrase_comes_back_once(prepared: Prepared, tmp_path: Path) -> None:
    """A real model output that loops: the guard cuts the run to one occurrence."""
    path = tmp_path / "ulang.wav"
    spoken_clip(path, [("host", "Nilainya tiga ribu. " + "Tiga ribu, " * 12 + "tiga ribu rupiah.")])
    engine = whisper.load(prepared.model, prepared.device)
    raw = engine.transcribe(path, language="id", word_timestamps=True)
    raw_words = words(" ".join(s.text for s in raw.segments))
    assert raw_words.count("ribu") >= 6, raw_words  # what Whisper itself returns
    cleaned = guard(raw.segments, SETTINGS.vocabulary, raw.duration)  # what transcribe_audio does with it
    said = words(" ".join(c.flat for c in build_cues(cleaned.segments)))
    assert 1 <= said.count("ribu") <= 4, (said, raw_words)
    assert cleaned.report.loops_cut_words > 0


def test_noise_is_not_transcribed(prepared: Prepared, tmp_path: Path) -> None:
    noise = tmp_path / "desis.wav"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=color=brown:amplitude=0.05:seed=3", "-t", "10", str(noise))
    result = transcribe_audio(noise, SETTINGS, prepared, NullReporter())
    assert len(" ".join(c.flat for c in result.cues).split()) <= 3


# -- through publish and the command ---------------------------------------------------------------------


def test_publish_transcribes_and_keeps_hand_corrections(
    prepared: Prepared, clip: tuple[Path, list[SpokenLine]], workspace: Workspace, run_cli: Callable[..., Result]
) -> None:
    path, _ = clip
    set_keys(workspace, "whisper", vocabulary=list(SETTINGS.vocabulary))  # the show's terms, as its producer sets them
    first = run_cli("publish", str(path), "--title", "Menolak Gratifikasi", "--no-youtube")
    assert first.exit_code == 0, first.output
    assert "transcribe  ran" in first.stdout
    episode = load_episode(workspace, "menolak-gratifikasi")
    files = {kind: workspace.transcript(episode.slug, kind) for kind in ("vtt", "srt", "json", "txt")}
    assert episode.stages["transcribe"].outputs == {
        **{k: f"transcripts/menolak-gratifikasi.{k}" for k in files},
        "words": "episodes/menolak-gratifikasi/words.json",
    }
    assert "Transkripsi" not in first.stdout  # progress goes to stderr
    vtt = files["vtt"].read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and "Balikpapan" in vtt
    assert files["txt"].read_text(encoding="utf-8").startswith("Menolak Gratifikasi\n\n[00:00] ")
    assert load_json(files["json"])

    again = run_cli("publish", str(path), "--title", "Menolak Gratifikasi", "--no-youtube")
    assert "transcribe  current" in again.stdout

    # the producer corrects a name and marks the speakers
    cues = load_vtt(files["vtt"])
    # (with the speakers extra the machine named the voice already: the producer writes over that name)
    edited = re.sub(r"(<v [^>]*>)?Selamat datang", "<v Pembawa Acara>Selamat datang", vtt, count=1).replace(
        "Balikpapan", "Balikpapan (KOREKSI)", 1
    )
    files["vtt"].write_text(edited, encoding="utf-8")
    third = run_cli("publish", str(path), "--title", "Menolak Gratifikasi", "--no-youtube")
    assert third.exit_code == 0
    assert "from the corrected" in third.stdout and "kept the hand-corrected" in third.stderr
    assert files["vtt"].read_text(encoding="utf-8") == edited
    segments = load_json(files["json"])
    assert len(segments) == len(cues)
    assert segments[0].speaker == "Pembawa Acara"
    assert "Balikpapan (KOREKSI)" in files["srt"].read_text(encoding="utf-8")
    assert "Balikpapan (KOREKSI)" in files["txt"].read_text(encoding="utf-8")

    # publish --force redoes every stage, yet the correction survives
    forced = run_cli("publish", str(path), "--title", "Menolak Gratifikasi", "--no-youtube", "--force")
    assert forced.exit_code == 0, forced.output
    assert files["vtt"].read_text(encoding="utf-8") == edited

    # a second correction, regenerated on request
    files["vtt"].write_text(edited.replace("KOREKSI", "KOREKSI KEDUA"), encoding="utf-8")
    regen = run_cli("transcribe", "menolak-gratifikasi", "--from-vtt")
    assert regen.exit_code == 0, regen.output
    assert "KOREKSI KEDUA" in files["json"].read_text(encoding="utf-8")

    # --force transcribes again over the correction, keeping it as .bak
    redo = run_cli("transcribe", "menolak-gratifikasi", "--force")
    assert redo.exit_code == 0, redo.output
    assert "KOREKSI" not in files["vtt"].read_text(encoding="utf-8")
    assert "KOREKSI KEDUA" in (files["vtt"].parent / "menolak-gratifikasi.vtt.bak").read_text(encoding="utf-8")
    assert "KOREKSI" not in files["json"].read_text(encoding="utf-8")
    facts = load_episode(workspace, "menolak-gratifikasi").facts(TranscribeFacts)
    assert facts is not None and facts.source == "whisper"
    current = run_cli("transcribe", "menolak-gratifikasi")
    assert "current" in current.stdout

    # a new title only re-heads the TXT: nothing is transcribed again
    before = files["vtt"].read_bytes()
    retitled = run_cli("publish", str(path), "--title", "Menolak Gratifikasi (Bagian 1)", "--no-youtube")
    assert retitled.exit_code == 0, retitled.output
    assert "nothing to transcribe again" in retitled.stdout
    assert files["txt"].read_text(encoding="utf-8").startswith("Menolak Gratifikasi (Bagian 1)\n")
    assert files["vtt"].read_bytes() == before

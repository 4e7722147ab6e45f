"""Loudness of the FINAL tagged MP3, checked with an independent meter (pyloudnorm, true peak by oversampling
with scipy), for mono and stereo sources at 8, 22.05, 44.1 and 48 kHz, video sources and the mono setting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from cerdas.episode import list_episodes
from cerdas.facts import IngestFacts, LoudnessFacts
from cerdas.workspace import Workspace
from tests.audio_support import ffprobe, interview, measure, no_whisper, video_with_audio
from tests.media import uneven_speech
from tests.workspace_support import facts, set_keys

TARGET, TOLERANCE, CEILING = -16.0, 0.5, -1.0


def _publish(run_cli: Callable[..., Result], source: Path, title: str) -> Result:
    result = run_cli("publish", str(source), "--title", title, "--no-youtube")
    assert result.exit_code == 0, result.output
    return result


def _final_mp3(ws: Workspace) -> Path:
    [episode] = list_episodes(ws)
    return ws.root / episode.stages["tag"].outputs["mp3"]


@pytest.mark.parametrize(
    ("rate", "channels"),
    [
        (8000, 1),
        (22050, 2),
        (44100, 1),
        (48000, 2),
        pytest.param(8000, 2, marks=pytest.mark.slow),
        pytest.param(22050, 1, marks=pytest.mark.slow),
        pytest.param(44100, 2, marks=pytest.mark.slow),
        pytest.param(48000, 1, marks=pytest.mark.slow),
    ],
)
def test_final_mp3_meets_target(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path, rate: int, channels: int
) -> None:
    no_whisper(workspace)
    source = uneven_speech(tmp_path / f"in-{rate}-{channels}.wav", seconds=12, rate=rate, channels=channels)
    result = _publish(run_cli, source, f"Uji {rate} {channels}")
    mp3 = _final_mp3(workspace)
    got = measure(mp3)
    assert abs(got.integrated - TARGET) <= TOLERANCE, got
    assert got.true_peak <= CEILING, got
    assert (got.rate, got.channels) == (44100, 2)  # the default output: 44.1 kHz stereo
    # ffmpeg's ebur128 (what episode.toml and the command report) agrees with the independent meter
    [episode] = list_episodes(workspace)
    after = facts(episode, LoudnessFacts).after
    assert abs(after.integrated_lufs - got.integrated) <= 0.3
    assert f"{after.integrated_lufs:.1f} LUFS" in result.stdout
    info = ffprobe(mp3)["streams"][0]
    assert info["codec_name"] == "mp3" and info["bit_rate"] == "128000"


def test_levelling_evens_out_the_speakers(workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    """A host at -22 LUFS then a guest 18 dB quieter; after publish they are within a few LU."""
    no_whisper(workspace)
    source = interview(tmp_path / "uneven.wav", seconds=16)
    _publish(run_cli, source, "Dua Pembicara")
    mp3 = _final_mp3(workspace)

    def halves(path: Path) -> tuple[float, float]:
        import pyloudnorm

        from tests.audio_support import decode

        samples, rate, _ = decode(path)
        meter = pyloudnorm.Meter(rate)
        mid = len(samples) // 2
        # skip a second around the change of speaker: the leveller needs a moment to follow
        return (
            meter.integrated_loudness(samples[rate : mid - rate]),
            meter.integrated_loudness(samples[mid + rate : -rate]),
        )

    host_in, guest_in = halves(source)
    host_out, guest_out = halves(mp3)
    assert host_in - guest_in > 15
    assert abs(host_out - guest_out) < 3, (host_out, guest_out)


def test_mono_setting_gives_mono_mp3(workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    no_whisper(workspace)
    set_keys(workspace, "audio", channels=1)
    source = uneven_speech(tmp_path / "stereo.wav", seconds=10, channels=2)
    _publish(run_cli, source, "Mono")
    got = measure(_final_mp3(workspace))
    assert got.channels == 1
    assert abs(got.integrated - TARGET) <= TOLERANCE and got.true_peak <= CEILING, got


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_video_source_publishes_and_is_remembered_as_video(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path, suffix: str
) -> None:
    no_whisper(workspace)
    source = video_with_audio(tmp_path / f"rekaman{suffix}", seconds=8)
    result = _publish(run_cli, source, f"Video {suffix}")
    [episode] = list_episodes(workspace)
    ingest = facts(episode, IngestFacts)
    assert ingest.video is True
    assert ingest.probe.video_codec in ("h264", "mpeg4")
    assert ", video" in result.stdout
    got = measure(_final_mp3(workspace))
    assert abs(got.integrated - TARGET) <= TOLERANCE and got.true_peak <= CEILING, got
    assert ffprobe(_final_mp3(workspace))["streams"][0]["codec_type"] == "audio"


def test_leveller_off_still_meets_target(workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    """``audio.leveler = false``: no dynaudnorm, the gain and the true-peak limiter alone reach the target."""
    no_whisper(workspace)
    set_keys(workspace, "audio", leveler=False)
    source = interview(tmp_path / "rata.wav", seconds=10, gap_db=3)
    _publish(run_cli, source, "Tanpa Perata")
    got = measure(_final_mp3(workspace))
    assert abs(got.integrated - TARGET) <= TOLERANCE and got.true_peak <= CEILING, got
    [episode] = list_episodes(workspace)
    assert (facts(episode, LoudnessFacts).levelled.lra_lu or 0) > 0


@pytest.mark.slow
def test_long_episode_is_probed_and_lands_in_one_pass(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Past two minutes the chain is tried on excerpts first, so the first full encode already lands."""
    no_whisper(workspace)
    source = interview(tmp_path / "panjang.wav", seconds=150)
    _publish(run_cli, source, "Episode Panjang")
    [episode] = list_episodes(workspace)
    data = facts(episode, LoudnessFacts)
    assert data.predicted_shift_lu != 0.0
    assert data.passes <= 2
    got = measure(_final_mp3(workspace))
    assert abs(got.integrated - TARGET) <= 0.3 and got.true_peak <= CEILING, got

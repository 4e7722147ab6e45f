"""Ingest accepts every common recording format (no false alarms from the damage checks) and records its facts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from cerdas.episode import list_episodes
from cerdas.facts import IngestFacts
from cerdas.media.ingest import IngestStage, container_damage
from cerdas.pipeline import Context
from cerdas.publish import PublishRequest, publish
from cerdas.report import NullReporter
from cerdas.workspace import Workspace
from tests.audio_support import no_whisper, video_with_audio
from tests.media import ffmpeg, uneven_speech
from tests.workspace_support import facts

FORMATS = [
    # suffix, ffmpeg output options, codec ffprobe reports, channels
    (".wav", ["-c:a", "pcm_s24le"], "pcm_s24le", 2),
    (".flac", [], "flac", 2),
    (".mp3", ["-c:a", "libmp3lame", "-b:a", "64k", "-ac", "1"], "mp3", 1),
    (".m4a", ["-c:a", "aac", "-b:a", "96k"], "aac", 2),
    (".ogg", ["-c:a", "libvorbis"], "vorbis", 2),
    (".opus", ["-c:a", "libopus", "-ar", "48000"], "opus", 2),
    (".mka", ["-c:a", "pcm_s16le", "-ac", "6", "-channel_layout", "5.1"], "pcm_s16le", 6),
]


@pytest.fixture
def ctx(workspace: Workspace) -> Context:
    no_whisper(workspace)
    return Context(workspace=workspace, settings=workspace.settings(), reporter=NullReporter(), youtube=False)


@pytest.mark.parametrize(("suffix", "options", "codec", "channels"), FORMATS, ids=[f[0] for f in FORMATS])
def test_format_is_accepted(
    ctx: Context, tmp_path: Path, suffix: str, options: list[str], codec: str, channels: int
) -> None:
    wav = uneven_speech(tmp_path / "asal.wav", seconds=6)
    source = tmp_path / f"rekaman{suffix}"
    ffmpeg("-i", str(wav), *options, str(source))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert container_damage(source) is None
    publish(PublishRequest(source, f"Format {suffix}"), ctx, stages=[IngestStage()])
    [episode] = list_episodes(ctx.workspace)
    data = facts(episode, IngestFacts)
    assert data.sha256 == digest == episode.source_sha256
    assert data.probe.audio_codec == codec and data.probe.channels == channels
    assert data.probe.duration == pytest.approx(6.0, abs=0.1)
    assert data.video is False
    assert -45 < data.input.integrated_lufs < -20
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest  # only read


def test_m4a_with_cover_art_is_audio_not_video(ctx: Context, tmp_path: Path) -> None:
    """Phones and editors embed a picture in M4A/MP3: an attached picture is not a video recording."""
    wav = uneven_speech(tmp_path / "asal.wav", seconds=4)
    cover = tmp_path / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=300x300", "-frames:v", "1", str(cover))
    source = tmp_path / "dengan-sampul.m4a"
    ffmpeg(
        "-i",
        str(wav),
        "-i",
        str(cover),
        "-map",
        "0:a",
        "-map",
        "1:v",
        "-c:a",
        "aac",
        "-c:v",
        "png",
        "-disposition:v",
        "attached_pic",
        str(source),
    )
    publish(PublishRequest(source, "Dengan Sampul"), ctx, stages=[IngestStage()])
    [episode] = list_episodes(ctx.workspace)
    assert facts(episode, IngestFacts).video is False


@pytest.mark.parametrize("suffix", [".mov", ".mp4", ".mkv"])
def test_video_is_recorded_as_video(ctx: Context, tmp_path: Path, suffix: str) -> None:
    source = video_with_audio(tmp_path / f"rekaman{suffix}", seconds=4)
    publish(PublishRequest(source, f"Video {suffix}"), ctx, stages=[IngestStage()])
    [episode] = list_episodes(ctx.workspace)
    data = facts(episode, IngestFacts)
    assert data.video is True and data.probe.width == 160 and data.probe.height == 120


def test_streamed_wav_with_unknown_length_is_accepted(ctx: Context, tmp_path: Path) -> None:
    """A recorder that streams WAV never fills in the sizes (0xFFFFFFFF): not a truncated file."""
    wav = uneven_speech(tmp_path / "asal.wav", seconds=4)
    data = bytearray(wav.read_bytes())
    at = data.index(b"data")
    data[at + 4 : at + 8] = b"\xff\xff\xff\xff"
    data[4:8] = b"\xff\xff\xff\xff"
    streamed = tmp_path / "streamed.wav"
    streamed.write_bytes(bytes(data))
    assert container_damage(streamed) is None
    publish(PublishRequest(streamed, "Streamed"), ctx, stages=[IngestStage()])
    assert facts(list_episodes(ctx.workspace)[0], IngestFacts).probe.duration == pytest.approx(4, abs=0.1)

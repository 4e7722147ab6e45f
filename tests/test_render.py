"""The video for YouTube: still-picture render and video-source mux, checked with ffprobe."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cerdas.artwork import make_placeholder
from cerdas.errors import MediaError
from cerdas.youtube.video import Frame, compose_frame, mux_video, render_still
from tests.media import ffmpeg, uneven_speech


def _probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, Any] = json.loads(out.stdout)
    return data


@pytest.fixture
def art(tmp_path: Path) -> Path:
    path = tmp_path / "art.png"
    make_placeholder(path, "Podcast Uji", size=800)
    return path


@pytest.mark.parametrize("waveform", [True, False])
def test_still_render_is_h264_aac_with_the_audio_duration(tmp_path: Path, art: Path, waveform: bool) -> None:
    audio = tmp_path / "episode.mp3"
    ffmpeg("-i", str(uneven_speech(tmp_path / "a.wav", seconds=9.0)), "-b:a", "128k", str(audio))
    target = tmp_path / "out" / "episode.mp4"
    render_still(audio, Frame(art, "Menolak Gratifikasi", "Podcast Uji", "Ibu Ratna", waveform), target)
    info = _probe(target)
    codecs = {s["codec_type"]: s for s in info["streams"]}
    assert codecs["video"]["codec_name"] == "h264" and codecs["audio"]["codec_name"] == "aac"
    assert (codecs["video"]["width"], codecs["video"]["height"]) == (1280, 720)
    assert codecs["video"]["pix_fmt"] == "yuv420p"
    assert abs(float(info["format"]["duration"]) - 9.0) < 0.3
    assert info["format"]["format_name"].startswith("mov,mp4")
    assert not list(target.parent.glob(".*tmp*")), "no temporary file left behind"


def test_frame_draws_the_title(art: Path) -> None:
    plain = compose_frame(Frame(art, waveform=False))
    titled = compose_frame(Frame(art, "Menolak Gratifikasi", "Podcast Uji", waveform=False))
    assert plain.size == titled.size == (1280, 720)
    right = (700, 60, 1220, 400)
    assert plain.crop(right).tobytes() != titled.crop(right).tobytes()


def test_video_source_keeps_its_picture_with_the_new_audio(tmp_path: Path) -> None:
    video = tmp_path / "rekaman.mp4"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=f=200",
        "-t",
        "6",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-shortest",
        str(video),
    )
    audio = tmp_path / "normalised.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=f=500", "-t", "6", "-b:a", "128k", str(audio))
    target = tmp_path / "episode.mp4"
    mux_video(video, audio, target)
    info = _probe(target)
    codecs = {s["codec_type"]: s for s in info["streams"]}
    assert codecs["video"]["codec_name"] == "h264" and codecs["video"]["width"] == 320
    assert codecs["audio"]["codec_name"] == "aac"
    assert abs(float(info["format"]["duration"]) - 6.0) < 0.3


def test_audio_only_source_cannot_be_muxed(tmp_path: Path) -> None:
    audio = tmp_path / "a.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine", "-t", "1", str(audio))
    with pytest.raises(MediaError, match="no video stream"):
        mux_video(audio, audio, tmp_path / "x.mp4")

"""Helpers for the audio/publish tests: an independent loudness meter (pyloudnorm + scipy, not ffmpeg's ebur128),
damaged and unusual media made with real ffmpeg, and a snapshot of a workspace to prove nothing changed."""

from __future__ import annotations

import hashlib
import json
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyloudnorm
from scipy.signal import resample_poly

from cerdas.workspace import Workspace
from tests.media import ffmpeg
from tests.workspace_support import set_keys


# -- independent meter ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measured:
    integrated: float  # LUFS (pyloudnorm, ITU-R BS.1770-4)
    true_peak: float  # dBTP (oversampled to >= 192 kHz with scipy's polyphase resampler)
    rate: int
    channels: int
    seconds: float


def decode(path: Path) -> tuple[np.ndarray, int, int]:
    """Decode any file to float32 samples (frames × channels) at its own rate, with ffmpeg."""
    info = ffprobe(path)
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    rate, channels = int(audio["sample_rate"]), int(audio["channels"])
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-f", "f32le", "-"], check=True, capture_output=True
    ).stdout
    samples = np.frombuffer(raw, dtype="<f4").reshape(-1, channels).astype(np.float64)
    return samples, rate, channels


def true_peak_dbtp(samples: np.ndarray, rate: int) -> float:
    """True peak by 4x oversampling, more for low rates so the oversampled rate reaches 192 kHz."""
    factor = max(4, math.ceil(192_000 / rate))
    upsampled = resample_poly(samples, factor, 1, axis=0)
    peak = float(np.max(np.abs(upsampled)))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def measure(path: Path) -> Measured:
    """Integrated loudness and true peak of ``path`` measured in Python (whole file in memory: tests only)."""
    samples, rate, channels = decode(path)
    meter = pyloudnorm.Meter(rate)
    integrated = float(meter.integrated_loudness(samples if channels > 1 else samples[:, 0]))
    return Measured(integrated, true_peak_dbtp(samples, rate), rate, channels, len(samples) / rate)


def ffprobe(path: Path, *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", *extra, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out)
    return result


# -- media ------------------------------------------------------------------------------------------------------
SPEECHY = (
    "anoisesrc=color=pink:amplitude=0.4:seed={seed},bandpass=f=700:width_type=q:w=0.7,"
    "volume='0.3+0.7*abs(sin(2*PI*2.3*t))':eval=frame"
)


def interview(path: Path, seconds: float = 16.0, rate: int = 44100, channels: int = 2, gap_db: float = 18.0) -> Path:
    """A host at about -22 LUFS, then a guest ``gap_db`` quieter: the levels of a real uneven interview."""
    voice = (
        "anoisesrc=color=pink:amplitude=0.9:seed={seed},bandpass=f=1000:width_type=q:w=0.3,"
        "volume='0.3+0.7*abs(sin(2*PI*2.7*t))':eval=frame"
    )
    half = seconds / 2
    graph = (
        f"{voice.format(seed=1)},atrim=0:{half}[a];{voice.format(seed=2)},atrim=0:{half},volume=-{gap_db}dB[b];"
        f"[a][b]concat=n=2:v=0:a=1,aresample={rate}"
    )
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"anullsrc=r={rate}",
        "-filter_complex",
        graph,
        "-ac",
        str(channels),
        "-ar",
        str(rate),
        "-t",
        str(seconds),
        str(path),
    )
    return path


def video_with_audio(path: Path, seconds: float = 8.0) -> Path:
    """A small H.264 (MP4/MOV) or MPEG-4 (MKV) video with a speech-like AAC/Vorbis-free audio track."""
    vcodec = ["-c:v", "libx264", "-preset", "ultrafast"] if _has_encoder("libx264") else ["-c:v", "mpeg4"]
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc=d={seconds}:s=160x120:r=10",
        "-f",
        "lavfi",
        "-i",
        SPEECHY.format(seed=4),
        "-map",
        "0:v",
        "-map",
        "1:a",
        *vcodec,
        "-c:a",
        "aac",
        "-ac",
        "2",
        "-ar",
        "48000",
        "-t",
        str(seconds),
        "-shortest",
        str(path),
    )
    return path


def video_only(path: Path, seconds: float = 3.0) -> Path:
    vcodec = ["-c:v", "libx264", "-preset", "ultrafast"] if _has_encoder("libx264") else ["-c:v", "mpeg4"]
    ffmpeg("-f", "lavfi", "-i", f"testsrc=d={seconds}:s=160x120:r=10", *vcodec, str(path))
    return path


def zero_length_wav(path: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "0", "-c:a", "pcm_s16le", str(path))
    return path


def cut_in_half(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def garbage_in_middle(source: Path, path: Path, fraction: float = 0.1) -> Path:
    """Overwrite a tenth of the file, a third of the way in, with pseudo-random bytes."""
    data = bytearray(source.read_bytes())
    start, length = len(data) // 3, int(len(data) * fraction)
    noise = hashlib.shake_256(b"cerdas").digest(length)
    data[start : start + length] = noise
    path.write_bytes(bytes(data))
    return path


def _has_encoder(name: str) -> bool:
    out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    return re.search(rf"\s{re.escape(name)}\s", out) is not None


# -- workspace --------------------------------------------------------------------------------------------------
def no_whisper(ws: Workspace) -> Workspace:
    """Transcription off (the audio tests do not need a transcript; its own tests run real Whisper)."""
    set_keys(ws, "whisper", enabled=False)
    return ws


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative path → sha256), the lock file aside: "nothing changed" is a dict ==."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != ".cerdas.lock":
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def leftovers(root: Path) -> list[str]:
    """Temporary files or folders a failed write might have left behind."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if ".tmp" in p.name or p.name.startswith(".cerdas-level-")
    )

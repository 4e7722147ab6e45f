"""Tiny real media made with real ffmpeg (and espeak-ng) for tests. Nothing is downloaded."""

from __future__ import annotations

import subprocess
from pathlib import Path


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; tests make fixtures with it (the product itself goes through cerdas.ffmpeg)."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def uneven_speech(path: Path, seconds: float = 12.0, rate: int = 44100, channels: int = 2) -> Path:
    """A speech-like signal: a loud 'host' and a quiet 'guest' taking turns (band-limited noise bursts,
    syllable-rate amplitude modulation), so levelling and loudness behave as on an interview."""
    half = seconds / 2
    voice = (
        "anoisesrc=color=pink:amplitude=0.5:seed={seed},bandpass=f=700:width_type=q:w=0.7,"
        "volume='0.25+0.75*abs(sin(2*PI*3.1*t))':eval=frame"
    )
    graph = (
        f"{voice.format(seed=1)},atrim=0:{half},volume=-6dB[a];"
        f"{voice.format(seed=2)},atrim=0:{half},volume=-26dB[b];"
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


def silence(path: Path, seconds: float = 5.0) -> Path:
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", str(seconds), str(path))
    return path


def speech(path: Path, text: str, voice: str = "id", rate: int = 44100) -> Path:
    """Real synthesised Indonesian speech (espeak-ng), resampled to ``rate``."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
    ffmpeg("-i", str(raw), "-ar", str(rate), str(path))
    raw.unlink()
    return path

"""Fixtures for the transcription tests: real synthesised Indonesian speech with known line times."""

from __future__ import annotations

import re
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from cerdas.devtools.sample import SCRIPT, VOICES
from cerdas.env import Environment
from cerdas.transcribe.formats import character_error_rate
from tests.media import ffmpeg

MODEL_DIR = Environment.from_environ().model_dir
"""The user's model cache, where scripts/test assembled the bundled model (``$CERDAS_MODEL_DIR`` honoured)."""
PAUSE = 1.5  # seconds of silence after each line: keeps the expected times crisp


@dataclass(frozen=True)
class SpokenLine:
    text: str
    start: float
    end: float


def spoken_clip(path: Path, texts: list[tuple[str, str]] | None = None) -> list[SpokenLine]:
    """Write a 44.1 kHz stereo WAV of the lines ``(speaker, text)`` (default: the sample interview's first
    three, about 20 s) said by espeak-ng's Indonesian voices; returns each line with its start and end."""
    texts = texts or [(speaker, text) for speaker, _, text in SCRIPT[:3]]
    parts: list[Path] = []
    lines: list[SpokenLine] = []
    clock = 0.0
    for i, (speaker, text) in enumerate(texts):
        voice, wpm, gain = VOICES[speaker]
        raw = path.with_name(f"{path.stem}-{i}.raw.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(raw), text], check=True)
        with wave.open(str(raw)) as w:
            length = w.getnframes() / w.getframerate()
        part = path.with_name(f"{path.stem}-{i}.wav")
        ffmpeg(
            "-i",
            str(raw),
            "-af",
            f"volume={gain}dB,aresample=44100,apad=pad_dur={PAUSE}",
            "-ac",
            "2",
            "-c:a",
            "pcm_s16le",
            str(part),
        )
        raw.unlink()
        lines.append(SpokenLine(text, clock, clock + length))
        clock += length + PAUSE
        parts.append(part)
    listing = path.with_name(f"{path.stem}-parts.txt")
    listing.write_text("".join(f"file '{p}'\n" for p in parts), encoding="utf-8")
    ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(path))
    for part in parts:
        part.unlink()
    listing.unlink()
    return lines


def words(text: str) -> list[str]:
    """Lower-case words without punctuation."""
    return re.findall(r"\w+", text.lower())


cer = character_error_rate  # the library's own measure, shared with benchmarks/transcribe.py


def uncovered(spoken: list[tuple[float, float]], cues: list[tuple[float, float]], slack: float = 0.5) -> list[float]:
    """How long each stretch of ``spoken`` (start, end) lies outside every cue (each widened by ``slack``
    seconds: word timestamps wobble): the speech a transcript silently leaves out, stretch by stretch."""
    gaps: list[float] = []
    for start, end in spoken:
        parts = [(start, end)]
        for cue_start, cue_end in cues:
            a, b = cue_start - slack, cue_end + slack
            parts = [
                piece
                for x, y in parts
                for piece in (((x, y),) if b <= x or a >= y else ((x, min(a, y)), (max(b, x), y)))
                if piece[1] - piece[0] > 1e-6
            ]
        gaps += [y - x for x, y in parts]
    return gaps

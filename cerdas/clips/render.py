"""Render a clip through the ffmpeg adapter: its audio at -14 LUFS / ≤ -1 dBTP, then the MP4.

The audio is cut from the episode's normalised MP3 (already levelled at -16 LUFS), raised to what social
platforms play at (-14 LUFS) with the same 4x-oversampled limiter as the episode (:mod:`cerdas.media.loudness`),
encoded to AAC and **measured as encoded**; a clip more than 0.3 LU off is corrected and encoded again. The
video pass then copies that AAC track, so what was measured is what is published. H.264 (``veryfast``, CRF 23,
25 frames a second, a key frame every 2 s) + AAC 192 kb/s 48 kHz in MP4 with ``+faststart``: what Instagram,
TikTok, YouTube and WhatsApp take as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from cerdas.clips.picture import FPS, Layout, filtergraph
from cerdas.errors import MediaError
from cerdas.fsutil import atomic_path
from cerdas.media.ffmpeg import FFmpeg, Loudness, parse_loudness
from cerdas.media.loudness import OVERSAMPLE
from cerdas.report import Progress

TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
LIMIT_DBTP = -1.6  # the limiter aims under the ceiling: AAC raises true peak up to 0.5 dB
CLOSE_ENOUGH = 0.3
TOLERANCE = 1.0
MAX_PASSES = 4
RATE = 48000
AUDIO_BITRATE = "192k"
FADE = 0.03  # s: a cut between two samples of speech must not click


@dataclass(frozen=True)
class AudioResult:
    loudness: Loudness
    gain_db: float
    passes: int


def _seek(source: Path, start: float, duration: float) -> list[str]:
    return ["-ss", f"{start:.3f}", "-t", f"{duration:.3f}", "-i", str(source)]


def audio_chain(duration: float, gain_db: float, limit_dbtp: float) -> str:
    """Fades, gain, then a sample-peak limiter at 4x the rate (≈ a true-peak limiter), back to 48 kHz."""
    return ",".join(
        [
            f"afade=t=in:d={FADE}",
            f"afade=t=out:st={max(0.0, duration - FADE):.3f}:d={FADE}",
            f"volume={gain_db:.3f}dB",
            f"aresample={RATE * OVERSAMPLE}:resampler=soxr",
            f"alimiter=limit={10 ** (limit_dbtp / 20):.5f}:attack=5:release=50:level=false",
            f"aresample={RATE}:resampler=soxr",
        ]
    )


def clip_audio(ff: FFmpeg, source: Path, start: float, duration: float, target: Path) -> AudioResult:
    """Write the clip's audio to ``target`` (AAC in M4A) at -14 LUFS, true peak ≤ -1 dBTP, measured as encoded."""
    cut = _seek(source, start, duration)
    run = ff.run([*cut, "-map", "0:a:0", "-af", "ebur128=framelog=verbose", "-f", "null", "-"], source=source)
    before = parse_loudness(run.stderr, source)
    if not math.isfinite(before.integrated) or before.integrated <= -69.0:
        raise MediaError("the clip's stretch of the episode is silent", source)
    gain, limit = TARGET_LUFS - before.integrated, LIMIT_DBTP
    passes = 0
    while True:
        passes += 1
        ff.run(
            [
                *cut,
                "-map",
                "0:a:0",
                "-af",
                audio_chain(duration, gain, limit),
                "-c:a",
                "aac",
                "-b:a",
                AUDIO_BITRATE,
                "-ar",
                str(RATE),
                "-y",
                str(target),
            ],
            source=source,
        )
        after = ff.measure(target)
        off, over = TARGET_LUFS - after.integrated, after.true_peak - CEILING_DBTP
        if (abs(off) <= CLOSE_ENOUGH and over <= 0.0) or passes == MAX_PASSES:
            break
        gain += off
        if over > 0.0:
            limit -= over + 0.1
    if abs(off) > TOLERANCE or over > 0.0:
        raise MediaError(
            f"the clip's audio could not reach {TARGET_LUFS:g} LUFS / {CEILING_DBTP:g} dBTP "
            f"(got {after.integrated:.1f} LUFS, {after.true_peak:.1f} dBTP)",
            source,
        )
    return AudioResult(after, gain, passes)


def render_video(
    ff: FFmpeg,
    layout: Layout,
    workdir: Path,
    audio: Path,
    duration: float,
    target: Path,
    ass_name: str | None,
    progress: Progress | None = None,
) -> None:
    """``workdir/background.png`` + ``audio`` (+ ``workdir/<ass_name>``) → ``target`` (MP4, atomically)."""
    with atomic_path(target) as out:
        ff.pipeline(
            [
                [
                    "-i",
                    "background.png",
                    "-i",
                    str(audio.resolve()),
                    "-filter_complex",
                    filtergraph(layout, duration, ass_name),
                    "-map",
                    "[v]",
                    "-map",
                    "1:a:0",
                    "-c:v",
                    "libx264",
                    "-preset",
                    "veryfast",
                    "-crf",
                    "23",
                    "-pix_fmt",
                    "yuv420p",
                    "-r",
                    str(FPS),
                    "-g",
                    str(FPS * 2),
                    "-c:a",
                    "copy",
                    "-t",
                    f"{duration:.3f}",
                    "-movflags",
                    "+faststart",
                    "-f",
                    "mp4",
                    "-y",
                    str(out.resolve()),
                ]
            ],
            source=audio,
            progress=progress,
            cwd=workdir,
        )

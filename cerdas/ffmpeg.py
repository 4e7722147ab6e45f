"""The one adapter around ffmpeg and ffprobe. Nothing else in Cerdas starts them.

Every failure is an :class:`FFmpegError` naming the input file and carrying ffmpeg's own last words.
Long runs report progress through ``-progress pipe:1`` (seconds of output written).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cerdas.errors import MediaError
from cerdas.report import Progress


class FFmpegError(MediaError):
    """ffmpeg or ffprobe failed on a file; ``stderr`` holds the tail of what it said."""

    def __init__(self, message: str, path: Path | str | None = None, stderr: str = "") -> None:
        super().__init__(message, path)
        self.stderr = stderr


@dataclass(frozen=True)
class AudioStream:
    index: int
    codec: str
    sample_rate: int
    channels: int
    channel_layout: str


@dataclass(frozen=True)
class Probe:
    """What ffprobe says about a file (first audio stream, whether there is real video)."""

    path: Path
    format_name: str
    duration: float
    audio: AudioStream | None
    video_codec: str | None
    width: int | None = None
    height: int | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    def facts(self) -> dict[str, Any]:
        """A TOML-friendly summary for ``episode.toml``."""
        out: dict[str, Any] = {"format": self.format_name, "duration": round(self.duration, 3)}
        if self.audio:
            out.update(
                audio_codec=self.audio.codec,
                sample_rate=self.audio.sample_rate,
                channels=self.audio.channels,
                channel_layout=self.audio.channel_layout,
            )
        if self.video_codec:
            out.update(video_codec=self.video_codec, width=self.width or 0, height=self.height or 0)
        return out


@dataclass(frozen=True)
class FFmpegRun:
    """What a finished ffmpeg run left: its stderr and how many seconds of output it wrote."""

    stderr: str
    seconds: float


@dataclass(frozen=True)
class Loudness:
    """EBU R128 measurement by ffmpeg's ``ebur128`` filter."""

    integrated: float  # LUFS; -70 means nothing above the absolute gate (silence)
    true_peak: float  # dBTP; -inf for digital silence
    lra: float  # LU
    threshold: float  # LUFS
    duration: float  # seconds actually decoded

    def as_dict(self) -> dict[str, float]:
        def fin(v: float) -> float:
            return round(v, 2) if math.isfinite(v) else -999.0

        return {
            "integrated_lufs": fin(self.integrated),
            "true_peak_dbtp": fin(self.true_peak),
            "lra_lu": fin(self.lra),
            "decoded_seconds": round(self.duration, 3),
        }


_SUMMARY = re.compile(
    r"Summary:.*?I:\s+(?P<i>-?[\d.]+|-inf) LUFS.*?Threshold:\s+(?P<thr>-?[\d.]+|-inf) LUFS"
    r".*?LRA:\s+(?P<lra>-?[\d.]+|-?inf|nan) LU.*?Peak:\s+(?P<tp>-?[\d.]+|-?inf) dBFS",
    re.S,
)


class FFmpeg:
    """ffmpeg and ffprobe behind one object (binaries overridable by ``CERDAS_FFMPEG``/``CERDAS_FFPROBE``)."""

    def __init__(self, ffmpeg: str | None = None, ffprobe: str | None = None) -> None:
        self.ffmpeg = ffmpeg or os.environ.get("CERDAS_FFMPEG", "ffmpeg")
        self.ffprobe = ffprobe or os.environ.get("CERDAS_FFPROBE", "ffprobe")

    def check(self) -> None:
        """Raise a clear error when ffmpeg or ffprobe is not installed."""
        for binary in (self.ffmpeg, self.ffprobe):
            if shutil.which(binary) is None:
                raise MediaError(f"{binary} is not installed (on Debian: apt-get install ffmpeg)")

    def version(self) -> str:
        self.check()
        out = subprocess.run([self.ffmpeg, "-version"], capture_output=True, text=True, check=False)
        return out.stdout.splitlines()[0] if out.stdout else "unknown"

    # -- probing -----------------------------------------------------------------------------------------
    def probe(self, path: Path) -> Probe:
        """Probe ``path``; raises when it is missing, empty or not media at all."""
        if not path.exists():
            raise MediaError("file not found", path)
        if not path.is_file():
            raise MediaError("not a regular file", path)
        if path.stat().st_size == 0:
            raise MediaError("file is empty (0 bytes)", path)
        self.check()
        cmd = [self.ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise FFmpegError(f"not a media file ffmpeg can read ({_last_line(proc.stderr)})", path, proc.stderr)
        info = json.loads(proc.stdout or "{}")
        streams = info.get("streams", [])
        fmt = info.get("format", {})
        audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
        video = next(
            (
                s
                for s in streams
                if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
            ),
            None,
        )
        duration = _num(fmt.get("duration")) or (_num(audio.get("duration")) if audio else 0.0)
        stream = None
        if audio is not None:
            stream = AudioStream(
                index=int(audio.get("index", 0)),
                codec=str(audio.get("codec_name", "unknown")),
                sample_rate=int(_num(audio.get("sample_rate")) or 0),
                channels=int(audio.get("channels", 0) or 0),
                channel_layout=str(audio.get("channel_layout", "") or ""),
            )
        return Probe(
            path=path,
            format_name=str(fmt.get("format_name", "unknown")),
            duration=duration or 0.0,
            audio=stream,
            video_codec=str(video.get("codec_name")) if video else None,
            width=int(video["width"]) if video and "width" in video else None,
            height=int(video["height"]) if video and "height" in video else None,
            tags={str(k).lower(): str(v) for k, v in fmt.get("tags", {}).items()},
        )

    # -- running -----------------------------------------------------------------------------------------
    def run(
        self,
        args: Sequence[str],
        *,
        source: Path,
        progress: Progress | None = None,
    ) -> FFmpegRun:
        """Run ``ffmpeg <args>``; ``source`` is the file named in errors."""
        self.check()
        cmd = [self.ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1", *args]
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
            assert proc.stdout is not None
            seconds = 0.0
            for line in proc.stdout:
                if line.startswith("out_time_us="):
                    value = line.split("=", 1)[1].strip()
                    if value.lstrip("-").isdigit():
                        seconds = max(seconds, int(value) / 1e6)
                        if progress is not None:
                            progress.update(seconds)
            code = proc.wait()
            err.seek(0)
            stderr = err.read()
        if code != 0:
            raise FFmpegError(f"ffmpeg failed ({_last_line(stderr)})", source, stderr)
        return FFmpegRun(stderr, seconds)

    def measure(
        self, path: Path, filters: str | None = None, progress: Progress | None = None, stream: int | None = None
    ) -> Loudness:
        """Decode ``path`` (through ``filters`` if given) and measure it with ``ebur128=peak=true``.

        Memory stays flat: ffmpeg streams the file; nothing is held in Python.
        """
        chain = f"{filters}," if filters else ""
        amap = f"0:{stream}" if stream is not None else "0:a:0"
        result = self.run(
            ["-i", str(path), "-map", amap, "-af", f"{chain}ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
            source=path,
            progress=progress,
        )
        return parse_loudness(result.stderr, path, result.seconds)


def parse_loudness(stderr: str, path: Path, seconds: float = 0.0) -> Loudness:
    """Read the ``ebur128`` summary (and the decoded duration) from ffmpeg's stderr."""
    matches = list(_SUMMARY.finditer(stderr))
    match = matches[-1] if matches else None
    if match is None:
        raise FFmpegError(f"no loudness summary from ffmpeg ({_last_line(stderr)})", path, stderr)
    lra = match["lra"]
    return Loudness(
        integrated=float(match["i"]),
        true_peak=float(match["tp"]),
        lra=float(lra) if lra not in ("nan",) else 0.0,
        threshold=float(match["thr"]),
        duration=seconds,
    )


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _last_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.strip().splitlines() if ln.strip()]
    for line in reversed(lines):
        if "Conversion failed" not in line and not line.startswith("["):
            return line[:200]
    return lines[-1][:200] if lines else "no message"

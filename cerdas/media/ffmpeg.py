"""The one adapter around ffmpeg and ffprobe. Nothing else in Cerdas starts them.

Every failure is an :class:`FFmpegError` naming the input file and carrying ffmpeg's own last words.
Long runs report progress through ``-progress pipe:1`` (seconds of output written).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cerdas.env import Environment
from cerdas.errors import MediaError
from cerdas.facts import LoudnessMeasure, ProbeFacts
from cerdas.procs import die_with_parent, kill_group
from cerdas.report import Progress


class FFmpegError(MediaError):
    """ffmpeg or ffprobe failed on a file; ``stderr`` holds the tail of what it said."""

    def __init__(self, message: str, path: Path | str | None = None, stderr: str = "") -> None:
        super().__init__(message, path)
        self.stderr = stderr

    @property
    def no_space(self) -> bool:
        """The device ffmpeg wrote to was full."""
        return _NO_SPACE in self.stderr


@dataclass(frozen=True)
class AudioStream:
    index: int
    codec: str
    sample_rate: int
    channels: int
    channel_layout: str
    duration: float = 0.0  # seconds the container promises for this stream; 0 when it does not say


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

    def facts(self) -> ProbeFacts:
        """What ``episode.toml`` keeps of the probe."""
        audio = self.audio
        video = self.video_codec is not None
        return ProbeFacts(
            format=self.format_name,
            duration=round(self.duration, 3),
            audio_codec=audio.codec if audio else None,
            sample_rate=audio.sample_rate if audio else None,
            channels=audio.channels if audio else None,
            channel_layout=audio.channel_layout if audio else None,
            video_codec=self.video_codec,
            width=(self.width or 0) if video else None,
            height=(self.height or 0) if video else None,
        )


@dataclass(frozen=True)
class FFmpegRun:
    """What a finished ffmpeg run left: its stderr and how many seconds of output it wrote."""

    stderr: str
    seconds: float


@dataclass(frozen=True)
class Loudness:
    """EBU R128 measurement by ffmpeg's ``ebur128`` filter."""

    integrated: float  # LUFS; -70 means nothing above the absolute gate (silence)
    true_peak: float  # dBTP; -inf for digital silence, nan when not measured
    lra: float  # LU
    threshold: float  # LUFS
    duration: float  # seconds actually decoded
    errors: tuple[str, ...] = ()  # error-level messages ffmpeg printed while decoding (``check_errors``)

    def measure(self) -> LoudnessMeasure:
        """What ``episode.toml`` keeps: rounded, -999 for -inf (digital silence), no true peak if not measured."""

        def stored(value: float) -> float | None:
            if math.isnan(value):
                return None
            return round(value, 2) if math.isfinite(value) else -999.0

        integrated = stored(self.integrated)
        return LoudnessMeasure(
            integrated_lufs=integrated if integrated is not None else -999.0,
            true_peak_dbtp=stored(self.true_peak),
            lra_lu=stored(self.lra),
            decoded_seconds=round(self.duration, 3),
        )

    @classmethod
    def from_measure(cls, stored: LoudnessMeasure) -> Loudness:
        """A stored measurement back as a :class:`Loudness` (what was not measured is nan)."""
        nan = math.nan
        return cls(
            stored.integrated_lufs,
            stored.true_peak_dbtp if stored.true_peak_dbtp is not None else nan,
            stored.lra_lu if stored.lra_lu is not None else nan,
            0.0,
            stored.decoded_seconds,
        )


_NO_SPACE = "No space left on device"
_SUMMARY = re.compile(
    r"Summary:.*?I:\s+(?P<i>-?[\d.]+|-inf) LUFS.*?Threshold:\s+(?P<thr>-?[\d.]+|-inf) LUFS"
    r".*?LRA:\s+(?P<lra>-?[\d.]+|-?inf|nan) LU(?:.*?Peak:\s+(?P<tp>-?[\d.]+|-?inf) dBFS)?",
    re.S,
)


class FFmpeg:
    """ffmpeg and ffprobe behind one object (the programs: ``CERDAS_FFMPEG``/``CERDAS_FFPROBE`` through
    :meth:`from_env`, else the ones on PATH)."""

    def __init__(self, ffmpeg: str = "ffmpeg", ffprobe: str = "ffprobe") -> None:
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe

    @classmethod
    def from_env(cls, env: Environment) -> FFmpeg:
        return cls(env.ffmpeg, env.ffprobe)

    def check(self) -> None:
        """Raise a clear error when ffmpeg or ffprobe is not installed."""
        for binary in (self.ffmpeg, self.ffprobe):
            if shutil.which(binary) is None:
                raise MediaError(f"{binary} is not installed (on Debian: apt-get install ffmpeg)")

    def version(self) -> str:
        self.check()
        out = subprocess.run(
            [self.ffmpeg, "-version"], capture_output=True, text=True, check=False, preexec_fn=die_with_parent()
        )
        return out.stdout.splitlines()[0] if out.stdout else "unknown"

    def has_filter(self, name: str) -> bool:
        """Whether this ffmpeg has the filter ``name`` (``ass`` needs libass: clips burn captions in with it)."""
        self.check()
        out = subprocess.run(
            [self.ffmpeg, "-hide_banner", "-filters"],
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=die_with_parent(),
        ).stdout
        return any(line.split()[1:2] == [name] for line in out.splitlines())

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
        proc = subprocess.run(
            cmd, capture_output=True, text=True, check=False, process_group=0, preexec_fn=die_with_parent()
        )
        if proc.returncode != 0:
            if "moov atom not found" in proc.stderr:
                raise FFmpegError(
                    "truncated or unfinished MP4/M4A/MOV: its index ('moov') is missing; the "
                    "recording was probably not stopped properly",
                    path,
                    proc.stderr,
                )
            if "Permission denied" in proc.stderr:
                raise FFmpegError("permission denied: the file cannot be read", path, proc.stderr)
            said = _last_line(proc.stderr).replace(f"{path}: ", "")
            raise FFmpegError(f"not a media file ffmpeg can read ({said})", path, proc.stderr)
        info = json.loads(proc.stdout or "{}")
        streams = info.get("streams", [])
        fmt = info.get("format", {})
        audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
        video = next(
            (s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")),
            None,
        )
        duration = _num(fmt.get("duration")) or (_num(audio.get("duration")) if audio else 0.0)
        stream = None
        if audio is not None:
            tag_duration = {str(k).lower(): v for k, v in audio.get("tags", {}).items()}.get("duration")
            stream = AudioStream(
                index=int(audio.get("index", 0)),
                codec=str(audio.get("codec_name", "unknown")),
                sample_rate=int(_num(audio.get("sample_rate")) or 0),
                channels=int(audio.get("channels", 0) or 0),
                channel_layout=str(audio.get("channel_layout", "") or ""),
                duration=_num(audio.get("duration")) or _clock(tag_duration) or 0.0,
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
        return self.pipeline([args], source=source, progress=progress)[0]

    def pipeline(
        self,
        commands: Sequence[Sequence[str]],
        *,
        source: Path,
        progress: Progress | None = None,
        cwd: Path | None = None,
    ) -> list[FFmpegRun]:
        """Run several ffmpeg processes at once, each one's stdout feeding the next one's stdin.

        ffmpeg 5.1 filters and encodes in one thread; a chain split over processes (filter | encode | measure)
        keeps every core busy while memory stays flat (the pipes carry the audio, Python never holds it).
        Progress comes from the last process; a failure names ``source`` and carries that process's stderr.
        ``cwd`` is the folder relative output names are written to. The processes share a process group of
        their own and die with this thread (:mod:`cerdas.procs`): a killed Cerdas leaves no ffmpeg behind.
        """
        # Long on purpose: starting, feeding and reaping the processes is one piece; split, a kill could orphan one.
        self.check()
        if not commands:
            return []
        procs: list[subprocess.Popen[Any]] = []
        seconds = 0.0
        with contextlib.ExitStack() as stack:
            errs = [
                stack.enter_context(tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace"))
                for _ in commands
            ]
            try:
                previous: Any = None
                for i, args in enumerate(commands):
                    last = i == len(commands) - 1
                    cmd = [self.ffmpeg, "-hide_banner", "-nostdin", "-nostats"]
                    if last:
                        cmd += ["-progress", "pipe:1"]
                    proc = subprocess.Popen(
                        [*cmd, *args],
                        stdin=previous if previous is not None else subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=errs[i],
                        text=last,
                        cwd=cwd,
                        process_group=procs[0].pid if procs else 0,
                        preexec_fn=die_with_parent(),
                    )
                    if previous is not None:
                        previous.close()  # the child holds it now; a dead reader must give the writer EPIPE
                    previous = proc.stdout
                    procs.append(proc)
                out = procs[-1].stdout
                assert out is not None
                for line in out:
                    if line.startswith("out_time_us="):
                        value = line.split("=", 1)[1].strip()
                        if value.lstrip("-").isdigit():
                            seconds = max(seconds, int(value) / 1e6)
                            if progress is not None:
                                progress.update(seconds)
                out.close()
                codes = [proc.wait() for proc in procs]
            except BaseException:
                if procs:
                    kill_group(procs[0].pid)
                for proc in procs:
                    if proc.poll() is None:
                        proc.kill()
                    proc.wait()
                raise
            stderrs = []
            for err in errs:
                err.seek(0)
                stderrs.append(err.read())
        failed = [i for i, code in enumerate(codes) if code != 0]
        if failed:
            # The process that broke first is the one whose failure is not a broken pipe to its neighbour.
            first = next((i for i in failed if "Broken pipe" not in stderrs[i]), failed[0])
            stderr = stderrs[first]
            full = next((text for text in stderrs if _NO_SPACE in text), None)
            if full is not None:
                raise FFmpegError(f"no space left on the device while writing {_output_of(commands)}", source, full)
            if codes[first] < 0:
                raise FFmpegError(f"ffmpeg was stopped by signal {-codes[first]}", source, stderr)
            raise FFmpegError(f"ffmpeg failed ({_last_line(stderr)})", source, stderr)
        return [FFmpegRun(text, seconds) for text in stderrs]

    def measure(
        self,
        path: Path,
        filters: str | None = None,
        progress: Progress | None = None,
        stream: int | None = None,
        check_errors: bool = False,
    ) -> Loudness:
        """Decode ``path`` (through ``filters`` if given) and measure it with ``ebur128=peak=true``.

        Memory stays flat: ffmpeg streams the file; nothing is held in Python. With ``check_errors`` every
        error-level message ffmpeg prints while demuxing and decoding (corrupt frames, CRC mismatches, broken
        timestamps) is collected in ``Loudness.errors``: a damaged file decodes "successfully" otherwise.
        """
        chain = f"{filters}," if filters else ""
        amap = f"0:{stream}" if stream is not None else "0:a:0"
        level = ["-loglevel", "level+info"] if check_errors else []
        result = self.run(
            [
                *level,
                "-i",
                str(path),
                "-map",
                amap,
                "-af",
                f"{chain}ebur128=peak=true:framelog=verbose",
                "-f",
                "null",
                "-",
            ],
            source=path,
            progress=progress,
        )
        loud = parse_loudness(result.stderr, path, result.seconds)
        if check_errors:
            loud = replace(loud, errors=tuple(error_lines(result.stderr)))
        return loud


def error_lines(stderr: str) -> list[str]:
    """The error-level messages in an ffmpeg log written with ``-loglevel level+...``, without the prefixes."""
    found = []
    for line in stderr.splitlines():
        for marker in ("[error] ", "[fatal] "):
            at = line.find(marker)
            if at >= 0:
                text = line[at + len(marker) :].strip()
                if text and not text.startswith("Last message repeated"):
                    found.append(text)
                break
    return found


def _output_of(commands: Sequence[Sequence[str]]) -> str:
    """The file a command list writes (the last argument that is not a pipe or null), for error messages."""
    for args in reversed(commands):
        if args and args[-1] not in ("-", "pipe:1", "pipe:") and "|" not in args[-1]:
            return Path(args[-1]).name
    return "the output"


def parse_loudness(stderr: str, path: Path, seconds: float = 0.0) -> Loudness:
    """Read the ``ebur128`` summary (and the decoded duration) from ffmpeg's stderr."""
    matches = list(_SUMMARY.finditer(stderr))
    match = matches[-1] if matches else None
    if match is None:
        raise FFmpegError(f"no loudness summary from ffmpeg ({_last_line(stderr)})", path, stderr)
    lra = match["lra"]
    return Loudness(
        integrated=float(match["i"]),
        true_peak=float(match["tp"]) if match["tp"] else math.nan,  # nan: measured without peak=true
        lra=float(lra) if lra not in ("nan",) else 0.0,
        threshold=float(match["thr"]),
        duration=seconds,
    )


def _clock(value: Any) -> float | None:
    """``"01:02:03.5"`` (Matroska's DURATION tag) → seconds."""
    if not isinstance(value, str):
        return None
    parts = value.strip().split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    total = 0.0
    for number in numbers:
        total = total * 60 + number
    return total if math.isfinite(total) and total > 0 else None


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _last_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.strip().splitlines() if ln.strip()]
    lines = [ln for ln in lines if "Last message repeated" not in ln] or lines  # a repeat counter says nothing
    for line in reversed(lines):
        if "Conversion failed" not in line and not line.startswith("["):
            return line[:200]
    return lines[-1][:200] if lines else "no message"

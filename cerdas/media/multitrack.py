"""Multitrack recordings: one microphone per speaker (one file each, or the two channels of a stereo file).

Which track is active says exactly who speaks, with no model: every track is measured in 20 ms frames, each
frame's level is compared with that track's own speech level (so a quiet guest on a quiet microphone counts as
much as a loud host), and a frame belongs to the track that is loudest *relative to its own speech*. A voice
leaking into a neighbour's microphone (bleed, crosstalk) is far below that microphone's own speech level, so it
never wins the frame and never makes a false turn. Short blips are removed and short pauses inside a turn kept.

The same analysis levels the tracks before the mix (as Auphonic's multitrack leveller does): each speaker's turns
are brought to one speech level, and a track is turned down 18 dB while its speaker is silent, so that raising a
quiet guest does not raise the room noise and the host's bleed in the guest's microphone. The gain curve of each
track (50 values a second) goes to ffmpeg as a tiny raw file, upsampled and multiplied with the track there; no
audio passes through Python except the 8 kHz analysis copy, read in blocks.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cerdas.errors import MediaError
from cerdas.fsutil import work_folder
from cerdas.media.ffmpeg import FFmpeg, Loudness, Probe, parse_loudness

FRAME = 0.02  # seconds per analysis frame
ENVELOPE_RATE = 50  # gain values per second (1 / FRAME)
ANALYSIS_RATE = 8000
MAX_LENGTH_DIFFERENCE = 1.0  # seconds two tracks may differ
TARGET_DB = -20.0  # the speech level every turn is brought to before the mix
GATE_DB = -18.0  # how far a track is turned down while its speaker is silent
MAX_BOOST_DB = 30.0
MAX_CUT_DB = -15.0
_BLOCK = 1 << 20  # samples read at a time


@dataclass(frozen=True)
class TrackInput:
    """A track to read: a file, and the channel of it that holds the speaker (None: the whole file, downmixed)."""

    path: Path
    channel: int | None = None

    @property
    def label(self) -> str:
        """How errors name the track: ``guest.wav`` or ``stereo.wav (right channel)``."""
        if self.channel is None:
            return self.path.name
        side = {0: "left", 1: "right"}.get(self.channel, f"channel {self.channel + 1}")
        return f"{self.path.name} ({side} channel)"

    def select(self) -> str:
        """The filter that takes this track's signal out of its file, as mono."""
        if self.channel is None:
            return "aformat=channel_layouts=mono"
        return f"pan=mono|c0=c{self.channel}"


@dataclass(frozen=True)
class Activity:
    """The analysis of the tracks: per frame, the active track (-1: nobody); per track, levels in dB."""

    labels: np.ndarray  # int, one per frame
    levels: np.ndarray  # float dB, (tracks, frames)
    speech_db: tuple[float, ...]
    noise_db: tuple[float, ...]

    def turns(self) -> list[tuple[float, float, int]]:
        """``(start, end, track)`` for every stretch of one active track."""
        out: list[tuple[float, float, int]] = []
        labels = self.labels
        if labels.size == 0:
            return out
        edges = np.flatnonzero(np.diff(labels)) + 1
        starts = np.concatenate(([0], edges))
        ends = np.concatenate((edges, [labels.size]))
        for a, b in zip(starts, ends, strict=True):
            if labels[a] >= 0:
                out.append((round(a * FRAME, 3), round(b * FRAME, 3), int(labels[a])))
        return out


def check_lengths(probes: Sequence[tuple[TrackInput, Probe]]) -> None:
    """Refuse tracks whose lengths differ by more than :data:`MAX_LENGTH_DIFFERENCE`, naming them."""
    durations = [(t, p.audio.duration if p.audio and p.audio.duration > 0 else p.duration) for t, p in probes]
    shortest = min(durations, key=lambda d: d[1])
    longest = max(durations, key=lambda d: d[1])
    if longest[1] - shortest[1] > MAX_LENGTH_DIFFERENCE:
        raise MediaError(
            f"the tracks differ in length: {shortest[0].label} is {shortest[1]:.1f} s, {longest[0].label} "
            f"{longest[1]:.1f} s (more than {MAX_LENGTH_DIFFERENCE:.0f} s apart); export every track from the "
            "same start to the same end",
            longest[0].path,
        )


def _frame_power(ff: FFmpeg, track: TrackInput, workdir: Path, index: int) -> np.ndarray:
    """Mean square of each 20 ms frame of ``track`` (decoded at 8 kHz into ``workdir`` and read in blocks)."""
    raw = workdir / f"analysis-{index}.raw"
    ff.run(
        [
            "-y",
            "-i",
            str(track.path),
            "-map",
            "0:a:0",
            "-af",
            f"{track.select()},aresample={ANALYSIS_RATE}",
            "-f",
            "s16le",
            "-ac",
            "1",
            "-c:a",
            "pcm_s16le",
            str(raw),
        ],
        source=track.path,
    )
    try:
        samples = np.memmap(raw, dtype="<i2", mode="r") if raw.stat().st_size else np.zeros(0, dtype="<i2")
        per = int(ANALYSIS_RATE * FRAME)
        frames = len(samples) // per
        power = np.empty(frames, dtype=np.float64)
        step = (_BLOCK // per) * per
        for at in range(0, frames * per, step):
            block = np.asarray(samples[at : min(at + step, frames * per)], dtype=np.float64) / 32768.0
            power[at // per : at // per + len(block) // per] = (block.reshape(-1, per) ** 2).mean(axis=1)
        del samples
    finally:
        raw.unlink(missing_ok=True)
    return power


def _smooth(values: np.ndarray, width: int) -> np.ndarray:
    if width <= 1 or values.size == 0:
        return values
    kernel = np.ones(width) / width
    return np.convolve(values, kernel, mode="same")


def _fill_gaps(labels: np.ndarray, longest: int) -> np.ndarray:
    """Pauses (-1) of at most ``longest`` frames between two stretches of the same track become that track."""
    out = labels.copy()
    runs = _runs(out)
    for k in range(1, len(runs) - 1):
        a, b, value = runs[k]
        if value < 0 and b - a <= longest and runs[k - 1][2] == runs[k + 1][2] >= 0:
            out[a:b] = runs[k - 1][2]
    return out


def _drop_blips(labels: np.ndarray, shortest: int) -> np.ndarray:
    """Stretches of a track shorter than ``shortest`` frames are taken by their neighbours (or silence)."""
    out = labels.copy()
    for a, b, value in _runs(out):
        if value >= 0 and b - a < shortest:
            before = out[a - 1] if a > 0 else -1
            after = out[b] if b < out.size else -1
            out[a:b] = before if before == after else -1
    return out


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    if labels.size == 0:
        return []
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [labels.size]))
    return [(int(a), int(b), int(labels[a])) for a, b in zip(starts, ends, strict=True)]


def analyse_activity(ff: FFmpeg, tracks: Sequence[TrackInput], workdir: Path | None = None) -> Activity:
    """Who is active in each 20 ms frame (see the module docstring)."""
    with contextlib.ExitStack() as stack:
        tmp = (
            stack.enter_context(work_folder(workdir, ".cerdas-tracks-"))
            if workdir
            else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cerdas-tracks-")))
        )
        powers = [_frame_power(ff, track, tmp, i) for i, track in enumerate(tracks)]
    frames = max(len(p) for p in powers)
    levels = np.full((len(tracks), frames), -120.0)
    for i, power in enumerate(powers):
        levels[i, : len(power)] = 10 * np.log10(_smooth(power, 5) + 1e-12)
    noise, speech = [], []
    for i in range(len(tracks)):
        floor = float(np.percentile(levels[i], 10))
        loud = levels[i][levels[i] > floor + 10]
        noise.append(floor)
        speech.append(float(np.percentile(loud, 95)) if loud.size >= 50 else float(np.percentile(levels[i], 99)))
    relative = levels - np.array(speech)[:, None]
    candidate = (levels > np.array(noise)[:, None] + 10) & (relative > -25)
    scored = np.where(candidate, relative, -np.inf)
    labels = np.where(candidate.any(axis=0), scored.argmax(axis=0), -1)
    labels = _drop_blips(_fill_gaps(_drop_blips(labels, 8), 40), 15)  # 0.16 s, 0.8 s, 0.3 s
    return Activity(labels.astype(int), levels, tuple(speech), tuple(noise))


def gain_curves(activity: Activity) -> np.ndarray:
    """Per track, the gain (linear, 50 values a second) that levels its turns and turns it down in between."""
    tracks, frames = activity.levels.shape
    curves = np.zeros((tracks, frames))
    runs = _runs(activity.labels)
    for i in range(tracks):
        turn_gains = []
        db = np.full(frames, np.nan)
        for a, b, value in runs:
            if value != i:
                continue
            level = float(np.percentile(activity.levels[i, a:b], 95))
            gain = min(MAX_BOOST_DB, max(MAX_CUT_DB, TARGET_DB - level))
            turn_gains.append(gain)
            db[max(0, a - 5) : min(frames, b + 15)] = gain  # open 0.1 s early, hold 0.3 s
        closed = (float(np.median(turn_gains)) if turn_gains else TARGET_DB - activity.speech_db[i]) + GATE_DB
        db = np.where(np.isnan(db), min(closed, MAX_BOOST_DB + GATE_DB), db)
        curves[i] = 10 ** (_smooth(np.pad(db, 2, mode="edge"), 5)[2:-2] / 20)
    return curves


def level_graph(
    ff: FFmpeg, tracks: Sequence[TrackInput], workdir: Path, sample_rate: int, layout: str
) -> tuple[list[str], str]:
    """ffmpeg input arguments and a filter graph (output ``[mix]``) that level each track and mix them.

    The gain curves are written into ``workdir`` (a few kB a minute) and named relative to it: ffmpeg runs there.
    """
    activity = analyse_activity(ff, tracks, workdir)
    curves = gain_curves(activity)
    inputs: list[str] = []
    for track in tracks:
        inputs += ["-i", str(track.path.resolve())]
    parts = []
    for i, (track, curve) in enumerate(zip(tracks, curves, strict=True)):
        name = f"gain-{i}.raw"
        padded = np.concatenate((curve, np.full(ENVELOPE_RATE * 2, curve[-1] if curve.size else 1.0)))
        (workdir / name).write_bytes(padded.astype("<f4").tobytes())
        inputs += ["-f", "f32le", "-ar", str(ENVELOPE_RATE), "-ac", "1", "-i", name]
        g = len(tracks) + i
        parts.append(
            f"[{i}:a:0]{track.select()},highpass=f=70,aresample={sample_rate}:resampler=soxr,"
            f"aformat=sample_fmts=flt:channel_layouts=mono[t{i}];"
            f"[{g}:a:0]aresample={sample_rate}:resampler=soxr,aformat=sample_fmts=flt:channel_layouts=mono[g{i}];"
            f"[t{i}][g{i}]amultiply[l{i}]"
        )
    labels = "".join(f"[l{i}]" for i in range(len(tracks)))
    graph = ";".join(parts) + (
        f";{labels}amix=inputs={len(tracks)}:normalize=0:duration=longest,"
        f"aformat=sample_fmts=flt:channel_layouts={layout}[mix]"
    )
    return inputs, graph


def measure_mix(ff: FFmpeg, tracks: Sequence[TrackInput]) -> Loudness:
    """The loudness of the plain sum of the tracks (what the recording sounds like before any levelling)."""
    inputs: list[str] = []
    for track in tracks:
        inputs += ["-i", str(track.path)]
    chain = ";".join(f"[{i}:a:0]{t.select()},aresample=48000[t{i}]" for i, t in enumerate(tracks))
    labels = "".join(f"[t{i}]" for i in range(len(tracks)))
    graph = f"{chain};{labels}amix=inputs={len(tracks)}:normalize=0:duration=longest,ebur128=peak=true:framelog=verbose"
    run = ff.run([*inputs, "-filter_complex", graph, "-f", "null", "-"], source=tracks[0].path)
    return parse_loudness(run.stderr, tracks[0].path, run.seconds)

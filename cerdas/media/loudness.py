"""Stage 2, level and normalise: even out the speakers, then hit the loudness target *on the encoded file*.

The chain is the measured recipe (README, "Audio"; 30 minutes levelled in 14 s where two-pass ``loudnorm``
takes two minutes and lands short on interviews): ``highpass + dynaudnorm`` levels the speech; ``volume`` +
a true-peak limiter at 4x the sample rate + the MP3 encoder make the episode; ``ebur128`` measures the encoded
file. Each run is a pipe of ffmpeg processes (filter | encode | measure) so that both cores work and memory
stays flat; no audio passes through Python.

1. *level*: decode and level the source once into a float WAV in a temporary folder (about 21 MB a minute,
   stereo), measuring it on the way (integrated loudness ``L``).
2. *probe* (long episodes): run gain, limiter and encoder on a minute of excerpts to learn how much they shift
   loudness (MP3 128k costs about 0.45 LU here); the full encode then aims for it.
3. *encode*: gain + limiter + MP3 encoder, measured as it is written. If it lands more than
   :data:`CLOSE_ENOUGH` off, or over the ceiling, the gain (or the limiter) is corrected and it runs again.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from cerdas.episode import Episode
from cerdas.errors import MediaError, StageError
from cerdas.facts import IngestFacts, LoudnessFacts, StageName
from cerdas.fsutil import atomic_path, work_folder
from cerdas.media.ffmpeg import FFmpeg, FFmpegError, Loudness, parse_loudness
from cerdas.media.multitrack import TrackInput, level_graph
from cerdas.pipeline import BaseStage, Context, StageOutput
from cerdas.report import Reporter
from cerdas.settings import AudioSettings

ALGORITHM = "level-v2"
MULTITRACK_ALGORITHM = "tracks-v1"  # each track levelled and gated on its own, then mixed
LEVELLER = "highpass=f=70,dynaudnorm=f=250:g=15:m=30:p=0.5:r=0.1"
OVERSAMPLE = 4
AIM_BELOW_CEILING = 0.5  # dB: the limiter aims under the ceiling; the encoder overshoots a little
CLOSE_ENOUGH = 0.2  # LU: stop correcting once the encoded file is this close
MAX_PASSES = 4
PROBE_FROM = 120.0  # s: shorter episodes go straight to a full encode (a second pass costs little)
PROBE_PIECES = 6
PROBE_PIECE = 10.0  # s
LEVELLED = "levelled.wav"  # the levelled speech, 32-bit float, in the stage's temporary folder
WORK_PREFIX = ".cerdas-level-"  # the temporary folder beside the target: .cerdas-level-<pid>-<random>


@dataclass(frozen=True)
class NormaliseResult:
    before: Loudness
    levelled: Loudness
    after: Loudness
    gain_db: float
    limit_dbtp: float
    passes: int
    predicted_shift: float  # LU the probe expected the limiter + encoder to move loudness (0 without probe)


def _layout(channels: int) -> str:
    return "mono" if channels == 1 else "stereo"


def level_filters(audio: AudioSettings) -> list[str]:
    """Downmix to the output layout first (normalising, then downmixing, would cost ~3.7 LU), level, resample."""
    layout = _layout(audio.channels)
    chain = [f"aformat=channel_layouts={layout}"]
    if audio.leveler:
        chain.append(LEVELLER)
    chain += [f"aresample={audio.sample_rate}:resampler=soxr", f"aformat=sample_fmts=flt:channel_layouts={layout}"]
    return chain


def limit_filters(audio: AudioSettings, gain_db: float, limit_dbtp: float) -> list[str]:
    """Gain, then a sample-peak limiter at 4x the rate (≈ a true-peak limiter), then back to the output rate."""
    rate = audio.sample_rate
    return [
        f"volume={gain_db:.3f}dB",
        f"aresample={rate * OVERSAMPLE}:resampler=soxr",
        f"alimiter=limit={10 ** (limit_dbtp / 20):.5f}:attack=5:release=50:level=false",
        f"aresample={rate}:resampler=soxr",
    ]


def _raw(audio: AudioSettings) -> list[str]:
    return ["-f", "f32le", "-ac", str(audio.channels), "-ar", str(audio.sample_rate)]


def _mp3(audio: AudioSettings) -> list[str]:
    return ["-map", "0:a", "-c:a", "libmp3lame", "-b:a", f"{audio.bitrate_kbps}k"]


def mix_filters(audio: AudioSettings) -> list[str]:
    """After a multitrack mix (each track levelled on its own): no second leveller, only the output format."""
    layout = _layout(audio.channels)
    return [f"aresample={audio.sample_rate}:resampler=soxr", f"aformat=sample_fmts=flt:channel_layouts={layout}"]


def analyse(
    ff: FFmpeg,
    source: Path,
    workdir: Path,
    audio: AudioSettings,
    reporter: Reporter,
    duration: float,
    tracks: Sequence[TrackInput] = (),
) -> Loudness:
    """Level ``source`` once into ``workdir/LEVELLED`` (32-bit float WAV) and measure it on the way.

    decode + level (to the file and on) | ``ebur128``. Every later pass reads the levelled file instead of
    decoding and levelling the source again. With ``tracks`` (multitrack), each track is levelled on its own
    and the tracks are mixed (:mod:`cerdas.media.multitrack`) instead.
    """
    tee = f"[f=wav:rf64=auto:onfail=abort]{LEVELLED}|[f=f32le:onfail=abort]pipe:1"
    if tracks:
        inputs, graph = level_graph(ff, tracks, workdir, audio.sample_rate, _layout(audio.channels))
        decode = [*inputs, "-filter_complex", f"{graph};[mix]{','.join(mix_filters(audio))}[out]", "-map", "[out]"]
    else:
        decode = ["-i", str(source), "-map", "0:a:0", "-af", ",".join(level_filters(audio))]
    bar = reporter.progress("Meratakan suara", duration)
    try:
        runs = ff.pipeline(
            [
                [*decode, "-c:a", "pcm_f32le", "-f", "tee", tee],
                [*_raw(audio), "-i", "pipe:0", "-af", "ebur128=framelog=verbose", "-f", "null", "-"],
            ],
            source=source,
            progress=bar,
            cwd=workdir,
        )
    finally:
        bar.close()
    return parse_loudness(runs[-1].stderr, source, runs[-1].seconds)


def probe_shift(
    ff: FFmpeg, levelled: Path, audio: AudioSettings, duration: float, gain_db: float, limit_dbtp: float
) -> float:
    """How far the limiter and encoder move loudness, learnt on a minute of excerpts spread over the episode.

    Excerpts of the levelled file are measured, limited, encoded and measured again; the difference between what
    the gain alone would give and what the MP3 measures is the shift the full encode should aim for.
    """
    inputs: list[str] = []
    labels = []
    for i in range(PROBE_PIECES):
        start = max(0.0, duration * (i + 0.5) / PROBE_PIECES - PROBE_PIECE / 2)
        inputs += ["-ss", f"{start:.3f}", "-t", f"{PROBE_PIECE:.3f}", "-i", str(levelled)]
        labels.append(f"[p{i}]")
    graph = ";".join(f"[{i}:a:0]anull{label}" for i, label in enumerate(labels))
    graph += (
        f";{''.join(labels)}concat=n={len(labels)}:v=0:a=1,asplit[m][o];[m]ebur128=framelog=verbose[mm];"
        f"[mm]anullsink;[o]{','.join(limit_filters(audio, gain_db, limit_dbtp))}[out]"
    )
    runs = ff.pipeline(
        [
            [*inputs, "-filter_complex", graph, "-map", "[out]", *_raw(audio), "pipe:1"],
            [*_raw(audio), "-i", "pipe:0", *_mp3(audio), "-f", "mp3", "pipe:1"],
            ["-f", "mp3", "-i", "pipe:0", "-af", "ebur128=framelog=verbose", "-f", "null", "-"],
        ],
        source=levelled,
    )
    excerpts = parse_loudness(runs[0].stderr, levelled)
    encoded = parse_loudness(runs[-1].stderr, levelled)
    if not (math.isfinite(excerpts.integrated) and math.isfinite(encoded.integrated)) or excerpts.integrated < -69:
        return 0.0  # the excerpts fell in silence: learn nothing, the correction loop still applies
    return max(-3.0, min(3.0, encoded.integrated - (excerpts.integrated + gain_db)))


def encode(
    ff: FFmpeg,
    workdir: Path,
    name: str,
    audio: AudioSettings,
    gain_db: float,
    limit_dbtp: float,
    reporter: Reporter,
    duration: float,
    label: str,
    recording: Path,
) -> Loudness:
    """Gain + limiter on the levelled file | MP3 encoder (to ``workdir/name`` and on) | ``ebur128`` on the MP3.

    Returns the loudness of the MP3 as written (decoded from the very bytes that go to the file). Errors name
    ``recording``, the producer's file, not the temporary one.
    """
    levelled = workdir / LEVELLED
    chain = ",".join(limit_filters(audio, gain_db, limit_dbtp))
    # The tee muxer writes the file (with its Xing/LAME header) and feeds the meter from the same packets.
    # The name is relative to workdir so that no path characters reach tee's own syntax.
    # onfail=abort: tee's default carries on with the other slave when the file cannot be written (disk full).
    tee = (
        f"[f=mp3:onfail=abort:id3v2_version=0:write_xing=1]{name}"
        f"|[f=mp3:onfail=abort:id3v2_version=0:write_xing=0]pipe:1"
    )
    bar = reporter.progress(label, duration)
    try:
        runs = ff.pipeline(
            [
                ["-i", str(levelled), "-map", "0:a:0", "-af", chain, *_raw(audio), "pipe:1"],
                [*_raw(audio), "-i", "pipe:0", *_mp3(audio), "-f", "tee", tee],
                ["-f", "mp3", "-i", "pipe:0", "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
            ],
            source=recording,
            progress=bar,
            cwd=workdir,
        )
    finally:
        bar.close()
    loud = parse_loudness(runs[-1].stderr, recording, runs[-1].seconds)
    # A write error at the very end (trailer, close) can escape tee; a CBR file's size says whether it is whole.
    expected = audio.bitrate_kbps * 1000 / 8 * loud.duration
    written = (workdir / name).stat().st_size if (workdir / name).exists() else 0
    if written < 0.97 * expected:
        raise MediaError(
            f"the encoded file is incomplete ({written} of about {int(expected)} bytes written; is the disk full?)",
            workdir / name,
        )
    return loud


def normalise(
    ff: FFmpeg,
    source: Path,
    target: Path,
    audio: AudioSettings,
    reporter: Reporter,
    before: Loudness,
    duration: float,
    tracks: Sequence[TrackInput] = (),
) -> NormaliseResult:
    """Level ``source`` and write an MP3 at ``target`` that measures as close to the target as it gets.

    Intermediates live in a temporary folder beside ``target`` (one a killed run left is removed first);
    ``target`` appears only at the end, by rename.
    """
    # Long on purpose: the correction loop and its stopping rules read best in one place.
    source = source.resolve()  # ffmpeg runs in the work folder
    target.parent.mkdir(parents=True, exist_ok=True)
    tried: list[tuple[float, float]] = []  # (gain, measured) of earlier passes, for the secant step
    with work_folder(target.parent, WORK_PREFIX) as workdir:
        try:
            levelled = analyse(ff, source, workdir, audio, reporter, duration, tracks)
        except FFmpegError as exc:
            if exc.no_space:
                raise MediaError(
                    "no space left on the device while levelling the episode; nothing was replaced", target
                ) from exc
            raise
        if not math.isfinite(levelled.integrated) or levelled.integrated <= -69.0:
            raise MediaError("nothing audible left after levelling (silence?)", source)
        gain = audio.target_lufs - levelled.integrated
        limit = audio.true_peak - AIM_BELOW_CEILING
        probe = duration >= PROBE_FROM
        shift = probe_shift(ff, workdir / LEVELLED, audio, duration, gain, limit) if probe else 0.0
        gain -= shift
        passes = 0
        while True:
            passes += 1
            label = "Mengenkode MP3" + (f" ({passes})" if passes > 1 else "")
            try:
                after = encode(ff, workdir, "encoded.mp3", audio, gain, limit, reporter, duration, label, source)
            except FFmpegError as exc:
                if exc.no_space:
                    raise MediaError(
                        "no space left on the device while encoding the episode; nothing was replaced", target
                    ) from exc
                raise
            if after.duration < levelled.duration - 0.5:  # a write that failed quietly somewhere in the chain
                raise MediaError(
                    f"the encoded episode is {after.duration:.1f} s long, the levelled recording "
                    f"{levelled.duration:.1f} s; is the disk full?",
                    target,
                )
            off = audio.target_lufs - after.integrated
            peak_over = after.true_peak - audio.true_peak
            if (abs(off) <= CLOSE_ENOUGH and peak_over <= 0.0) or passes == MAX_PASSES:
                break
            slope = 1.0
            if tried and abs(gain - tried[-1][0]) > 0.05:
                # the limiter makes loudness grow slower than gain: follow the measured slope
                slope = max(0.3, min(1.5, (after.integrated - tried[-1][1]) / (gain - tried[-1][0])))
            tried.append((gain, after.integrated))
            gain += off / slope
            if peak_over > 0.0:
                limit -= peak_over + 0.1
        if abs(off) > audio.tolerance_lu or peak_over > 0.0:
            raise MediaError(
                f"could not reach {audio.target_lufs} LUFS / {audio.true_peak} dBTP in {passes} passes "
                f"(got {after.integrated:.1f} LUFS, {after.true_peak:.1f} dBTP); nothing was replaced",
                source,
            )
        with atomic_path(target) as tmp:
            os.replace(workdir / "encoded.mp3", tmp)
    return NormaliseResult(before, levelled, after, gain, limit, passes, shift)


class LoudnessStage(BaseStage):
    """Level, normalise and encode; the encoded file must meet the target or the stage fails."""

    name: ClassVar[StageName] = "loudness"

    def __init__(self, ff: FFmpeg | None = None) -> None:
        self.ff = ff or FFmpeg()

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        inputs: dict[str, Any] = {
            "source": episode.source_sha256,
            "audio": vars(ctx.settings.audio),
            "algorithm": ALGORITHM,
        }
        if episode.tracks:
            inputs["tracks"] = [[t.sha256, t.channel] for t in episode.tracks]
            inputs["multitrack"] = MULTITRACK_ALGORITHM
        return inputs

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        ws, audio = ctx.workspace, ctx.settings.audio
        source = ws.resolve(episode.source)
        ingest = episode.facts(IngestFacts)
        if ingest is None:
            raise StageError("the recording has not been checked yet (ingest)", ws.episode_file(episode.slug))
        before = Loudness.from_measure(ingest.input)
        target = ws.normalised_audio(episode.slug)
        tracks = [TrackInput(ws.resolve(t.source), t.channel) for t in episode.tracks]
        result = normalise(self.ff, source, target, audio, ctx.reporter, before, ingest.probe.duration, tracks)
        after = result.after
        facts = LoudnessFacts(
            before=before.measure(),
            levelled=result.levelled.measure(),
            after=after.measure(),
            gain_db=round(result.gain_db, 2),
            limiter_dbtp=round(result.limit_dbtp, 2),
            predicted_shift_lu=round(result.predicted_shift, 2),
            passes=result.passes,
            duration=round(after.duration, 3),
        )
        summary = (
            f"{before.integrated:.1f} LUFS / {before.true_peak:.1f} dBTP -> "
            f"{after.integrated:.1f} LUFS / {after.true_peak:.1f} dBTP (LRA {after.lra:.1f} LU, "
            f"{result.passes} pass{'es' if result.passes > 1 else ''})"
        )
        return StageOutput(outputs={"mp3": ws.relative(target)}, facts=facts, summary=summary)

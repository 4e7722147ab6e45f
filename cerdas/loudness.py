"""Stage 2, level and normalise: even out the speakers, then hit the loudness target *on the encoded file*.

The chain follows the measured recipe in FINDINGS.md: ``highpass + dynaudnorm`` levels the speech into a float
WAV (measured by ``ebur128`` in the same pass); then ``volume`` + a true-peak limiter at 4x the sample rate +
the MP3 encoder, and the encoded file is measured. When it lands more than 0.2 LU off, the gain is corrected
and the encode repeated (the encoder and limiter shift loudness a little, differently for each input).
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cerdas.episode import Episode
from cerdas.errors import MediaError
from cerdas.ffmpeg import FFmpeg, Loudness
from cerdas.fsutil import atomic_path
from cerdas.pipeline import Context, StageOutput
from cerdas.report import Reporter
from cerdas.settings import AudioSettings

ALGORITHM = "level-v1"
LEVELLER = "highpass=f=70,dynaudnorm=f=250:g=15:m=30:p=0.5:r=0.1"
OVERSAMPLE = 4
AIM_BELOW_CEILING = 0.5  # dB: the limiter aims under the ceiling; the encoder overshoots a little
CLOSE_ENOUGH = 0.2  # LU: stop correcting once the encoded file is this close
MAX_PASSES = 4


@dataclass(frozen=True)
class NormaliseResult:
    before: Loudness
    levelled: Loudness
    after: Loudness
    gain_db: float
    limit_dbtp: float
    passes: int


def _layout(channels: int) -> str:
    return "mono" if channels == 1 else "stereo"


def level(ff: FFmpeg, source: Path, target: Path, audio: AudioSettings, reporter: Reporter,
          duration: float) -> Loudness:
    """Level ``source`` into a float WAV at the output layout and rate, and measure it in the same pass."""
    chain = [f"aformat=channel_layouts={_layout(audio.channels)}"]
    if audio.leveler:
        chain.append(LEVELLER)
    chain += [
        f"aresample={audio.sample_rate}:resampler=soxr",
        f"aformat=sample_fmts=flt:channel_layouts={_layout(audio.channels)}",
        "asplit[out][m]",
    ]
    graph = f"[0:a:0]{','.join(chain)};[m]ebur128=peak=true:framelog=verbose,anullsink"
    bar = reporter.progress("Meratakan suara", duration)
    try:
        run = ff.run(
            ["-y", "-i", str(source), "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_f32le",
             "-rf64", "auto", str(target)],
            source=source,
            progress=bar,
        )
    finally:
        bar.close()
    from cerdas.ffmpeg import parse_loudness

    return parse_loudness(run.stderr, source, run.seconds)


def encode(ff: FFmpeg, levelled: Path, target: Path, audio: AudioSettings, gain_db: float, limit_dbtp: float,
           reporter: Reporter, duration: float) -> None:
    """Apply gain and a true-peak limiter at 4x rate, then encode MP3 CBR at the output rate."""
    rate = audio.sample_rate
    limit = 10 ** (limit_dbtp / 20)
    chain = ",".join(
        [
            f"volume={gain_db:.3f}dB",
            f"aresample={rate * OVERSAMPLE}:resampler=soxr",
            f"alimiter=limit={limit:.5f}:attack=5:release=50:level=false",
            f"aresample={rate}:resampler=soxr",
        ]
    )
    bar = reporter.progress("Mengenkode MP3", duration)
    try:
        ff.run(
            ["-y", "-i", str(levelled), "-af", chain, "-c:a", "libmp3lame", "-b:a", f"{audio.bitrate_kbps}k",
             "-ar", str(rate), "-ac", str(audio.channels), "-id3v2_version", "0", "-write_xing", "1",
             "-f", "mp3", str(target)],
            source=levelled,
            progress=bar,
        )
    finally:
        bar.close()


def normalise(ff: FFmpeg, source: Path, target: Path, audio: AudioSettings, reporter: Reporter,
              before: Loudness, duration: float) -> NormaliseResult:
    """Level ``source`` and write an MP3 at ``target`` that measures as close to the target as it gets.

    All intermediates live in a temporary folder beside ``target``; ``target`` appears only at the end, by rename.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".cerdas-level-", dir=target.parent) as tmpdir:
        levelled_path = Path(tmpdir) / "levelled.wav"
        levelled = level(ff, source, levelled_path, audio, reporter, duration)
        if not math.isfinite(levelled.integrated) or levelled.integrated <= -69.0:
            raise MediaError("nothing audible left after levelling (silence?)", source)
        gain = audio.target_lufs - levelled.integrated
        limit = audio.true_peak - AIM_BELOW_CEILING
        encoded = Path(tmpdir) / "encoded.mp3"
        passes = 0
        while True:
            passes += 1
            encode(ff, levelled_path, encoded, audio, gain, limit, reporter, duration)
            after = ff.measure(encoded)
            off = audio.target_lufs - after.integrated
            peak_over = after.true_peak - audio.true_peak
            if (abs(off) <= CLOSE_ENOUGH and peak_over <= 0.0) or passes == MAX_PASSES:
                break
            gain += off
            if peak_over > 0.0:
                limit -= peak_over + 0.1
        with atomic_path(target) as tmp:
            os.replace(encoded, tmp)
    return NormaliseResult(before, levelled, after, gain, limit, passes)


class LoudnessStage:
    """Level, normalise and encode; the encoded file must meet the target or the stage fails."""

    name = "loudness"

    def __init__(self, ff: FFmpeg | None = None) -> None:
        self.ff = ff or FFmpeg()

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        ingest = episode.stages.get("ingest")
        return {
            "source": ingest.fingerprint if ingest else None,
            "audio": vars(ctx.settings.audio),
            "algorithm": ALGORITHM,
        }

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        ws, audio = ctx.workspace, ctx.settings.audio
        source = ws.resolve(episode.source)
        ingest = episode.stages["ingest"].data
        duration = float(ingest["probe"]["duration"])
        b = ingest["input"]
        before = Loudness(b["integrated_lufs"], b["true_peak_dbtp"], b["lra_lu"], 0.0, b["decoded_seconds"])
        target = ws.episode_dir(episode.slug) / "work" / "normalised.mp3"
        target.parent.mkdir(parents=True, exist_ok=True)
        result = normalise(self.ff, source, target, audio, ctx.reporter, before, duration)
        after = result.after
        if abs(after.integrated - audio.target_lufs) > audio.tolerance_lu or after.true_peak > audio.true_peak:
            target.unlink(missing_ok=True)
            raise MediaError(
                f"could not reach {audio.target_lufs} LUFS / {audio.true_peak} dBTP "
                f"(got {after.integrated:.1f} LUFS, {after.true_peak:.1f} dBTP)",
                source,
            )
        data = {
            "before": before.as_dict(),
            "levelled": result.levelled.as_dict(),
            "after": after.as_dict(),
            "gain_db": round(result.gain_db, 2),
            "limiter_dbtp": round(result.limit_dbtp, 2),
            "passes": result.passes,
            "duration": round(after.duration, 3),
        }
        summary = (
            f"{before.integrated:.1f} LUFS / {before.true_peak:.1f} dBTP -> "
            f"{after.integrated:.1f} LUFS / {after.true_peak:.1f} dBTP (LRA {after.lra:.1f} LU, "
            f"{result.passes} pass{'es' if result.passes > 1 else ''})"
        )
        return StageOutput(outputs={"mp3": ws.relative(target)}, data=data, summary=summary)

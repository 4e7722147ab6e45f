"""Stage 1, ingest: check that the recording is usable audio and record what it is. The source is only read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cerdas.episode import Episode
from cerdas.errors import MediaError
from cerdas.ffmpeg import FFmpeg, Probe
from cerdas.pipeline import Context, StageOutput

SILENCE_LUFS = -60.0  # below this integrated loudness there is no speech worth publishing


def check_source(path: Path, ff: FFmpeg | None = None) -> Probe:
    """Probe ``path`` and refuse what cannot become an episode (missing, not media, no audio, zero length)."""
    probe = (ff or FFmpeg()).probe(path)
    if probe.audio is None:
        kind = "video with no audio stream" if probe.has_video else "no audio stream"
        raise MediaError(f"{kind}; nothing to publish", path)
    if probe.duration <= 0.0 and probe.audio.sample_rate == 0:
        raise MediaError("audio stream has zero length", path)
    return probe


class IngestStage:
    """Probe, fully decode and measure the source: corrupt, truncated or silent audio stops here."""

    name = "ingest"

    def __init__(self, ff: FFmpeg | None = None) -> None:
        self.ff = ff or FFmpeg()

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        return {"source_sha256": episode.source_sha256}

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        source = ctx.workspace.resolve(episode.source)
        probe = check_source(source, self.ff)
        bar = ctx.reporter.progress("Memeriksa rekaman", probe.duration or 0.0)
        try:
            loud = self.ff.measure(source, progress=bar)
        finally:
            bar.close()
        if loud.duration <= 0.05:
            raise MediaError("audio stream has zero length or cannot be decoded", source)
        if probe.duration > 5.0 and loud.duration < probe.duration * 0.9 - 1.0:
            raise MediaError(
                f"truncated or corrupt: the header says {probe.duration:.1f} s but only "
                f"{loud.duration:.1f} s could be decoded",
                source,
            )
        if loud.integrated <= SILENCE_LUFS:
            raise MediaError(
                f"the audio is silent (integrated loudness {loud.integrated:.1f} LUFS); nothing to publish", source
            )
        data: dict[str, Any] = {
            "sha256": episode.source_sha256,
            "probe": probe.facts(),
            "input": loud.as_dict(),
            "video": probe.has_video,
        }
        summary = (
            f"{probe.duration:.1f} s, {probe.audio.codec if probe.audio else '?'} "
            f"{probe.audio.sample_rate if probe.audio else 0} Hz, {loud.integrated:.1f} LUFS"
            + (", video" if probe.has_video else "")
        )
        return StageOutput(outputs={}, data=data, summary=summary)

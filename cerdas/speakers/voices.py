"""``cerdas voices add|list|remove``: voice profiles of regular speakers, made from a sample of their voice."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from cerdas.media.ffmpeg import FFmpeg
from cerdas.media.ingest import check_source
from cerdas.speakers import senko_engine
from cerdas.speakers.profiles import (
    LoadedProfiles,
    VoiceProfile,
    load_profiles,
    new_profile,
    remove_profile,
    save_profile,
)
from cerdas.speakers.stage import decode_for_engine
from cerdas.workspace import Workspace


@dataclass(frozen=True)
class AddedVoice:
    profile: VoiceProfile
    path: Path


def add_voice(ws: Workspace, name: str, sample: Path, ff: FFmpeg, replace: bool = False) -> AddedVoice:
    """Make a profile of ``name`` from ``sample`` (any audio ffmpeg reads; one voice, at least 5 s of speech).

    Only the embedding is kept, never the audio. Raises :class:`CerdasError` naming the sample when it is not
    usable, too short, or the engine is not installed.
    """
    sample = sample.expanduser().resolve()
    check_source(sample, ff)
    engine = senko_engine.load()
    with tempfile.TemporaryDirectory(prefix="cerdas-voice-") as tmp:
        wav = decode_for_engine(ff, sample, Path(tmp) / "voice.wav")
        voice = engine.embed(wav)
    profile = new_profile(name, senko_engine.ENGINE, voice.embedding, voice.speech_seconds, sample)
    return AddedVoice(profile, save_profile(ws, profile, replace=replace))


def list_voices(ws: Workspace) -> LoadedProfiles:
    """The readable profiles and a line for each damaged file."""
    return load_profiles(ws)


def remove_voice(ws: Workspace, name: str) -> Path:
    """Delete a profile; returns the file removed."""
    return remove_profile(ws, name)

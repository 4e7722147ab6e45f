"""Voice profiles: a regular voice's embedding in ``voices/<key>.json`` (never audio), and which engine made it.

A voice found in an episode that is alike enough to a profile (cosine similarity at least ``[speakers] match``)
takes the profile's name. A profile file that cannot be read is named in one warning and left out; the episode is
published without that name.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cerdas.episode import now_iso, slugify
from cerdas.errors import CerdasError, WorkspaceError
from cerdas.fsutil import atomic_write_text
from cerdas.workspace import Workspace

PROFILE_VERSION = 1
MIN_SPEECH = 5.0  # seconds of speech a sample needs for a profile worth matching
MAX_NAME = 100


@dataclass(frozen=True)
class VoiceProfile:
    """A named voice: its embedding, the engine that made it, how much speech it was made from."""

    name: str
    engine: str
    embedding: tuple[float, ...]
    speech_seconds: float
    created: str = ""
    sample: str = ""  # the sample's file name, for the producer's memory (the audio is not kept)

    @property
    def key(self) -> str:
        return profile_key(self.name)


@dataclass(frozen=True)
class LoadedProfiles:
    """The profiles that could be read, and a one-line problem for each file that could not."""

    profiles: tuple[VoiceProfile, ...]
    problems: tuple[str, ...] = ()


def check_name(name: str) -> str:
    """A speaker's name as it will be shown: spaces collapsed; empty, too long, markup or control characters
    refused (it goes into VTT voice tags, feeds and pages)."""
    clean = " ".join(name.split())
    if not clean:
        raise CerdasError("a speaker's name must not be empty")
    if len(clean) > MAX_NAME:
        raise CerdasError(f"the speaker's name is {len(clean)} characters long; the limit is {MAX_NAME}")
    if any(c in "<>&" or unicodedata.category(c) == "Cc" for c in clean):
        raise CerdasError(f"the speaker's name {clean!r} may not hold <, >, & or control characters")
    return clean


def profile_key(name: str) -> str:
    """The file key of a profile (``Silvia Rahmadina`` → ``silvia-rahmadina``)."""
    return slugify(name, max_length=80)


def to_json(profile: VoiceProfile) -> str:
    data = {
        "version": PROFILE_VERSION,
        "name": profile.name,
        "engine": profile.engine,
        "dimensions": len(profile.embedding),
        "embedding": [round(x, 6) for x in profile.embedding],
        "speech_seconds": profile.speech_seconds,
        "created": profile.created,
        "sample": profile.sample,
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def read_profile(path: Path) -> VoiceProfile:
    """One profile file (raises :class:`CerdasError` naming it when it is damaged)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        embedding = tuple(float(x) for x in data["embedding"])
        profile = VoiceProfile(
            name=check_name(str(data["name"])),
            engine=str(data["engine"]),
            embedding=embedding,
            speech_seconds=float(data.get("speech_seconds", 0.0)),
            created=str(data.get("created", "")),
            sample=str(data.get("sample", "")),
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise CerdasError(f"voice profile cannot be read: {exc.__class__.__name__}", path) from exc
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, CerdasError) as exc:
        raise CerdasError(
            f"voice profile is damaged ({exc.__class__.__name__}); remove it and add it again", path
        ) from exc
    if not embedding or any(not math.isfinite(x) for x in embedding) or _norm(embedding) == 0.0:
        raise CerdasError("voice profile is damaged (no usable embedding); remove it and add it again", path)
    if int(data.get("dimensions", len(embedding))) != len(embedding):
        raise CerdasError("voice profile is damaged (its embedding has the wrong length)", path)
    return profile


def load_profiles(ws: Workspace) -> LoadedProfiles:
    """Every profile in ``voices/``, sorted by name; damaged files are reported, not fatal."""
    if not ws.voices_dir.is_dir():
        return LoadedProfiles(())
    profiles, problems = [], []
    for path in sorted(ws.voices_dir.glob("*.json")):
        try:
            profiles.append(read_profile(path))
        except CerdasError as exc:
            problems.append(str(exc))
    return LoadedProfiles(tuple(sorted(profiles, key=lambda p: p.name.lower())), tuple(problems))


def save_profile(ws: Workspace, profile: VoiceProfile, replace: bool = False) -> Path:
    """Write ``voices/<key>.json`` atomically; an existing profile of that name only with ``replace``."""
    path = ws.voice_profile(profile.key)
    if path.exists() and not replace:
        raise WorkspaceError(
            f"a voice profile named {profile.name!r} exists; 'cerdas voices remove' it first or add with --replace",
            path,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, to_json(profile))
    return path


def remove_profile(ws: Workspace, name: str) -> Path:
    """Delete the profile named ``name`` (its file key, or the name as written in it)."""
    path = ws.voice_profile(profile_key(name))
    if not path.exists():
        found = [p for p in load_profiles(ws).profiles if p.name.lower() == " ".join(name.split()).lower()]
        if not found:
            raise WorkspaceError(f"no voice profile named {name!r} (see 'cerdas voices list')", ws.voices_dir)
        path = ws.voice_profile(found[0].key)
    path.unlink()
    return path


def new_profile(name: str, engine: str, embedding: Sequence[float], speech: float, sample: Path) -> VoiceProfile:
    """A profile from a sample's embedding; refused when the sample holds under :data:`MIN_SPEECH` of speech."""
    if speech < MIN_SPEECH:
        raise CerdasError(
            f"only {speech:.1f} s of speech; a voice profile needs at least {MIN_SPEECH:.0f} s of one voice", sample
        )
    return VoiceProfile(check_name(name), engine, tuple(embedding), round(speech, 1), now_iso(), sample.name)


def _norm(v: Sequence[float]) -> float:
    return math.sqrt(sum(x * x for x in v))


def similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two embeddings (0 when their lengths differ or one is zero)."""
    if len(a) != len(b) or not a:
        return 0.0
    na, nb = _norm(a), _norm(b)
    return sum(x * y for x, y in zip(a, b, strict=True)) / (na * nb) if na and nb else 0.0


def match(
    voices: dict[str, tuple[float, ...]], profiles: Sequence[VoiceProfile], engine: str, threshold: float
) -> dict[str, str]:
    """Voice label → profile name for the voices alike enough to a profile of the same engine: the most alike
    pair first, each profile and each voice used once."""
    pairs = [
        (similarity(vector, p.embedding), label, p.name)
        for label, vector in voices.items()
        for p in profiles
        if p.engine == engine
    ]
    out: dict[str, str] = {}
    for score, label, name in sorted(pairs, reverse=True):
        if score < threshold:
            break
        if label not in out and name not in out.values():
            out[label] = name
    return out

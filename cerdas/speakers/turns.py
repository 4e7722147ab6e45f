"""The common result of every way of finding speakers: turns (start, end, speaker) and the engine that found them.

An engine adapter returns a :class:`Diarization` whose speakers are its own labels; :mod:`cerdas.speakers.naming`
gives them names; the speakers stage writes the named result as ``episodes/<slug>/speakers.json``, which the
transcript reads (:func:`load_turns`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cerdas.errors import CerdasError

TURNS_VERSION = 1


@dataclass(frozen=True)
class SpeakerTurn:
    """One stretch of one voice, in seconds from the start of the episode audio."""

    start: float
    end: float
    speaker: str


@dataclass(frozen=True)
class Diarization:
    """What an engine found: turns labelled with its own speaker labels, one embedding per label (for voice
    profiles; empty when the method has none), the engine's name, and how long it took."""

    engine: str
    turns: tuple[SpeakerTurn, ...]
    embeddings: dict[str, tuple[float, ...]] = field(default_factory=dict)
    speech_seconds: float = 0.0
    seconds: float = 0.0

    def labels(self) -> list[str]:
        """The speaker labels in order of first speech."""
        seen: dict[str, None] = {}
        for turn in sorted(self.turns, key=lambda t: t.start):
            seen.setdefault(turn.speaker, None)
        return list(seen)


@dataclass(frozen=True)
class NamedTurns:
    """Turns with names: what ``speakers.json`` holds. ``named_by`` says where each name came from
    (``option``: --speaker; ``profile``: a voice profile; ``track``: the track a multitrack speaker has;
    ``generic``: "Pembicara N")."""

    engine: str
    method: str
    turns: tuple[SpeakerTurn, ...]
    named_by: dict[str, str] = field(default_factory=dict)
    audio: str = ""
    """The fingerprint of the normalised audio the turns were found in (the loudness stage's): turns of an
    earlier recording of the episode are never laid over a new one's words."""

    @property
    def speakers(self) -> list[str]:
        """The names in order of first speech."""
        return Diarization(self.engine, self.turns).labels()


def tidy(turns: Iterable[SpeakerTurn], join_gap: float = 0.5, shortest: float = 0.0) -> list[SpeakerTurn]:
    """Turns sorted, overlaps cut at the later start, neighbours of one speaker less than ``join_gap`` apart joined,
    and (with ``shortest``) turns shorter than that dropped."""
    out: list[SpeakerTurn] = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        if turn.end - turn.start <= 0:
            continue
        if out and turn.start < out[-1].end:
            if turn.speaker == out[-1].speaker:
                out[-1] = SpeakerTurn(out[-1].start, max(out[-1].end, turn.end), turn.speaker)
                continue
            out[-1] = SpeakerTurn(out[-1].start, turn.start, out[-1].speaker)
            if out[-1].end - out[-1].start <= 0:
                out.pop()
        if out and turn.speaker == out[-1].speaker and turn.start - out[-1].end < join_gap:
            out[-1] = SpeakerTurn(out[-1].start, turn.end, turn.speaker)
        else:
            out.append(turn)
    if shortest > 0:
        kept = [t for t in out if t.end - t.start >= shortest]
        if kept != out:
            return tidy(kept, join_gap)
    return out


def speaker_at(turns: list[SpeakerTurn], start: float, end: float) -> str:
    """The speaker who talks most between ``start`` and ``end`` ("" when no turn overlaps; the nearest turn
    within half a second counts for a word that falls just outside every turn)."""
    best, overlap = "", 0.0
    for turn in turns:
        if turn.end <= start or turn.start >= end:
            continue
        o = min(end, turn.end) - max(start, turn.start)
        if o > overlap:
            best, overlap = turn.speaker, o
    if best or not turns:
        return best
    mid = (start + end) / 2
    nearest = min(turns, key=lambda t: min(abs(t.start - mid), abs(t.end - mid)))
    return nearest.speaker if min(abs(nearest.start - mid), abs(nearest.end - mid)) <= 0.5 else ""


def to_json(named: NamedTurns) -> str:
    """``speakers.json``: the engine, the method, each speaker with where the name came from, the turns."""
    data = {
        "version": TURNS_VERSION,
        "engine": named.engine,
        "method": named.method,
        "audio": named.audio,
        "speakers": [{"name": name, "named_by": named.named_by.get(name, "generic")} for name in named.speakers],
        "turns": [{"start": round(t.start, 3), "end": round(t.end, 3), "speaker": t.speaker} for t in named.turns],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def load_turns(path: Path) -> NamedTurns:
    """Read ``speakers.json`` (raises :class:`CerdasError` naming the file when it is not one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        turns = tuple(SpeakerTurn(float(t["start"]), float(t["end"]), str(t["speaker"])) for t in data["turns"])
        named_by = {str(s["name"]): str(s.get("named_by", "generic")) for s in data.get("speakers", [])}
        engine, method, audio = (str(data.get(k, "")) for k in ("engine", "method", "audio"))
        return NamedTurns(engine, method, turns, named_by, audio)
    except FileNotFoundError as exc:
        raise CerdasError("speaker turns not found", path) from exc
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CerdasError(f"not a speakers file ({exc.__class__.__name__})", path) from exc

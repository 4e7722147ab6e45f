"""Generated interviews with known turns, and scoring what Cerdas found against them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate

from cerdas.devtools.interview import Interview, Turn, make_interview
from cerdas.speakers.turns import SpeakerTurn, load_turns, speaker_at
from cerdas.workspace import Workspace


def interview(folder: Path, speakers: int = 2, seconds: float = 75.0, seed: int = 3, tracks: bool = True) -> Interview:
    """An interview of at least 6 turns (3-20 s each, one voice much quieter), with one file per speaker."""
    folder.mkdir(parents=True, exist_ok=True)
    made = make_interview(folder / "mix.wav", speakers, seconds, seed, folder if tracks else None)
    assert len(made.turns) >= 6
    assert all(3.0 <= t.end - t.start <= 20.0 for t in made.turns)
    return made


def turn_accuracy(truth: Sequence[Turn], found: list[SpeakerTurn], names: dict[str, str] | None = None) -> float:
    """The share of the known turns whose speaker Cerdas names right over their middle 80 %."""
    right = 0
    for turn in truth:
        margin = 0.1 * (turn.end - turn.start)
        said = speaker_at(found, turn.start + margin, turn.end - margin)
        right += said == (names or {}).get(turn.speaker, turn.speaker)
    return right / len(truth)


def found_turns(ws: Workspace, slug: str) -> list[SpeakerTurn]:
    return list(load_turns(ws.speaker_turns(slug)).turns)


def der(truth: Sequence[Turn], found: Sequence[SpeakerTurn], collar: float = 0.25) -> float:
    """Diarization error rate (pyannote.metrics, the given collar) of ``found`` against ``truth``."""
    reference, hypothesis = Annotation(), Annotation()
    for t in truth:
        reference[Segment(t.start, t.end)] = t.speaker
    for f in found:
        hypothesis[Segment(f.start, f.end)] = f.speaker
    uem = Segment(0.0, max(t.end for t in truth) + 1.0)
    return float(DiarizationErrorRate(collar=collar)(reference, hypothesis, uem=Timeline([uem])))

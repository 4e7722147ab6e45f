"""Whisper's words beside the transcript: ``episodes/<slug>/words.json`` (see :meth:`Workspace.words`).

The transcribe stage writes this file, atomically, every time it transcribes (the re-transcribed coverage
windows included): every word Whisper said that made it into the captions, with its own start and end (seconds of
the episode audio), its text, Whisper's probability for it (the studio marks words Whisper was unsure of) and a
speaker (empty until speakers are known). Clips snap their times to these word boundaries and highlight the word
being spoken.

The words stay Whisper's. A producer corrects the VTT (``transcripts/<slug>.vtt``), never this file, and the
correction is not carried back here: a consumer that needs both matches words to cues **by time** (a word
belongs to the cue its midpoint falls in, :func:`words_between`), never by text or by position.

The file is small text (about 0.7 MB for an hour) and is kept in the show's repository beside ``episode.toml``:
remaking it means running Whisper again, which may not give the same words.

Format (one word per line, so a diff shows what changed)::

    {"version": 1, "words": [
    {"start": 0.0, "end": 0.42, "text": "Selamat", "probability": 0.912, "speaker": ""},
    {"start": 0.42, "end": 0.9, "text": "-datang", "probability": 0.5, "speaker": "", "glued": true}
    ]}

``glued`` (only written when true) marks a word Whisper joined to the previous one without a space, so that
``" ".join`` is not the way to rebuild the caption text (:func:`cerdas.transcribe.guards.join` is).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cerdas.errors import CerdasError
from cerdas.fsutil import MiB, atomic_write_text, read_text

WORDS_VERSION = 1

MAX_WORDS_FILE = 64 * MiB  # about 100 hours of speech


@dataclass(frozen=True)
class Word:
    """One word as Whisper heard it: seconds of the episode audio, text without surrounding spaces, Whisper's
    probability (0-1), the speaker when known, and whether it continues the previous word without a space."""

    start: float
    end: float
    text: str
    probability: float = 1.0
    speaker: str = ""
    glued: bool = False

    @property
    def middle(self) -> float:
        """The moment that decides which cue or span the word belongs to."""
        return (self.start + self.end) / 2


def words_json(words: Iterable[Word]) -> str:
    """The file's text (see the module docstring)."""
    lines = []
    for w in words:
        item: dict[str, object] = {
            "start": round(w.start, 3),
            "end": round(w.end, 3),
            "text": w.text,
            "probability": round(w.probability, 3),
            "speaker": w.speaker,
        }
        if w.glued:
            item["glued"] = True
        lines.append(json.dumps(item, ensure_ascii=False))
    return f'{{"version": {WORDS_VERSION}, "words": [\n' + ",\n".join(lines) + "\n]}\n"


def save_words(path: Path, words: Iterable[Word]) -> None:
    """Write ``words`` to ``path`` atomically (a crash leaves the previous file, never half of one)."""
    atomic_write_text(path, words_json(words))


def load_words(path: Path) -> list[Word]:
    """Read a words file; a missing or damaged one raises :class:`CerdasError` naming the file."""
    if not path.exists():
        raise CerdasError("words file not found (it is written when the episode is transcribed)", path)
    try:
        data = json.loads(read_text(path, MAX_WORDS_FILE, "words file"))  # a file in git: hostile until read
    except json.JSONDecodeError as exc:
        raise CerdasError(f"words file is damaged: not JSON ({exc.__class__.__name__})", path) from exc
    if not isinstance(data, dict) or data.get("version") != WORDS_VERSION or not isinstance(data.get("words"), list):
        raise CerdasError(f"not a words file of version {WORDS_VERSION}", path)
    return [_word(item, n, path) for n, item in enumerate(data["words"], 1)]


def _word(item: object, n: int, path: Path) -> Word:
    if not isinstance(item, dict):
        raise CerdasError(f"word {n} is not an object", path)
    try:
        start, end, probability = (float(item[k]) for k in ("start", "end", "probability"))
        text, speaker, glued = item["text"], item.get("speaker", ""), item.get("glued", False)
    except (KeyError, TypeError, ValueError) as exc:
        raise CerdasError(f"word {n} lacks a number or text ({exc.__class__.__name__}: {exc})", path) from exc
    if not isinstance(text, str) or not isinstance(speaker, str) or not isinstance(glued, bool):
        raise CerdasError(f"word {n} has a value of the wrong type", path)
    if not all(math.isfinite(v) for v in (start, end, probability)) or end < start:
        raise CerdasError(f"word {n} has impossible times ({start} to {end})", path)
    return Word(start, end, text, probability, speaker, glued)


def words_between(words: Sequence[Word], start: float, end: float) -> list[Word]:
    """The words whose middle falls in ``[start, end)``: the words of a cue, a clip or a highlighted span."""
    return [w for w in words if start <= w.middle < end]

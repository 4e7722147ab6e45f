"""Who said each word: the speakers stage's turns laid over Whisper's word timestamps.

A word belongs to the speaker who talks most during it (:func:`cerdas.speakers.turns.speaker_at`); a word no turn
covers (a diarization engine hears a little less speech than Whisper) takes its neighbour's speaker, so that every
word of a transcript with speakers has one. Turn edges and word edges never agree exactly: a run of one or two
words given to the other speaker in the middle of a sentence is taken back by the sentence's speaker, so that a
caption is never cut for a word that only straddles a turn's edge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cerdas.episode import Episode
from cerdas.errors import CerdasError
from cerdas.fsutil import sha256_file
from cerdas.report import Reporter
from cerdas.speakers.turns import SpeakerTurn, load_turns, speaker_at
from cerdas.transcribe.words import Word
from cerdas.workspace import Workspace

STRAY_WORDS = 2  # at most this many words ...
STRAY_SECONDS = 1.0  # ... lasting less than this, inside a sentence, are a turn edge's error
_SENTENCE_END = re.compile(r"[.?!…][\"')\]]*$")


def attribute(words: Sequence[Word], turns: Sequence[SpeakerTurn]) -> list[Word]:
    """``words`` with their ``speaker`` set from ``turns`` (none when there are no turns)."""
    if not turns:
        return [replace(w, speaker="") for w in words]
    ordered = sorted(turns, key=lambda t: t.start)
    said = [speaker_at(ordered, w.start, w.end) for w in words]
    _fill_blanks(said)
    _absorb_strays(words, said)
    return [replace(w, speaker=s) for w, s in zip(words, said, strict=True)]


def _fill_blanks(said: list[str]) -> None:
    """A word no turn covers takes the previous word's speaker (the next word's at the start)."""
    last = ""
    for i, s in enumerate(said):
        if s:
            last = s
        elif last:
            said[i] = last
    following = ""
    for i in range(len(said) - 1, -1, -1):
        if said[i]:
            following = said[i]
        else:
            said[i] = following


def _ends(word: Word) -> bool:
    return bool(_SENTENCE_END.search(word.text))


def _absorb_strays(words: Sequence[Word], said: list[str]) -> None:
    """Where the speaker changes inside a sentence, the sentence's smaller part (at most two words, under a
    second) goes to the speaker of its larger part: a turn edge a word off, not an interruption."""
    i = 1
    while i < len(said):
        if said[i] == said[i - 1] or _ends(words[i - 1]):
            i += 1
            continue
        a = i  # the sentence's words before the change: back to the previous sentence end
        while a > 0 and said[a - 1] == said[i - 1] and not _ends(words[a - 1]):
            a -= 1
        b = i  # and after it: up to the next sentence end or the next change
        while b < len(said) and said[b] == said[i]:
            b += 1
            if _ends(words[b - 1]):
                break
        before, after = (a, i), (i, b)
        small, owner = (before, said[i]) if _span(words, before) <= _span(words, after) else (after, said[i - 1])
        if small[1] - small[0] <= STRAY_WORDS and _span(words, small) < STRAY_SECONDS:
            for k in range(*small):
                said[k] = owner
        i += 1


def _span(words: Sequence[Word], part: tuple[int, int]) -> float:
    return words[part[1] - 1].end - words[part[0]].start


def speakers_of(words: Sequence[Word]) -> list[str]:
    """The speakers of ``words`` in order of first speech."""
    seen: dict[str, None] = {}
    for w in words:
        if w.speaker:
            seen.setdefault(w.speaker, None)
    return list(seen)


@dataclass(frozen=True)
class EpisodeTurns:
    """The turns a transcript takes its speakers from, and the sha256 of their file (``None``: no speakers)."""

    turns: tuple[SpeakerTurn, ...] = ()
    sha256: str | None = None


NO_TURNS = EpisodeTurns()


def turns_for(ws: Workspace, episode: Episode, enabled: bool, reporter: Reporter) -> EpisodeTurns:
    """The speakers stage's turns for ``episode`` when they were found in its current audio (none when speakers
    are switched off, were never found, or belong to an earlier recording, and none for a single voice nobody
    named); a damaged file is warned about and the transcript is written without speakers."""
    path = ws.speaker_turns(episode.slug)
    loud = episode.stages.get("loudness")
    if not enabled or not path.is_file() or loud is None:
        return EpisodeTurns()
    try:
        named = load_turns(path)
    except CerdasError as exc:
        reporter.warn(f"{exc} (the transcript is written without speakers)")
        return EpisodeTurns()
    if named.audio != loud.fingerprint:
        return EpisodeTurns()
    voices = set(named.speakers)
    if len(voices) == 1 and named.named_by.get(next(iter(voices)), "generic") == "generic":
        return EpisodeTurns((), sha256_file(path))  # one unnamed voice: "Pembicara 1" on every caption says nothing
    return EpisodeTurns(named.turns, sha256_file(path))

"""The coverage guarantee: nothing spoken may silently vanish from the transcript.

Captions are an accessibility promise, and a deaf viewer cannot know what was left out. After the batched
transcription and its quality guards, the speech the voice activity detector heard (Silero VAD, the regions the
batched pipeline was given) is compared with the words that made it into the transcript:

1. A **gap** is a stretch between two transcribed words holding more than :data:`GAP_SECONDS` of detected speech
   that no word covers (a word covers its own time and :data:`SLACK` either side), or less where a guard removed
   text that stood for audio there (a cut loop, a looping or repeated window: the loop guard once silently lost
   25 s this way).
2. Each gap is **transcribed again on its own**, in windows of at most :data:`MAX_WINDOW` seconds that start and
   end on the detector's speech boundaries (so shifted from the batched pipeline's chunks, and from the start of
   the utterance a gap begins in): first all windows in one batch, no 3-gram repeated (cheap, and enough for
   most), then each window still a gap on its own by sequential decoding with temperature fallback and no
   previous-text conditioning (:meth:`cerdas.transcribe.whisper.Engine.transcribe_window`). The new words go
   through the same guards, and those whose middle falls inside the gap join the transcript.
3. What is still uncovered for more than :data:`GAP_SECONDS` is **marked**: the stage puts a caption
   ``[tidak terdengar jelas]`` over it, warns with its time range and records it in ``episode.toml``
   (:class:`cerdas.facts.TranscriptGap`).

Everything here but :func:`ensure_coverage`'s two callbacks is arithmetic on time spans, so it is tested without
the model; :mod:`cerdas.transcribe.stage` wires it to Whisper.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from cerdas.transcribe.words import Word

Span = tuple[float, float]

GAP_SECONDS = 2.0
"""Detected speech without a word for longer than this is transcribed again, and marked if that fails."""
SLACK = 0.5
"""Seconds either side of a word that count as covered (word timestamps wobble by a few hundred ms)."""
MIN_REMOVED = 0.5
"""Where a guard removed text, uncovered speech from this long is transcribed again."""
MAX_WINDOW = 28.0
"""The longest window transcribed again at once (Whisper hears 30 s at a time)."""
PAD = 0.2
"""Seconds of audio added either side of a window (still clear of the neighbouring words' slack)."""
_TINY = 0.05


def union(spans: Iterable[Span]) -> list[Span]:
    """The spans merged where they overlap or touch, in time order."""
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """What of ``spans`` lies outside every hole (pieces shorter than 50 ms dropped)."""
    cut = union(holes)
    out: list[Span] = []
    for start, end in union(spans):
        for hole_start, hole_end in cut:
            if hole_end <= start or hole_start >= end:
                continue
            if hole_start > start:
                out.append((start, hole_start))
            start = max(start, hole_end)
            if start >= end:
                break
        if end - start > _TINY:
            out.append((start, end))
    return [s for s in out if s[1] - s[0] > _TINY]


def covered(words: Iterable[Word], slack: float = SLACK) -> list[Span]:
    """The time the words cover, each widened by ``slack``."""
    return union((w.start - slack, w.end + slack) for w in words)


def uncovered(speech: Iterable[Span], words: Iterable[Word]) -> list[Span]:
    """Detected speech that no word covers."""
    return subtract(speech, covered(words))


def seconds(spans: Iterable[Span]) -> float:
    """Total length of (non-overlapping) spans."""
    return float(sum((end - start for start, end in spans), 0.0))


def _overlaps(span: Span, others: Iterable[Span]) -> bool:
    return any(a < span[1] and b > span[0] for a, b in others)


def find_gaps(
    speech: Sequence[Span], words: Sequence[Word], removed: Sequence[Span] = (), minimum: float = GAP_SECONDS
) -> list[Span]:
    """The gaps (see the module docstring): from the first to the last uncovered bit of speech between two
    covering words, where that speech adds up to more than ``minimum`` seconds (or :data:`MIN_REMOVED` where a
    guard removed text)."""
    lost = uncovered(speech, words)
    walls = covered(words)
    out: list[Span] = []
    group: list[Span] = []

    def close() -> None:
        if not group:
            return
        total = seconds(group)
        if total > minimum or (total >= MIN_REMOVED and _overlaps((group[0][0], group[-1][1]), removed)):
            out.append((round(group[0][0], 3), round(group[-1][1], 3)))
        group.clear()

    for piece in lost:
        if group and _overlaps((group[-1][1], piece[0]), walls):
            close()
        group.append(piece)
    close()
    return out


def windows(gap: Span, speech: Sequence[Span], longest: float = MAX_WINDOW, back: float = MAX_WINDOW / 2) -> list[Span]:
    """The windows a gap is transcribed again in: its detected speech grouped, in order, into windows of at
    most ``longest`` seconds that begin and end on speech boundaries, padded by :data:`PAD`. A gap that starts
    in the middle of an utterance (its first words were heard, the rest lost) is decoded from the utterance's
    start (up to ``back`` seconds earlier): Whisper skips a sentence it joins halfway."""
    regions = [(a, b) for a, b in union(speech) if a < gap[1] and b > gap[0]]
    if regions and regions[0][0] < gap[0]:
        first = regions[0]
        regions[0] = (first[0] if gap[0] - first[0] <= back else gap[0], first[1])
    regions = [(a, min(b, gap[1])) for a, b in regions]
    out: list[Span] = []
    for start, end in regions:
        if out and end - out[-1][0] <= longest:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return [(round(max(0.0, a - PAD), 3), round(b + PAD, 3)) for a, b in out]


def inside(words: Iterable[Word], span: Span) -> list[Word]:
    """The words whose middle falls in ``span``."""
    return [w for w in words if span[0] <= w.middle < span[1]]


@dataclass
class Coverage:
    """The transcript's words after the guarantee, what could not be covered, and what it took."""

    words: list[Word]
    gaps: list[Span] = field(default_factory=list)
    """Still uncovered for more than :data:`GAP_SECONDS`: to be marked."""
    uncovered_seconds: float = 0.0
    redecoded: int = 0
    recovered_seconds: float = 0.0
    seconds: float = 0.0


Redecode = Callable[[list[Span], bool], list[Word]]
"""``redecode(windows, careful)``: the guarded words Whisper hears in those windows, decoded again: in one
batch (``careful`` False), or one window at a time, sequentially, with temperature fallback (True)."""


def ensure_coverage(words: list[Word], speech: Sequence[Span], removed: Sequence[Span], redecode: Redecode) -> Coverage:
    """Transcribe every gap again and keep the new words that fall in it: first all windows in one batch (cheap),
    then what is still a gap window by window, sequentially (careful); report what is still uncovered."""
    started = time.perf_counter()
    before = seconds(uncovered(speech, words))
    kept = sorted(words, key=lambda w: w.start)
    redecoded = 0
    gaps = find_gaps(speech, kept, removed)
    for careful in (False, True):
        if not gaps:
            break
        spans = [window for gap in gaps for window in windows(gap, speech)]
        heard = redecode(spans, careful)
        redecoded += len(spans)
        kept = sorted([*kept, *(w for gap in gaps for w in inside(heard, gap))], key=lambda w: w.start)
        gaps = find_gaps(speech, kept)
    lost = uncovered(speech, kept)
    return Coverage(
        words=kept,
        gaps=gaps,
        uncovered_seconds=round(seconds(lost), 3),
        redecoded=redecoded,
        recovered_seconds=round(max(0.0, before - seconds(lost)), 3),
        seconds=time.perf_counter() - started if redecoded else 0.0,
    )

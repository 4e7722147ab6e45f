"""Words (with their own timestamps) packed into readable captions: at most two lines of 42 characters, at most
7 seconds, broken preferably at sentence ends and commas, never overlapping the next caption. A mark for speech
that could not be transcribed (``[tidak terdengar jelas]``) is a caption of its own over the whole stretch."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from cerdas.transcribe.formats import Segment, is_inaudible, wrap_lines
from cerdas.transcribe.guards import join
from cerdas.transcribe.words import Word

# caption rules (BBC/Netflix-style subtitles, as YouTube and podcast apps display them)
MAX_LINE = 42
MAX_LINES = 2
MAX_CUE_SECONDS = 7.0
MIN_CUE_SECONDS = 1.0
READING_CPS = 20.0  # characters per second a caption should stay up for, time permitting
PAUSE_BREAK = 1.2  # seconds of silence that always end a caption


# -- layout ----------------------------------------------------------------------------------------------


def wrap(text: str, width: int = MAX_LINE) -> list[str]:
    """``text`` on one line if it fits, else two lines as even as possible (a break after punctuation
    preferred); a line longer than ``width`` only when a single word is."""
    return wrap_lines(text, width)


def fits(text: str) -> bool:
    """Whether ``text`` wraps into at most two lines of at most 42 characters."""
    lines = wrap(text)
    return len(lines) <= MAX_LINES and all(len(line) <= MAX_LINE for line in lines)


def _split_long(word: Word) -> list[Word]:
    """A 'word' longer than a line (a URL, a run of digits) cut into line-sized pieces."""
    if len(word.text) <= MAX_LINE:
        return [word]
    pieces = [word.text[i : i + MAX_LINE] for i in range(0, len(word.text), MAX_LINE)]
    step = (word.end - word.start) / len(pieces)
    return [
        replace(word, start=word.start + k * step, end=word.start + (k + 1) * step, text=p, glued=word.glued and not k)
        for k, p in enumerate(pieces)
    ]


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.?!…][\"')\]]*$", text))


def _ends_clause(text: str) -> bool:
    return bool(re.search(r"[,;:][\"')\]]*$", text)) or _ends_sentence(text)


def build_cues(segments: list[list[Word]], marks: Sequence[tuple[float, float, str] | Word] = ()) -> list[Segment]:
    """Pack words into caption cues that obey the caption rules (see the module docstring).

    The words are cut into sentences (at sentence-ending punctuation, at pauses and where the speaker changes:
    a caption never holds two speakers, and takes its words' speaker); a very short sentence shares its caption
    with the next of the same speaker when both fit; a sentence too long for one caption is split into as few
    captions as the rules allow, as even as possible, preferably after a comma. ``marks`` (start, end, text, or
    a :class:`Word` that also names the speaker) become captions of their own spanning exactly their stretch,
    however long (they hold no words to read).
    """
    words = [piece for seg in segments for w in seg for piece in _split_long(w)]
    units: list[list[Word]] = []
    for word in words:
        if units and units[-1]:
            last = units[-1][-1]
            if (
                word.start - last.end >= PAUSE_BREAK
                or (_ends_sentence(last.text) and not word.glued)
                or word.speaker != last.speaker
            ):
                units.append([])
        elif not units:
            units.append([])
        units[-1].append(word)
    merged: list[list[Word]] = []
    for unit in units:
        if (
            merged
            and _short(merged[-1])
            and unit[0].start - merged[-1][-1].end < PAUSE_BREAK
            and unit[0].speaker == merged[-1][-1].speaker
        ):
            combined = [*merged[-1], *unit]
            if _fits_cue(combined):
                merged[-1] = combined
                continue
        merged.append(unit)
    groups = [(piece, False) for unit in merged for piece in _split_unit(unit)]
    groups += [([m if isinstance(m, Word) else Word(*m)], True) for m in marks]
    return _time_cues(sorted(groups, key=lambda g: g[0][0].start))


def _short(words: list[Word]) -> bool:
    return words[-1].end - words[0].start < MIN_CUE_SECONDS or len(join(words)) < 16


def _fits_cue(words: list[Word]) -> bool:
    return len(words) == 1 or (words[-1].end - words[0].start <= MAX_CUE_SECONDS and fits(join(words)))


def _split_unit(words: list[Word]) -> list[list[Word]]:
    """``words`` in the fewest captions that fit, then the most even ones, breaking after commas if possible."""
    if _fits_cue(words):
        return [words]
    n = len(words)
    inf = float("inf")
    # fewest pieces for each prefix (a single word always fits on its own)
    fewest = [0] + [n + 1] * n
    for i in range(1, n + 1):
        for j in range(i - 1, -1, -1):
            if not _fits_cue(words[j:i]):
                break
            fewest[i] = min(fewest[i], fewest[j] + 1)
    pieces = fewest[n]
    target = len(join(words)) / pieces
    # among splits into exactly that many pieces, the most even, preferring clause ends and unglued breaks
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, -1)}
    for i in range(1, n + 1):
        for k in range(1, pieces + 1):
            choice: tuple[float, int] = (inf, -1)
            for j in range(i - 1, -1, -1):
                piece = words[j:i]
                if not _fits_cue(piece):
                    break
                prev = best.get((j, k - 1))
                if prev is None or prev[0] == inf:
                    continue
                cost = (len(join(piece)) - target) ** 2
                if i < n:
                    cost -= 150 if _ends_clause(words[i - 1].text) else 0
                    cost += 400 if words[i].glued else 0
                if prev[0] + cost < choice[0]:
                    choice = (prev[0] + cost, j)
            if choice[0] < inf:
                best[(i, k)] = choice
    out: list[list[Word]] = []
    i, k = n, pieces
    while i > 0:
        j = best[(i, k)][1]
        out.append(words[j:i])
        i, k = j, k - 1
    return out[::-1]


def _time_cues(groups: list[tuple[list[Word], bool]]) -> list[Segment]:
    """Captions from word groups (``True``: a mark, kept over its whole stretch), each up long enough to read,
    never past the next one's start."""
    cues: list[Segment] = []
    spans = [(g[0].start, g[-1].end) for g, _ in groups if g]
    texts = [(join(g), mark, g[0].speaker) for g, mark in groups if g]
    for k, ((start, end), (text, mark, speaker)) in enumerate(zip(spans, texts, strict=True)):
        if cues:
            start = max(start, cues[-1].end)
        nxt = spans[k + 1][0] if k + 1 < len(spans) else None
        if not mark:
            wanted = max(MIN_CUE_SECONDS, len(text) / READING_CPS)
            end = max(end, start + wanted)
            end = min(end, start + MAX_CUE_SECONDS)
        if nxt is not None and nxt > start:
            end = min(end, nxt)
        end = max(end, start + 0.001)
        cues.append(Segment(round(start, 3), round(end, 3), "\n".join(wrap(text)), speaker))
    return cues


def check_cues(cues: list[Segment]) -> list[str]:
    """Where captions break the rules (for hand-edited VTT files: warnings, not errors)."""
    problems = []
    for i, cue in enumerate(cues, 1):
        lines = cue.text.split("\n")
        if len(lines) > MAX_LINES:
            problems.append(f"cue {i} has {len(lines)} lines")
        if any(len(line) > MAX_LINE for line in lines):
            problems.append(f"cue {i} has a line over {MAX_LINE} characters")
        if cue.end - cue.start > MAX_CUE_SECONDS + 1e-6 and not is_inaudible(cue.flat):
            problems.append(f"cue {i} lasts {cue.end - cue.start:.1f} s")
        if i < len(cues) and cue.end > cues[i].start + 1e-6:
            problems.append(f"cue {i} overlaps the next")
    return problems

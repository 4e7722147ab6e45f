"""Which words a clip holds: a time span or a quote, snapped to Whisper's word boundaries so no word is cut.

A quote is matched the way ``cerdas search`` matches (case and diacritics folded, Sastrawi stems: ``korupsi``
finds ``korupsinya``) and widened to the sentence(s) around it. A quote that is not there names the closest
passage, so the officer can copy it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from cerdas.chapters import format_timestamp
from cerdas.errors import CerdasError
from cerdas.search.text import stemmer
from cerdas.search.text import words as folded_words
from cerdas.transcribe.words import Word

MIN_SECONDS = 5.0
MAX_SECONDS = 90.0
SENTENCE_END = re.compile(r"[.!?…]['\")\]]*$")
PAUSE = 1.2  # s of silence between two words that ends a sentence Whisper left without a full stop
_TIME = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d*)?)$")


@dataclass(frozen=True)
class Span:
    """The words of a clip and its times (seconds of the episode audio): the first word's start, the last's end."""

    words: tuple[Word, ...]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def text(self) -> str:
        return join_words(self.words)

    @property
    def speakers(self) -> list[str]:
        """The named speakers, in order of first word (empty when the words carry no speaker)."""
        seen: list[str] = []
        for w in self.words:
            if w.speaker and w.speaker not in seen:
                seen.append(w.speaker)
        return seen


def join_words(words: tuple[Word, ...] | list[Word]) -> str:
    """The words as text (a glued word continues the previous one without a space)."""
    out = ""
    for w in words:
        out += w.text if (w.glued or not out) else " " + w.text
    return out


def parse_time(text: str) -> float:
    """``75``, ``75.5``, ``1:15``, ``01:02:03.5`` → seconds; anything else is one line."""
    match = _TIME.match(text.strip())
    if match is None:
        raise CerdasError(f"not a time: {text!r} (seconds, MM:SS or HH:MM:SS, e.g. 1:15 or 75.5)")
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)


def check_length(span: Span, path: Path) -> Span:
    """Refuse a span shorter than 5 s or longer than 90 s (what platforms play as a clip)."""
    if span.duration < MIN_SECONDS:
        raise CerdasError(
            f"the clip would be {span.duration:.1f} s of speech ({_at(span)}); a clip is {MIN_SECONDS:g} to "
            f"{MAX_SECONDS:g} s: widen it",
            path,
        )
    if span.duration > MAX_SECONDS:
        raise CerdasError(
            f"the clip would be {span.duration:.1f} s ({_at(span)}); a clip is at most {MAX_SECONDS:g} s", path
        )
    return span


def _at(span: Span) -> str:
    return f"{format_timestamp(span.start)} to {format_timestamp(span.end)}"


def snap(words: list[Word], start: float, end: float, duration: float, path: Path) -> Span:
    """The words of ``[start, end)``: a word that starts before ``start`` or ends after ``end`` is taken whole."""
    if start < 0 or end > duration + 0.05:
        raise CerdasError(
            f"{format_timestamp(start)} to {format_timestamp(end)} is outside the episode "
            f"({format_timestamp(0)} to {format_timestamp(duration)})",
            path,
        )
    if start >= end:
        raise CerdasError(f"the start ({start:g} s) must come before the end ({end:g} s)", path)
    inside = tuple(w for w in words if w.end > start and w.start < end)
    if not inside:
        raise CerdasError(f"no words are spoken between {format_timestamp(start)} and {format_timestamp(end)}", path)
    return check_length(Span(inside), path)


def sentence_ends(words: list[Word]) -> list[bool]:
    """Whether each word ends a sentence: a full stop (or ? ! …), a pause of 1.2 s, or the speaker changing."""
    ends = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        ends.append(
            nxt is None or bool(SENTENCE_END.search(w.text)) or nxt.start - w.end >= PAUSE or (nxt.speaker != w.speaker)
        )
    return ends


def _keys(words: list[Word]) -> tuple[list[str], list[int]]:
    """Each word's folded, stemmed tokens (as search indexes them) and the word each token belongs to."""
    stem = stemmer()
    keys: list[str] = []
    owner: list[int] = []
    for i, w in enumerate(words):
        for token in folded_words(w.text):
            keys.append(stem.stem(token))
            owner.append(i)
    return keys, owner


def find_quote(words: list[Word], quote: str, path: Path) -> Span:
    """The sentence(s) holding ``quote``; a miss names the closest passage and its time."""
    stem = stemmer()
    wanted = [stem.stem(t) for t in folded_words(quote)]
    if not wanted:
        raise CerdasError(f"the quote {quote!r} has no words to look for")
    keys, owner = _keys(words)
    n = len(wanted)
    first_key = wanted[0]
    for i in range(len(keys) - n + 1):
        if keys[i] == first_key and keys[i : i + n] == wanted:
            return _sentences(words, owner[i], owner[i + n - 1], path)
    raise CerdasError(
        f"the quote is not in the transcript; the closest is {_closest(words, keys, owner, wanted)}", path
    )


def _closest(words: list[Word], keys: list[str], owner: list[int], wanted: list[str]) -> str:
    n = len(wanted)
    present = set(wanted)
    best, best_at = -1.0, 0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    for i in range(max(1, len(keys) - n + 1)):
        if keys[i] not in present and (i + n - 1 >= len(keys) or keys[i + n - 1] not in present):
            continue
        matcher.set_seq1(keys[i : i + n])
        score = matcher.ratio() + (0.01 if keys[i] == wanted[0] else 0.0)  # ties: the window that starts alike
        if score > best:
            best, best_at = score, i
    if best < 0 or not keys:
        return "nothing (no word of it is said)"
    a, b = owner[best_at], owner[min(best_at + n, len(owner)) - 1]
    return f'"{join_words(words[a : b + 1])}" at {format_timestamp(words[a].start)}'


def _sentences(words: list[Word], first: int, last: int, path: Path) -> Span:
    """Widen ``words[first..last]`` to whole sentences; past 90 s, the quoted words alone."""
    ends = sentence_ends(words)
    a = first
    while a > 0 and not ends[a - 1]:
        a -= 1
    b = last
    while b < len(words) - 1 and not ends[b]:
        b += 1
    # a sentence shorter than a clip takes the next one (else the one before) until the clip is long enough
    while words[b].end - words[a].start < MIN_SECONDS and (b < len(words) - 1 or a > 0):
        if b < len(words) - 1:
            b += 1
            while b < len(words) - 1 and not ends[b]:
                b += 1
        else:
            a -= 1
            while a > 0 and not ends[a - 1]:
                a -= 1
    span = Span(tuple(words[a : b + 1]))
    if span.duration > MAX_SECONDS:
        span = Span(tuple(words[first : last + 1]))
    return check_length(span, path)

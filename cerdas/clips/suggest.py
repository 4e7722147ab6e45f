"""Suggested clips: moments an officer only has to pick, scored by a rule anyone can check. Offline.

A candidate is a run of whole sentences (:func:`cerdas.clips.select.sentence_ends`) said by one speaker,
15 to 60 s long. Its score adds up, and each part is printed as a reason:

- **+3 for each of the show's vocabulary terms** (``whisper.vocabulary``: the names and subjects the show is
  about) said in it, counted once per term;
- **+2 for a complete thought**: it opens with a capital letter and closes on a full stop, question or
  exclamation mark (Whisper punctuates what it heard as a sentence);
- **+1 for 20-45 s**, the length short-video platforms favour;
- **+1 when Whisper was sure** of its words (mean probability ≥ 0.8): fewer caption errors on screen;
- **-1 for each filler** (``eh``, ``em``, ``hmm``...) beyond the first.

The best candidates that do not overlap are returned, best first. Everything is computed once per sentence, so
a two-hour transcript takes well under a second (``benchmarks/clips.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cerdas.clips.select import join_words, sentence_ends
from cerdas.search.text import words as folded_words
from cerdas.transcribe.words import Word

MIN_SECONDS = 15.0
MAX_SECONDS = 60.0
FILLERS = frozenset({"eh", "em", "emm", "hmm", "ehm", "anu", "apa", "ee", "eee"})


@dataclass(frozen=True)
class Suggestion:
    start: float
    end: float
    text: str
    speaker: str
    score: float
    reasons: tuple[str, ...]

    @property
    def duration(self) -> float:
        return self.end - self.start

    def as_dict(self) -> dict[str, object]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "duration": round(self.duration, 3),
            "speaker": self.speaker,
            "score": self.score,
            "reasons": list(self.reasons),
            "text": self.text,
        }


@dataclass(frozen=True)
class _Sentence:
    first: int
    last: int
    start: float
    end: float
    speaker: str
    terms: frozenset[str]
    fillers: int
    probability: float  # sum over its words
    count: int
    opens: bool
    closes: bool


def _term_keys(vocabulary: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    return [(term, tuple(folded_words(term))) for term in vocabulary if folded_words(term)]


def _sentences(words: list[Word], vocabulary: tuple[str, ...]) -> list[_Sentence]:
    terms = _term_keys(vocabulary)
    ends = sentence_ends(words)
    out: list[_Sentence] = []
    first = 0
    for i, end in enumerate(ends):
        if not end:
            continue
        chunk = words[first : i + 1]
        tokens = [t for w in chunk for t in folded_words(w.text)]
        text = " " + " ".join(tokens) + " "
        found = frozenset(term for term, key in terms if f" {' '.join(key)} " in text)
        out.append(
            _Sentence(
                first,
                i,
                chunk[0].start,
                chunk[-1].end,
                chunk[0].speaker,
                found,
                sum(1 for t in tokens if t in FILLERS),
                sum(w.probability for w in chunk),
                len(chunk),
                chunk[0].text[:1].isupper(),
                chunk[-1].text.rstrip("\"')]").endswith((".", "?", "!")),
            )
        )
        first = i + 1
    return out


def _score(run: list[_Sentence]) -> tuple[float, tuple[str, ...]]:
    reasons: list[str] = []
    score = 0.0
    terms = sorted(frozenset().union(*(s.terms for s in run)))
    if terms:
        score += 3 * len(terms)
        reasons.append(f"+{3 * len(terms)} says {', '.join(terms)}")
    if run[0].opens and run[-1].closes:
        score += 2
        reasons.append("+2 whole sentences")
    seconds = run[-1].end - run[0].start
    if 20 <= seconds <= 45:
        score += 1
        reasons.append("+1 20-45 s")
    count = sum(s.count for s in run)
    if count and sum(s.probability for s in run) / count >= 0.8:
        score += 1
        reasons.append("+1 clear words")
    fillers = sum(s.fillers for s in run)
    if fillers > 1:
        score -= fillers - 1
        reasons.append(f"-{fillers - 1} fillers")
    return score, tuple(reasons)


def suggest(words: list[Word], vocabulary: tuple[str, ...], n: int = 5) -> list[Suggestion]:
    """The ``n`` best non-overlapping moments (see the module docstring for the rule)."""
    sentences = _sentences(words, vocabulary)
    candidates: list[tuple[float, int, int, tuple[str, ...]]] = []
    for a, first in enumerate(sentences):
        for b in range(a, len(sentences)):
            last = sentences[b]
            if last.speaker != first.speaker or last.end - first.start > MAX_SECONDS:
                break
            if b > a and sentences[b - 1].speaker != last.speaker:
                break
            if last.end - first.start >= MIN_SECONDS:
                score, reasons = _score(sentences[a : b + 1])
                candidates.append((score, a, b, reasons))
    candidates.sort(key=lambda c: (-c[0], sentences[c[1]].start))
    chosen: list[Suggestion] = []
    taken: list[tuple[float, float]] = []
    for score, a, b, reasons in candidates:
        start, end = sentences[a].start, sentences[b].end
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        chosen.append(
            Suggestion(
                start,
                end,
                join_words(words[sentences[a].first : sentences[b].last + 1]),
                sentences[a].speaker,
                score,
                reasons,
            )
        )
        if len(chosen) == n:
            break
    return chosen

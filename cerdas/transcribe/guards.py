"""Quality guards on what Whisper says, before anyone reads it.

Segments the model itself scores as no speech are dropped, repeated n-gram loops are cut to one occurrence,
segments whose text still compresses abnormally well (a loop the cut missed), that only echo the vocabulary
prompt, or that are the well-known "subtitles by" hallucinations are dropped. Pure silence never yields text (the
voice activity detector finds nothing to decode). Terms from ``whisper.vocabulary`` are restored where Whisper
heard them nearly right ("Balik papan" → "Balikpapan").
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass, field, replace

from cerdas.facts import GuardCounts
from cerdas.transcribe import whisper
from cerdas.transcribe.words import Word

# quality guards
NO_SPEECH_PROB = 0.6  # Whisper's own rule: no_speech_prob above this with avg_logprob below the next
LOGPROB_FLOOR = -1.0
COMPRESSION_RATIO = 2.4  # zlib ratio above which text is a loop (Whisper's threshold)
LOOP_MAX_NGRAM = 10
# text Whisper invents over silence and music: credits (never said in an interview) and video sign-offs (said
# for real sometimes, so dropped only when the model itself was unsure of the window)
_CREDITS = re.compile(
    r"\b(sub(title|titel|s)?\s+(oleh|by)|(teks|terjemahan|diterjemahkan|transkrip)\s+oleh|amara\.org"
    r"|subtitles?\s+by)\b",
    re.IGNORECASE,
)
_SIGN_OFFS = re.compile(
    r"\b(terima\s+kasih\s+((telah|sudah)\s+)?(menonton|menyaksikan)|jangan\s+lupa\s+(like|subscribe|subskrib)"
    r"|thanks?\s+(you\s+)?for\s+watching|like\s+(dan|and)\s+subscribe)\b",
    re.IGNORECASE,
)
UNSURE_NO_SPEECH = 0.3
UNSURE_LOGPROB = -0.8


# -- words ------------------------------------------------------------------------------------------------

Span = tuple[float, float]


def join(words: list[Word]) -> str:
    """The words as text (a glued word without the space before it)."""
    return "".join(("" if w.glued or not i else " ") + w.text for i, w in enumerate(words))


def _key(text: str) -> str:
    """A word as compared by the guards: lower case, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())


def _words_of(seg: whisper.RawSegment) -> list[Word]:
    """The segment's words; without word timestamps, spread over the segment in proportion to their length."""
    if seg.words:
        return [
            Word(
                w.start,
                max(w.end, w.start),
                w.text.strip(),
                probability=w.probability,
                glued=bool(i) and not w.text[:1].isspace(),
            )
            for i, w in enumerate(seg.words)
            if w.text.strip()
        ]
    tokens = seg.text.split()
    total = sum(len(t) + 1 for t in tokens) or 1
    out, clock = [], seg.start
    span = max(seg.end - seg.start, 0.0)
    for token in tokens:
        length = span * (len(token) + 1) / total
        out.append(Word(clock, clock + length, token))
        clock += length
    return out


def cut_loops(
    words: list[Word], max_ngram: int = LOOP_MAX_NGRAM, spans: list[Span] | None = None
) -> tuple[list[Word], int]:
    """Cut runs where an n-gram repeats back to back (4+ times for one or two words, 3+ times for longer
    n-grams) down to its first occurrence. Returns the words kept and how many were cut; the time each cut
    repetition spanned is added to ``spans`` when given (the audio there may hold speech the loop replaced)."""
    keys = [_key(w.text) for w in words]
    out: list[Word] = []
    out_keys: list[str] = []
    cut = 0
    i = 0
    while i < len(words):
        best_n, best_reps = 0, 1
        for n in range(1, max_ngram + 1):
            if i + 2 * n > len(words):
                break
            gram = keys[i : i + n]
            if not any(gram):
                continue
            reps = 1
            while keys[i + reps * n : i + (reps + 1) * n] == gram:
                reps += 1
            needed = 4 if n <= 2 else 3
            if reps >= needed and reps * n > best_reps * best_n:
                best_n, best_reps = n, reps
        if best_n:
            out.extend(words[i : i + best_n])
            out_keys.extend(keys[i : i + best_n])
            cut += best_n * (best_reps - 1)
            if spans is not None:
                spans.append((words[i + best_n].start, words[i + best_n * best_reps - 1].end))
            i += best_n * best_reps
        else:
            out.append(words[i])
            out_keys.append(keys[i])
            i += 1
    return out, cut


def compression_ratio(text: str) -> float:
    """How well ``text`` compresses (zlib, as Whisper measures it); loops compress far better than speech."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _levenshtein(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def snap_vocabulary(words: list[Word], vocabulary: tuple[str, ...]) -> tuple[list[Word], int]:
    """Write vocabulary terms the way the show spells them where Whisper heard them (nearly) right: one to
    three words whose letters match a term exactly (any case), or within one edit for terms of 6+ letters
    (two for 12+, or for 10+ when Whisper split it into several words). Returns the words and how many terms
    were restored."""
    terms = [(term, _key(term)) for term in vocabulary if _key(term)]
    if not terms:
        return words, 0
    out: list[Word] = []
    fixed = 0
    i = 0
    while i < len(words):
        replaced = False
        for size in (3, 2, 1):
            if i + size > len(words):
                continue
            window = words[i : i + size]
            joined = "".join(_key(w.text) for w in window)
            if not joined:
                continue
            for term, key in terms:
                allowed = 0 if len(key) < 6 else (1 if len(key) < 12 else 2)
                if size > 1 and len(key) >= 10:
                    allowed = 2  # a long name heard as two or three words ("Malik Papen")
                if _levenshtein(joined, key, allowed) > allowed:
                    continue
                if size > 1 and any(not _key(w.text) for w in window):
                    continue
                tail = re.search(r"[^\w]*$", window[-1].text)
                lead = re.match(r"^[^\w]*", window[0].text)
                head = lead.group(0) if lead else ""
                first = window[0].text[len(head) : len(head) + 1]
                spelled = term[0].upper() + term[1:] if first.isupper() and term[0].islower() else term
                spelled = head + spelled + (tail.group(0) if tail else "")
                if join(window) != spelled:
                    fixed += 1
                probability = min(w.probability for w in window)
                out.append(Word(window[0].start, window[-1].end, spelled, probability, glued=window[0].glued))
                i += size
                replaced = True
                break
            if replaced:
                break
        if not replaced:
            out.append(words[i])
            i += 1
    return out, fixed


# -- guards -------------------------------------------------------------------------------------------------


@dataclass
class Cleaned:
    """Guarded words, one list per kept segment; ``removed``: where a guard took out text that stood for
    audio (a cut loop, a looping or repeated window, the prompt read back), which the coverage guarantee
    transcribes again."""

    segments: list[list[Word]] = field(default_factory=list)
    report: GuardCounts = field(default_factory=GuardCounts)
    removed: list[Span] = field(default_factory=list)

    @property
    def words(self) -> list[Word]:
        """Every kept word, in order."""
        return [w for seg in self.segments for w in seg]


def guard(
    raw: list[whisper.RawSegment],
    vocabulary: tuple[str, ...] = (),
    duration: float | None = None,
    prompted: bool = False,
    heard: bool = False,
) -> Cleaned:
    """Apply every quality guard to Whisper's segments (see the module docstring). ``prompted``: Whisper was
    given the vocabulary, so a segment made of vocabulary terms only is the prompt read back. ``heard``: the
    voice activity detector heard speech there (a window transcribed again for the coverage guarantee), so
    Whisper's own "no speech" score does not drop the segment."""
    result = Cleaned()
    rep = result.report
    vocab_keys = {_key(word) for term in vocabulary for word in term.split()} - {""}
    previous_key = ""
    for seg in raw:
        if not heard and seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOGPROB_FLOOR:
            rep.no_speech += 1
            continue
        words = _words_of(seg)
        words, cut = cut_loops(words, spans=result.removed)
        rep.loops_cut_words += cut
        text = join(words)
        keys = [_key(w.text) for w in words if _key(w.text)]
        if not keys:
            continue
        if len(text) >= 40 and compression_ratio(text) > COMPRESSION_RATIO:
            rep.compression += 1
            result.removed.append((seg.start, seg.end))
            continue
        if prompted and vocab_keys and len(keys) >= 2 and all(k in vocab_keys for k in keys):
            rep.prompt_echo += 1
            result.removed.append((seg.start, seg.end))
            continue
        unsure = seg.no_speech_prob > UNSURE_NO_SPEECH or seg.avg_logprob < UNSURE_LOGPROB
        if len(keys) <= 12 and (_CREDITS.search(text) or (unsure and _SIGN_OFFS.search(text))):
            rep.hallucination += 1
            continue
        joined = " ".join(keys)
        if len(keys) >= 3 and joined == previous_key:
            rep.repeated += 1
            result.removed.append((seg.start, seg.end))
            continue
        previous_key = joined
        if duration is not None:
            words = [replace(w, start=min(w.start, duration), end=min(w.end, duration)) for w in words]
        words, fixed = snap_vocabulary(words, vocabulary)
        rep.vocabulary_fixed += fixed
        result.segments.append(words)
    return result

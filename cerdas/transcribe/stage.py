"""Stage 4, transcribe: offline Whisper transcripts (VTT, SRT, Podcasting 2.0 JSON, TXT) in ``transcripts/``.

What Whisper says goes through quality guards before anyone reads it: segments the model itself scores as
no speech are dropped, repeated n-gram loops are cut to one occurrence, segments whose text still compresses
abnormally well (a loop the cut missed), that only echo the vocabulary prompt, or that are the well-known
"subtitles by" hallucinations are dropped. Pure silence never yields text (the voice activity detector finds
nothing to decode). Terms from ``whisper.vocabulary`` are restored where Whisper heard them nearly right
("Balik papan" → "Balikpapan").

Words (with their own timestamps) are then packed into readable captions: at most two lines of 42 characters,
at most 7 seconds, broken preferably at sentence ends and commas, never overlapping the next caption.

The VTT is the master a producer may correct by hand. The stage records the sha256 of the VTT it wrote: a VTT
that differs is a hand correction, and is never overwritten by ``publish``; the other formats are regenerated
from it instead (as ``cerdas transcribe SLUG --from-vtt`` does). Only ``cerdas transcribe SLUG --force``
re-transcribes over it, keeping the corrected file as ``<slug>.vtt.bak``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cerdas.episode import Episode, load_episode
from cerdas.errors import CerdasError, StageError
from cerdas.fsutil import atomic_copy, atomic_write_text, fingerprint, sha256_file
from cerdas.pipeline import Context, StageOutput, StageReport, run_stage
from cerdas.report import Reporter
from cerdas.settings import Settings, WhisperSettings
from cerdas.transcribe import whisper
from cerdas.transcribe.formats import Segment, load_vtt, to_json, to_srt, to_txt, to_vtt, transcript_path
from cerdas.workspace import Workspace

ALGORITHM = "transcribe-v1"

# caption rules (BBC/Netflix-style subtitles, as YouTube and podcast apps display them)
MAX_LINE = 42
MAX_LINES = 2
MAX_CUE_SECONDS = 7.0
MIN_CUE_SECONDS = 1.0
READING_CPS = 20.0  # characters per second a caption should stay up for, time permitting
PAUSE_BREAK = 1.2  # seconds of silence that always end a caption

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


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str  # no surrounding spaces
    glued: bool = False  # continues the previous word without a space ("cerita" + "-integritas")


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
            Word(w.start, max(w.end, w.start), w.text.strip(), glued=bool(i) and not w.text[:1].isspace())
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


def cut_loops(words: list[Word], max_ngram: int = LOOP_MAX_NGRAM) -> tuple[list[Word], int]:
    """Cut runs where an n-gram repeats back to back (4+ times for one or two words, 3+ times for longer
    n-grams) down to its first occurrence. Returns the words kept and how many were cut."""
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
                out.append(Word(window[0].start, window[-1].end, spelled, window[0].glued))
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
class GuardReport:
    """What the quality guards removed (recorded in episode.toml)."""

    no_speech: int = 0
    loops_cut_words: int = 0
    compression: int = 0
    prompt_echo: int = 0
    hallucination: int = 0
    repeated: int = 0
    vocabulary_fixed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    @property
    def dropped(self) -> int:
        return self.no_speech + self.compression + self.prompt_echo + self.hallucination + self.repeated


@dataclass
class Cleaned:
    """Guarded words, one list per kept segment."""

    segments: list[list[Word]] = field(default_factory=list)
    report: GuardReport = field(default_factory=GuardReport)


def guard(
    raw: list[whisper.RawSegment],
    vocabulary: tuple[str, ...] = (),
    duration: float | None = None,
    prompted: bool = False,
) -> Cleaned:
    """Apply every quality guard to Whisper's segments (see the module docstring). ``prompted``: Whisper was
    given the vocabulary, so a segment made of vocabulary terms only is the prompt read back."""
    result = Cleaned()
    rep = result.report
    vocab_keys = {_key(word) for term in vocabulary for word in term.split()} - {""}
    previous_key = ""
    for seg in raw:
        if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOGPROB_FLOOR:
            rep.no_speech += 1
            continue
        words = _words_of(seg)
        words, cut = cut_loops(words)
        rep.loops_cut_words += cut
        text = join(words)
        keys = [_key(w.text) for w in words if _key(w.text)]
        if not keys:
            continue
        if len(text) >= 40 and compression_ratio(text) > COMPRESSION_RATIO:
            rep.compression += 1
            continue
        if prompted and vocab_keys and len(keys) >= 2 and all(k in vocab_keys for k in keys):
            rep.prompt_echo += 1
            continue
        unsure = seg.no_speech_prob > UNSURE_NO_SPEECH or seg.avg_logprob < UNSURE_LOGPROB
        if len(keys) <= 12 and (_CREDITS.search(text) or (unsure and _SIGN_OFFS.search(text))):
            rep.hallucination += 1
            continue
        joined = " ".join(keys)
        if len(keys) >= 3 and joined == previous_key:
            rep.repeated += 1
            continue
        previous_key = joined
        if duration is not None:
            words = [replace(w, start=min(w.start, duration), end=min(w.end, duration)) for w in words]
        words, fixed = snap_vocabulary(words, vocabulary)
        rep.vocabulary_fixed += fixed
        result.segments.append(words)
    return result


# -- captions ----------------------------------------------------------------------------------------------


def wrap(text: str, width: int = MAX_LINE) -> list[str]:
    """``text`` on one line if it fits, else two lines as even as possible (a break after punctuation
    preferred); a line longer than ``width`` only when a single word is."""
    if len(text) <= width:
        return [text]
    words = text.split()
    best: tuple[float, int] | None = None
    for i in range(1, len(words)):
        first, second = " ".join(words[:i]), " ".join(words[i:])
        if len(first) > width or len(second) > width:
            continue
        score = abs(len(first) - len(second)) - (12 if first[-1] in ",.;:?!" else 0)
        if best is None or score < best[0]:
            best = (score, i)
    if best is None:  # does not fit two lines: callers keep cues short enough that this never happens
        return [text]
    return [" ".join(words[: best[1]]), " ".join(words[best[1] :])]


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
    return [Word(word.start + k * step, word.start + (k + 1) * step, p) for k, p in enumerate(pieces)]


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.?!…][\"')\]]*$", text))


def _ends_clause(text: str) -> bool:
    return bool(re.search(r"[,;:][\"')\]]*$", text)) or _ends_sentence(text)


def build_cues(segments: list[list[Word]]) -> list[Segment]:
    """Pack words into caption cues that obey the caption rules (see the module docstring).

    The words are cut into sentences (at sentence-ending punctuation and at pauses); a very short sentence
    shares its caption with the next when both fit; a sentence too long for one caption is split into as few
    captions as the rules allow, as even as possible, preferably after a comma.
    """
    words = [piece for seg in segments for w in seg for piece in _split_long(w)]
    units: list[list[Word]] = []
    for word in words:
        if units and units[-1]:
            last = units[-1][-1]
            if word.start - last.end >= PAUSE_BREAK or (_ends_sentence(last.text) and not word.glued):
                units.append([])
        elif not units:
            units.append([])
        units[-1].append(word)
    merged: list[list[Word]] = []
    for unit in units:
        if merged and _short(merged[-1]) and unit[0].start - merged[-1][-1].end < PAUSE_BREAK:
            combined = [*merged[-1], *unit]
            if _fits_cue(combined):
                merged[-1] = combined
                continue
        merged.append(unit)
    groups = [piece for unit in merged for piece in _split_unit(unit)]
    return _time_cues([(g, "") for g in groups])


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


def _time_cues(groups: list[tuple[list[Word], str]]) -> list[Segment]:
    cues: list[Segment] = []
    spans = [(g[0].start, g[-1].end) for g, _ in groups if g]
    texts = [(join(g), speaker) for g, speaker in groups if g]
    for k, ((start, end), (text, speaker)) in enumerate(zip(spans, texts, strict=True)):
        if cues:
            start = max(start, cues[-1].end)
        nxt = spans[k + 1][0] if k + 1 < len(spans) else None
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
        if cue.end - cue.start > MAX_CUE_SECONDS + 1e-6:
            problems.append(f"cue {i} lasts {cue.end - cue.start:.1f} s")
        if i < len(cues) and cue.end > cues[i].start + 1e-6:
            problems.append(f"cue {i} overlaps the next")
    return problems


# -- the whole transcription -------------------------------------------------------------------------------


@dataclass
class Transcript:
    """Captions and what it took to make them."""

    cues: list[Segment]
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def words(self) -> int:
        return sum(len(c.flat.split()) for c in self.cues)


@dataclass(frozen=True)
class Prepared:
    """The checks done before any work: which model, which language, which device."""

    model: whisper.ModelInfo
    language: str | None
    device: whisper.Device


def prepare(settings: WhisperSettings, root: Path, install: bool = True, load: bool = False) -> Prepared:
    """Check language, model and device before any work (raises :class:`whisper.ModelError`).

    The bundled model is verified by its sha256; any other model can only be checked by loading it, which
    ``load`` does now (the loaded model is kept for the transcription that follows).
    """
    language = whisper.whisper_language(settings.language)
    model = whisper.resolve_model(settings.model, root, install=install)
    whisper.check_language(model, language)
    prepared = Prepared(model, language, whisper.choose_device(settings.device))
    if load and not model.bundled:
        engine = whisper.load(model, prepared.device)
        whisper.check_language(engine.model, language)
    return prepared


def vocabulary_prompt(vocabulary: tuple[str, ...]) -> str | None:
    """The vocabulary as Whisper's hotwords (a comma-separated list of the show's terms)."""
    return ", ".join(vocabulary) if vocabulary else None


def transcribe_audio(
    audio: Path, settings: WhisperSettings, prepared: Prepared, reporter: Reporter, duration: float = 0.0
) -> Transcript:
    """Transcribe one audio file into guarded caption cues (progress in audio seconds)."""
    engine = whisper.load(prepared.model, prepared.device)
    bar = reporter.progress("Transkripsi", duration or 1.0, "s")
    try:
        raw = engine.transcribe(
            audio,
            language=prepared.language,
            beam_size=settings.beam_size,
            batch_size=settings.batch_size,
            word_timestamps=True,
            hotwords=vocabulary_prompt(settings.vocabulary) if settings.prompt else None,
            progress=bar.update,
        )
    finally:
        bar.close()
    cleaned = guard(raw.segments, settings.vocabulary, raw.duration, prompted=settings.prompt)
    cues = build_cues(cleaned.segments)
    data: dict[str, Any] = {
        "model": prepared.model.name,
        "language": raw.language,
        "device": prepared.device.describe(),
        "audio_seconds": round(raw.duration, 3),
        "speech_seconds": round(raw.speech, 3),
        "seconds": round(raw.seconds, 3),
        "rtf": round(raw.seconds / raw.duration, 4) if raw.duration else 0.0,
        "guards": cleaned.report.as_dict(),
    }
    return Transcript(cues, data)


# -- files --------------------------------------------------------------------------------------------------


def _note(data: dict[str, Any]) -> str:
    return (
        f"Transkrip otomatis (Whisper {data.get('model', '')}, bahasa {data.get('language', '')}). "
        "Perbaiki teks di file ini; lalu 'cerdas transcribe SLUG --from-vtt' memperbarui SRT, JSON dan TXT."
    ).replace("SLUG", str(data.get("slug", "SLUG")))


def write_others(ws: Workspace, slug: str, cues: list[Segment], title: str) -> dict[str, str]:
    """Write SRT, JSON and TXT from ``cues`` (each atomically); returns their workspace-relative paths."""
    outputs = {}
    for kind, text in (("srt", to_srt(cues)), ("json", to_json(cues)), ("txt", to_txt(cues, title))):
        path = transcript_path(ws, slug, kind)
        atomic_write_text(path, text)
        outputs[kind] = ws.relative(path)
    return outputs


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def episode_audio(ws: Workspace, episode: Episode) -> Path:
    """The normalised audio to transcribe (the untagged MP3; the tagged one if the work file is gone)."""
    for stage in ("loudness", "tag"):
        stored = episode.output(stage, "mp3")
        if stored and ws.resolve(stored).is_file():
            return ws.resolve(stored)
    raise StageError(
        f"episode {episode.slug!r} has no normalised audio yet; run 'cerdas publish' on its recording first",
        ws.episode_dir(episode.slug),
    )


class TranscribeStage:
    """The ``transcribe`` stage of ``publish`` (and of ``cerdas transcribe``).

    ``mode``: ``auto`` (transcribe, or regenerate from a hand-corrected VTT), ``from_vtt`` (only regenerate
    SRT/JSON/TXT from the VTT), ``retranscribe`` (transcribe over a hand-corrected VTT, keeping a backup).
    """

    name = "transcribe"

    def __init__(self, mode: str = "auto", prepared: Prepared | None = None) -> None:
        if mode not in ("auto", "from_vtt", "retranscribe"):
            raise ValueError(mode)
        self.mode = mode
        self.prepared = prepared

    @classmethod
    def for_publish(cls, ctx: Context) -> TranscribeStage:
        """The stage with model and language checked now, before publish does any work."""
        if not ctx.settings.whisper.enabled:
            return cls()
        return cls(
            prepared=prepare(ctx.settings.whisper, ctx.workspace.root, install=not ctx.dry_run, load=not ctx.dry_run)
        )

    def skip_reason(self, episode: Episode, ctx: Context) -> str | None:
        if not ctx.settings.whisper.enabled and self.mode != "from_vtt":
            return "switched off in cerdas.toml ([whisper] enabled = false)"
        return None

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        vtt = transcript_path(ctx.workspace, episode.slug, "vtt")
        return {
            **self._transcription_inputs(episode, ctx),
            "title": episode.title,  # heads the TXT
            "vtt": sha256_file(vtt) if vtt.is_file() else None,  # a hand correction regenerates the others
        }

    @staticmethod
    def _transcription_inputs(episode: Episode, ctx: Context) -> dict[str, Any]:
        """What the words depend on; when only the title or the VTT changed, nothing is transcribed again."""
        ws, w = ctx.workspace, ctx.settings.whisper
        loud, tag = episode.stages.get("loudness"), episode.stages.get("tag")
        return {
            "audio": loud.fingerprint if loud else (tag.fingerprint if tag else None),
            "model": whisper.model_ident(w.model, ws.root),
            "language": w.language,
            "vocabulary": list(w.vocabulary),
            "prompt": w.prompt,
            "decoding": [w.beam_size, w.batch_size],
            "algorithm": ALGORITHM,
        }

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        ws = ctx.workspace
        vtt = transcript_path(ws, episode.slug, "vtt")
        record = episode.stages.get(self.name)
        previous = record.data if record else {}
        edited = vtt.is_file() and sha256_file(vtt) != previous.get("vtt_sha256")
        words_fp = fingerprint(self._transcription_inputs(episode, ctx))
        unchanged = vtt.is_file() and previous.get("words_fingerprint") == words_fp and not ctx.force
        if self.mode == "from_vtt" or (self.mode == "auto" and (edited or unchanged)):
            if not vtt.is_file():
                raise CerdasError("no VTT transcript to regenerate from; run 'cerdas transcribe SLUG' first", vtt)
            return self._from_vtt(episode, ctx, vtt, previous, edited)
        prepared = self.prepared or prepare(ctx.settings.whisper, ws.root)
        audio = episode_audio(ws, episode)
        duration = float(episode.stages["tag"].data.get("duration", 0.0)) if "tag" in episode.stages else 0.0
        result = transcribe_audio(audio, ctx.settings.whisper, prepared, ctx.reporter, duration)
        if edited:
            atomic_copy(vtt, vtt.with_name(vtt.name + ".bak"))
            ctx.reporter.warn(f"re-transcribed over the hand-corrected {vtt.name}; it was kept as {vtt.name}.bak")
        result.data["slug"] = episode.slug
        outputs = write_others(ws, episode.slug, result.cues, episode.title)
        vtt_text = to_vtt(result.cues, note=_note(result.data))
        atomic_write_text(vtt, vtt_text)  # last: a crash before this leaves the old pair consistent
        outputs["vtt"] = ws.relative(vtt)
        data = {
            **result.data,
            "source": "whisper",
            "vtt_sha256": _sha(vtt_text),
            "cues": len(result.cues),
            "words": result.words,
            "words_fingerprint": words_fp,
        }
        data.pop("slug", None)
        dropped = cleaned_summary(result.data.get("guards", {}))
        summary = (
            f"{_count(len(result.cues), 'caption')}, {_count(result.words, 'word')}, RTF {data['rtf']:.3f} "
            f"({prepared.model.name}, {data['language']}, {prepared.device.describe()}){dropped}"
        )
        return StageOutput(outputs=dict(sorted(outputs.items())), data=data, summary=summary)

    def _from_vtt(
        self, episode: Episode, ctx: Context, vtt: Path, previous: dict[str, Any], edited: bool
    ) -> StageOutput:
        ws = ctx.workspace
        cues = load_vtt(vtt)
        if edited:
            for problem in check_cues(cues)[:5]:
                ctx.reporter.warn(f"{vtt.name}: {problem}")
            if self.mode == "auto":
                ctx.reporter.info(
                    f"transcribe: kept the hand-corrected {vtt.name}; SRT, JSON and TXT regenerated "
                    "from it ('cerdas transcribe SLUG --force' transcribes again)"
                )
        outputs = write_others(ws, episode.slug, cues, episode.title)
        outputs["vtt"] = ws.relative(vtt)
        keep = {k: v for k, v in previous.items() if k not in ("summary", "source", "cues", "words", "edited_sha256")}
        keep.setdefault("vtt_sha256", "")
        data = {
            **keep,
            "source": "vtt" if edited else "whisper",
            "cues": len(cues),
            "words": sum(len(c.flat.split()) for c in cues),
        }
        if edited:
            data["edited_sha256"] = sha256_file(vtt)
        what = f"from the corrected {vtt.name}" if edited else f"from {vtt.name} (nothing to transcribe again)"
        return StageOutput(
            outputs=dict(sorted(outputs.items())), data=data, summary=f"{_count(len(cues), 'caption')} {what}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def cleaned_summary(guards: dict[str, int]) -> str:
    """``"; dropped 2 (no speech 1, loop 1)"`` or ``""``."""
    names = {
        "no_speech": "no speech",
        "compression": "loop",
        "prompt_echo": "prompt echo",
        "hallucination": "hallucination",
        "repeated": "repeat",
    }
    parts = [f"{label} {guards[key]}" for key, label in names.items() if guards.get(key)]
    if guards.get("loops_cut_words"):
        parts.append(f"{guards['loops_cut_words']} looped words cut")
    return f"; guards: {', '.join(parts)}" if parts else ""


def transcribe_episode(ctx: Context, slug: str, from_vtt: bool = False, force: bool = False) -> StageReport:
    """``cerdas transcribe SLUG``: run the transcribe stage on one episode, with every check done first."""
    if from_vtt and force:
        raise CerdasError("--from-vtt and --force contradict each other: choose one")
    ws = ctx.workspace
    episode = load_episode(ws, slug)
    mode = "from_vtt" if from_vtt else ("retranscribe" if force else "auto")
    prepared = None
    if mode == "from_vtt":
        vtt = transcript_path(ws, slug, "vtt")
        if not vtt.is_file():
            raise CerdasError("no VTT transcript to regenerate from; run 'cerdas transcribe SLUG' first", vtt)
    else:
        if not ctx.settings.whisper.enabled:
            raise CerdasError("transcription is switched off in cerdas.toml ([whisper] enabled = false)", ws.config)
        episode_audio(ws, episode)
        prepared = prepare(ctx.settings.whisper, ws.root, install=not ctx.dry_run, load=not ctx.dry_run)
    stage = TranscribeStage(mode, prepared)
    with ws.lock():
        ctx.force = ctx.force or mode != "auto"
        return run_stage(stage, episode, ctx, save=not ctx.dry_run)


# -- doctor -------------------------------------------------------------------------------------------------


def doctor_lines(settings: Settings | None) -> list[Any]:
    """``cerdas doctor``: the Whisper model, its path and sha256, and whether it loads."""
    from cerdas.doctor import Check

    w = settings.whisper if settings is not None else WhisperSettings()
    root = settings.root if settings is not None else Path.cwd()
    lines = [Check("transcription", None, "on" if w.enabled else "off ([whisper] enabled = false)")]
    try:
        language = whisper.whisper_language(w.language)
    except CerdasError as exc:
        return [*lines, Check("language", False, str(exc), fix="set 'whisper.language' in cerdas.toml")]
    lines.append(Check("language", True, language or "auto (detected per episode)"))
    fix = "cerdas doctor --install-model" if w.model == whisper.BUNDLED else "set 'whisper.model' in cerdas.toml"
    try:
        prepared = prepare(w, root, install=False)
    except CerdasError as exc:
        return [*lines, Check("whisper model", False, str(exc), fix=fix)]
    model = prepared.model
    where = str(model.path) if model.path is not None else "fetched by faster-whisper on first use"
    lines.append(Check("whisper model", True, f"{model.label}: {where}"))
    if model.path is not None:
        sha = whisper.file_sha256(model)
        if model.bundled:
            whisper.verify_bundled(model.path, full=True)
        lines.append(
            Check(
                "model sha256",
                True if model.bundled else None,
                sha + (" (matches the pinned sum)" if model.bundled else ""),
            )
        )
    try:
        engine = whisper.load(model, prepared.device)
    except CerdasError as exc:
        return [*lines, Check("model loads", False, str(exc), fix=fix)]
    lines.append(Check("model loads", True, f"yes, {prepared.device.describe()}, {engine.load_seconds:.1f} s"))
    return lines

"""The transcript model shared by transcription, the feed and site, YouTube captions and search.

On disk, per episode, in ``transcripts/``: ``<slug>.vtt`` (the master a producer may correct by hand),
``<slug>.srt``, ``<slug>.json`` (Podcasting 2.0 transcript JSON) and ``<slug>.txt``. Readers that need segments
(site, search) read the JSON with :func:`load_json`; :func:`load_vtt` reads the (possibly hand-edited) VTT.

The writers here are pure text functions over a list of :class:`Segment` cues; a segment's ``text`` may hold a
line break where a caption wraps (VTT and SRT keep it; JSON and TXT join the lines with a space).
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from cerdas.errors import CerdasError
from cerdas.fsutil import MiB, read_text
from cerdas.notes import strip_control

JSON_VERSION = "1.0.0"
KINDS = ("vtt", "srt", "json", "txt")
"""The transcript files of an episode; the VTT is the master, the others are made from it."""
MIME_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip", "json": "application/json", "txt": "text/plain"}
MAX_FILE = 64 * MiB
"""A transcript file larger than this is not a transcript (hours of captions are a few megabytes)."""
SRT_LINE = 32  # characters per line and lines per card, as the Podcasting 2.0 transcript guidance asks of SRT
SRT_LINES = 2
INAUDIBLE = {"id": "[tidak terdengar jelas]", "ms": "[tidak kedengaran jelas]", "en": "[inaudible]"}
"""The caption over speech that could not be transcribed, by the show's language (English otherwise)."""


def inaudible(language: str) -> str:
    """The mark for speech that could not be transcribed, in ``language`` (a BCP 47 code: ``id``, ``id-ID``)."""
    return INAUDIBLE.get(language.split("-")[0].lower(), INAUDIBLE["en"])


def is_inaudible(text: str) -> bool:
    """Whether a caption is only such a mark (in any language Cerdas writes it in)."""
    return " ".join(text.split()).lower() in INAUDIBLE.values()


@dataclass(frozen=True)
class Segment:
    """A stretch of speech: seconds from the start of the episode audio, its text, the speaker when known."""

    start: float
    end: float
    text: str
    speaker: str = ""

    @property
    def flat(self) -> str:
        """The text on one line (caption line breaks become spaces)."""
        return " ".join(self.text.split())


def load_json(path: Path) -> list[Segment]:
    """Read Podcasting 2.0 transcript JSON (``{"version", "segments": [{startTime, endTime, body, speaker?}]}``):
    a regular file, not a link, of sane size (it is copied to the site)."""
    return parse_json(read_text(path, MAX_FILE, "transcript", follow=False), path)


def parse_json(text: str, path: Path) -> list[Segment]:
    """Segments of transcript JSON ``text`` (read from ``path``), control characters removed; every value checked."""
    try:
        data = json.loads(strip_control(text))  # raw control characters are not JSON (a hand edit): dropped
        segments = data["segments"]
        if not isinstance(segments, list):
            raise TypeError("'segments' is not a list")
        out = []
        clean = strip_control if "\\u" in text else str  # an escaped one (\u001b) is; Cerdas writes none
        for s in segments:
            start, end = float(s["startTime"]), float(s["endTime"])
            body, speaker = s["body"], s.get("speaker", "")
            if not (math.isfinite(start) and math.isfinite(end)) or not isinstance(body, str):
                raise ValueError("a segment's times or body")
            out.append(Segment(start, end, clean(body), clean(str(speaker))))
        return out
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise CerdasError(f"not Podcasting 2.0 transcript JSON ({exc.__class__.__name__})", path) from exc


# -- timestamps -------------------------------------------------------------------------------------------


def _clock(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def vtt_time(seconds: float) -> str:
    """``HH:MM:SS.mmm``."""
    return _clock(seconds, ".")


def srt_time(seconds: float) -> str:
    """``HH:MM:SS,mmm``."""
    return _clock(seconds, ",")


def paragraph_time(seconds: float, long: bool) -> str:
    """``MM:SS`` (``H:MM:SS`` when the episode is an hour or longer)."""
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if long else f"{s // 60:02d}:{s % 60:02d}"


# -- writers ----------------------------------------------------------------------------------------------


def wrap_lines(text: str, width: int) -> list[str]:
    """``text`` on one line if it fits ``width``, else two lines as even as possible (a break after punctuation
    preferred); a line longer than ``width`` only when a single word is, and ``[text]`` when two lines cannot
    hold it (callers keep their cues short enough)."""
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
    if best is None:
        return [text]
    return [" ".join(words[: best[1]]), " ".join(words[best[1] :])]


def _fits_card(words: list[str]) -> bool:
    if len(words) == 1:
        return True
    lines = wrap_lines(" ".join(words), SRT_LINE)
    return len(lines) <= SRT_LINES and all(len(line) <= SRT_LINE for line in lines)


def srt_cards(start: float, end: float, text: str) -> list[tuple[float, float, list[str]]]:
    """One cue's text as SRT cards of at most two lines of 32 characters: as few cards as fit, as even as
    possible, each timed in proportion to its length within the cue."""
    words = text.split()
    if not words:
        return []
    n = len(words)
    # fewest cards for each prefix, then the evenest split into that many (the cost: squared length error)
    best: list[tuple[int, float, int]] = [(0, 0.0, 0)] + [(n + 1, 0.0, 0)] * n
    target = len(text) / max(1, -(-len(text) // (SRT_LINE * SRT_LINES)))
    for i in range(1, n + 1):
        for j in range(i - 1, -1, -1):
            if not _fits_card(words[j:i]):
                break
            cards, cost, _ = best[j]
            candidate = (cards + 1, cost + (len(" ".join(words[j:i])) - target) ** 2, j)
            if candidate[:2] < best[i][:2]:
                best[i] = candidate
    pieces: list[list[str]] = []
    i = n
    while i > 0:
        j = best[i][2]
        pieces.append(words[j:i])
        i = j
    pieces.reverse()
    total = sum(len(" ".join(p)) + 1 for p in pieces)
    out, clock = [], start
    for k, piece in enumerate(pieces):
        share = (end - start) * (len(" ".join(piece)) + 1) / total
        stop = end if k == len(pieces) - 1 else clock + share
        out.append((round(clock, 3), round(stop, 3), wrap_lines(" ".join(piece), SRT_LINE)))
        clock = stop
    return out


def _escape(text: str) -> str:
    return strip_control(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(segments: list[Segment], note: str = "") -> str:
    """WebVTT with numbered cues; a known speaker as a ``<v Name>`` voice span."""
    out = ["WEBVTT", ""]
    if note:
        out += ["NOTE", *(" ".join(line.split()).replace("-->", "->") for line in note.splitlines()), ""]
    for i, seg in enumerate(segments, 1):
        lines = [_escape(line) for line in seg.text.split("\n") if line.strip()]
        if seg.speaker and lines:
            lines[0] = f"<v {_escape(seg.speaker)}>{lines[0]}"
        out += [str(i), f"{vtt_time(seg.start)} --> {vtt_time(seg.end)}", *lines, ""]
    return "\n".join(out)


def to_named_vtt(segments: list[Segment]) -> str:
    """WebVTT for players that ignore ``<v>`` (YouTube): at each change of speaker, the speaker's name and a colon
    as a line of its own above the caption's text."""
    out = ["WEBVTT", ""]
    previous = ""
    for i, seg in enumerate(segments, 1):
        lines = [_escape(line) for line in seg.text.split("\n") if line.strip()]
        if seg.speaker and seg.speaker != previous and lines:
            lines.insert(0, f"{_escape(seg.speaker)}:")
        previous = seg.speaker or previous
        out += [str(i), f"{vtt_time(seg.start)} --> {vtt_time(seg.end)}", *lines, ""]
    return "\n".join(out)


def to_srt(segments: list[Segment]) -> str:
    """SubRip as the Podcasting 2.0 transcript guidance asks: cards of at most two lines of 32 characters (a
    caption longer than that becomes several cards, timed in proportion), a new card where the speaker changes,
    which opens with the speaker's name and a colon."""
    out: list[str] = []
    previous = ""
    number = 0
    for seg in segments:
        text = strip_control(seg.flat)
        if seg.speaker and seg.speaker != previous and text:
            text = f"{strip_control(seg.speaker)}: {text}"
        previous = seg.speaker
        for start, end, lines in srt_cards(seg.start, seg.end, text):
            number += 1
            out += [str(number), f"{srt_time(start)} --> {srt_time(end)}", *lines, ""]
    return "\n".join(out)


def to_json(segments: list[Segment]) -> str:
    """Podcasting 2.0 transcript JSON; ``speaker`` only where known."""
    items = []
    for seg in segments:
        body = strip_control(seg.flat)
        item: dict[str, object] = {"startTime": round(seg.start, 3), "endTime": round(seg.end, 3), "body": body}
        if seg.speaker:
            item["speaker"] = strip_control(seg.speaker)
        items.append(item)
    return json.dumps({"version": JSON_VERSION, "segments": items}, ensure_ascii=False, indent=1) + "\n"


_SENTENCE_END = re.compile(r"[.?!…][\"')\]]*$")


@dataclass(frozen=True)
class Paragraph:
    """Cues read as one paragraph: one speaker, whole sentences. ``t`` (its start in whole seconds) is the anchor
    ``#t=`` of the paragraph on the episode page."""

    start: float
    end: float
    speaker: str
    text: str
    parts: tuple[tuple[float, str], ...] = ()
    """Its cues, ``(start, text)``: the moments inside it (the site gives each an anchor)."""

    @property
    def t(self) -> int:
        return int(self.start)


def paragraphs(
    segments: list[Segment], pause: float = 2.0, soft: float = 45.0, hard: float = 120.0, max_chars: int = 700
) -> list[Paragraph]:
    """The one paragraph rule of the TXT and the episode page.

    A new paragraph starts where the speaker changes, and where a sentence ends after a pause of ``pause``
    seconds or once the paragraph is ``soft`` seconds or ``max_chars`` characters long: never in the middle of a
    sentence, unless no sentence has ended for ``hard`` seconds (Whisper sometimes gives no punctuation). Two
    paragraphs never start in the same whole second, since their anchors must be unique: such a one is joined to
    the previous.
    """
    out: list[Paragraph] = []
    texts: list[str] = []
    parts: list[tuple[float, str]] = []
    start = end = 0.0
    speaker = ""
    for seg in sorted(segments, key=lambda s: s.start):
        text = seg.flat
        if not text:
            continue
        if texts:
            length = end - start
            at_sentence_end = bool(_SENTENCE_END.search(texts[-1]))
            new = (
                seg.speaker != speaker
                or (at_sentence_end and (seg.start - end >= pause or length >= soft))
                or (at_sentence_end and sum(len(x) for x in texts) >= max_chars)
                or length >= hard
            )
            if new and int(seg.start) > int(start):
                out.append(Paragraph(start, end, speaker, " ".join(texts), tuple(parts)))
                texts, parts = [], []
        if not texts:
            start, speaker = seg.start, seg.speaker
        texts.append(text)
        parts.append((seg.start, text))
        end = max(end, seg.end)
    if texts:
        out.append(Paragraph(start, end, speaker, " ".join(texts), tuple(parts)))
    return out


def to_txt(segments: list[Segment], title: str = "") -> str:
    """Readable paragraphs, each opening with its time (``[MM:SS]``) and, when known, the speaker."""
    long = bool(segments) and segments[-1].end >= 3600
    out = [title, ""] if title else []
    for para in paragraphs(segments):
        speaker = f"{strip_control(para.speaker)}: " if para.speaker else ""
        out += [f"[{paragraph_time(para.start, long)}] {speaker}{strip_control(para.text)}", ""]
    return "\n".join(out)


# -- reading a (hand-edited) WebVTT file -----------------------------------------------------------------

_TIMING = re.compile(
    r"^(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s+-->\s+(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(?:\s+.*)?$"
)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")
_TAG = re.compile(r"</?[^>]*>")


def parse_time(text: str) -> float:
    """``[HH:]MM:SS.mmm`` (``,`` accepted) as seconds."""
    parts = text.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) == 3 else 0
    if minutes > 59 or seconds >= 60:
        raise ValueError(text)
    return hours * 3600 + minutes * 60 + seconds


def parse_vtt(text: str, path: Path) -> list[Segment]:
    """Cues of a WebVTT file (NOTE, STYLE and REGION blocks skipped; other tags dropped; entities decoded).
    Errors name the line.

    ``<v Name>`` names the speaker of its cue and of every following cue up to the next ``<v ...>``: people tag
    the first cue of a turn by hand, and the turn goes on until someone else speaks."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not (lines[0] == "WEBVTT" or lines[0].startswith(("WEBVTT ", "WEBVTT\t"))):
        raise CerdasError("line 1: a WebVTT file must start with 'WEBVTT'", path)
    segments: list[Segment] = []
    turn = ""  # the speaker of the turn so far
    i = 1
    while i < len(lines) and lines[i].strip():  # header lines
        i += 1
    while i < len(lines):
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines):
            break
        block_start = i
        block: list[str] = []
        while i < len(lines) and lines[i].strip():
            block.append(lines[i])
            i += 1
        if block[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in block[0]:
            continue
        timing_at = 0 if "-->" in block[0] else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            raise CerdasError(f"line {block_start + 1}: expected a cue timing 'HH:MM:SS.mmm --> HH:MM:SS.mmm'", path)
        match = _TIMING.match(block[timing_at].strip())
        line_no = block_start + timing_at + 1
        try:
            if match is None:
                raise ValueError(block[timing_at])
            start, end = parse_time(match["start"]), parse_time(match["end"])
        except ValueError:
            raise CerdasError(
                f"line {line_no}: cue timing is not valid: {block[timing_at].strip()[:60]!r}", path
            ) from None
        if end < start:
            raise CerdasError(f"line {line_no}: cue ends before it starts", path)
        speaker = ""
        body: list[str] = []
        for raw in block[timing_at + 1 :]:
            raw = strip_control(raw)  # a cue that would set a terminal's title or hide text reaches no output
            voice = _VOICE.search(raw)
            if voice and not speaker:
                speaker = " ".join(strip_control(html.unescape(voice.group(1))).split())
            clean = " ".join(strip_control(html.unescape(_TAG.sub("", raw))).split())
            if clean:
                body.append(clean)
        turn = speaker or turn
        if body:
            segments.append(Segment(start, end, "\n".join(body), turn))
    return segments


def load_vtt(path: Path) -> list[Segment]:
    """Read ``<slug>.vtt`` (UTF-8; a regular file, not a link, of sane size)."""
    try:
        text = read_text(path, MAX_FILE, "transcript", follow=False)
    except CerdasError as exc:
        if "not UTF-8" in str(exc):
            raise CerdasError("not UTF-8 text (save the VTT file as UTF-8)", path) from exc
        raise
    return parse_vtt(text, path)


def character_error_rate(hypothesis: str, reference: str) -> float:
    """Character error rate of a transcript against what was said: lower case, punctuation removed, words joined
    by single spaces (spaces count), Levenshtein distance over the reference length."""
    hyp = " ".join(re.findall(r"\w+", hypothesis.lower()))
    ref = " ".join(re.findall(r"\w+", reference.lower()))
    previous = list(range(len(hyp) + 1))
    for i, rc in enumerate(ref, 1):
        current = [i]
        for j, hc in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (rc != hc)))
        previous = current
    return previous[-1] / max(len(ref), 1)

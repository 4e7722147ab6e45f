"""A clip's captions: pages of at most 2 lines of 4-7 words, karaoke ASS for libass, SRT and VTT beside the MP4.

Times are seconds of the clip (0 = its first word). A page breaks where the speaker changes or after a pause;
a line breaks after 7 words, before it gets too wide for the picture, or at a sentence end once it holds 4.
The ASS file carries one ``Dialogue`` per page whose words are ``{\\k<centiseconds>}`` syllables: each word
turns from white to the highlight colour the moment it is spoken (karaoke, rendered by libass). The speaker's
name is a second style, shown while they talk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cerdas.clips.picture import CAPTION_FONT, Layout
from cerdas.clips.select import SENTENCE_END, join_words
from cerdas.notes import strip_control
from cerdas.transcribe.words import Word

MAX_WORDS = 7
MIN_WORDS = 4
MAX_LINES = 2
PAGE_PAUSE = 1.0  # s: a silence this long starts a new page
LINGER = 0.6  # s a page stays after its last word when nothing follows at once
WHITE, HIGHLIGHT, OUTLINE = "&H00FFFFFF", "&H0028B4F0", "&H00101010"  # ASS colours are &HAABBGGRR


@dataclass(frozen=True)
class Page:
    """What the screen shows at once: up to two lines of words, from ``start`` to ``end`` (clip seconds)."""

    lines: tuple[tuple[Word, ...], ...]
    start: float
    end: float
    speaker: str

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for line in self.lines for w in line)

    def text(self, separator: str = "\n") -> str:
        return separator.join(join_words(line) for line in self.lines)


def shift(words: tuple[Word, ...] | list[Word], offset: float) -> list[Word]:
    """The words with times relative to ``offset`` (the clip's start)."""
    return [
        Word(w.start - offset, w.end - offset, strip_control(w.text), w.probability, w.speaker, w.glued) for w in words
    ]


def _lines(words: list[Word], fits: Callable[[str], bool]) -> list[tuple[Word, ...]]:
    """Lines of 4-7 words as wide as the picture allows: filled word by word, closed at a sentence end once they
    hold 4 words; a short line then takes words from the line before while both keep 4 (the width wins over
    the count: three long Indonesian words can fill a vertical line)."""
    lines: list[list[Word]] = []
    line: list[Word] = []
    for w in words:
        if line and (len(line) >= MAX_WORDS or not fits(join_words([*line, w]))):
            lines.append(line)
            line = []
        line.append(w)
        if len(line) >= MIN_WORDS and SENTENCE_END.search(w.text):
            lines.append(line)
            line = []
    if line:
        lines.append(line)
    for i in range(1, len(lines)):
        before, short = lines[i - 1], lines[i]
        while (
            len(short) < MIN_WORDS
            and len(before) > MIN_WORDS
            and not SENTENCE_END.search(before[-1].text)
            and fits(join_words([before[-1], *short]))
        ):
            short.insert(0, before.pop())
    return [tuple(line) for line in lines]


def _groups(words: list[Word]) -> list[list[Word]]:
    """Runs of words without a speaker change or a long pause: a page never straddles either."""
    groups: list[list[Word]] = []
    for w in words:
        if groups and w.speaker == groups[-1][-1].speaker and w.start - groups[-1][-1].end < PAGE_PAUSE:
            groups[-1].append(w)
        else:
            groups.append([w])
    return groups


def pages(words: list[Word], fits: Callable[[str], bool]) -> list[Page]:
    """The clip's caption pages (``words`` in clip time), each shown until the next one starts."""
    made: list[tuple[tuple[Word, ...], ...]] = []
    for group in _groups(words):
        rows = _lines(group, fits)
        made += [tuple(rows[i : i + MAX_LINES]) for i in range(0, len(rows), MAX_LINES)]
    out: list[Page] = []
    for i, lines in enumerate(made):
        first, last = lines[0][0], lines[-1][-1]
        following = made[i + 1][0][0].start if i + 1 < len(made) else None
        end = last.end + LINGER if following is None else min(following, last.end + LINGER)
        out.append(Page(lines, max(0.0, first.start), max(end, last.end), first.speaker))
    return out


def _ass_time(seconds: float) -> str:
    cs = max(0, round(seconds * 100))
    h, rest = divmod(cs, 360000)
    m, rest = divmod(rest, 6000)
    s, cs = divmod(rest, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def _ass_text(text: str) -> str:
    """Text as ASS shows it literally: no override blocks, no escapes."""
    return text.replace("\\", "\u29f5").replace("{", "(").replace("}", ")").replace("\n", " ")


def _karaoke(page: Page) -> str:
    """The page's text as ``\\k`` syllables: each word lasts until the next one starts, so its colour changes
    exactly when it is said (a silence before a word is a syllable of its own, without text)."""
    parts: list[str] = []
    flat = [(n, k, w) for n, line in enumerate(page.lines) for k, w in enumerate(line)]
    clock = page.start
    for i, (n, k, w) in enumerate(flat):
        if n and not k:
            parts.append("\\N")
        lead = round((w.start - clock) * 100)
        if lead > 0:
            parts.append(f"{{\\k{lead}}}")
            clock += lead / 100
        nxt = flat[i + 1][2].start if i + 1 < len(flat) else w.end
        centis = max(1, round((max(nxt, w.end) - clock) * 100))
        space = "" if (w.glued or not k) else " "
        parts.append(f"{space}{{\\k{centis}}}{_ass_text(w.text)}")
        clock += centis / 100
    return "".join(parts)


def to_ass(page_list: list[Page], layout: Layout, speakers: bool = True) -> str:
    """The ASS script libass burns in: captions (karaoke) and, when the words name them, the speakers."""
    size, margin = layout.caption_size, layout.caption_margin
    header = (
        "[Script Info]\nScriptType: v4.00+\nWrapStyle: 2\nScaledBorderAndShadow: yes\n"
        f"PlayResX: {layout.width}\nPlayResY: {layout.height}\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
        "Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"Style: Caption,{CAPTION_FONT},{size},{HIGHLIGHT},{WHITE},{OUTLINE},&H80000000,-1,0,0,0,100,100,0,0,1,"
        f"{layout.outline},0,2,{margin[0]},{margin[1]},{layout.height - layout.caption_bottom},1\n"
        f"Style: Speaker,{CAPTION_FONT},{layout.speaker_size},{HIGHLIGHT},{HIGHLIGHT},{OUTLINE},&H80000000,"
        f"-1,0,0,0,100,100,0,0,1,3,0,8,{margin[0]},{margin[1]},{layout.speaker_top},1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    events = [f"Dialogue: 0,{_ass_time(p.start)},{_ass_time(p.end)},Caption,,0,0,0,,{_karaoke(p)}" for p in page_list]
    if speakers:
        for start, end, name in turns(page_list):
            events.append(f"Dialogue: 1,{_ass_time(start)},{_ass_time(end)},Speaker,,0,0,0,,{_ass_text(name)}")
    return header + "\n".join(events) + "\n"


def turns(page_list: list[Page]) -> list[tuple[float, float, str]]:
    """(start, end, name) of each stretch one named speaker talks; nothing where the words name nobody."""
    out: list[tuple[float, float, str]] = []
    for p in page_list:
        if not p.speaker:
            continue
        if out and out[-1][2] == p.speaker:
            out[-1] = (out[-1][0], p.end, p.speaker)
        else:
            out.append((p.start, p.end, p.speaker))
    return out


def _stamp(seconds: float, comma: bool) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if comma else '.'}{ms:03d}"


def to_srt(page_list: list[Page]) -> str:
    """SubRip cards, one per page (the speaker named where it changes)."""
    out, last = [], ""
    for n, p in enumerate(page_list, 1):
        text = p.text()
        if p.speaker and p.speaker != last:
            text = f"{p.speaker}: {text}"
        last = p.speaker
        out.append(f"{n}\n{_stamp(p.start, True)} --> {_stamp(p.end, True)}\n{text}\n")
    return "\n".join(out)


def to_vtt(page_list: list[Page]) -> str:
    """WebVTT cues, one per page, ``<v Name>`` when the speaker is known."""
    out = ["WEBVTT\n"]
    for p in page_list:
        text = p.text().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        voice = p.speaker.replace("&", "&amp;").replace("<", "").replace(">", "")
        if voice:
            text = f"<v {voice}>{text}"
        out.append(f"{_stamp(p.start, False)} --> {_stamp(p.end, False)}\n{text}\n")
    return "\n".join(out)

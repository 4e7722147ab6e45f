"""The clip's picture: where everything goes in each format, the still background and the filtergraph.

The background (blurred artwork, the artwork, the show name and the episode title) is drawn once with Pillow;
ffmpeg then moves what moves: a waveform of the clip's own audio (``showwaves``), a progress bar, and the
captions and speaker names burned in by libass (``ass`` filter, fonts from ``fonts-dejavu-core``, passed as
``fontsdir`` so nothing is looked up elsewhere). On a vertical clip everything sits inside the area the
players leave free: below their top bar (~250 px) and above their caption and buttons (the lowest ~420 px),
and the text stays clear of the like/share column on the right (~140 px).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from cerdas.artwork import font, open_image, wrap_lines
from cerdas.facts import ClipFormat
from cerdas.notes import strip_control

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
"""Debian's ``fonts-dejavu-core`` and ``fonts-dejavu-extra`` (installed by the set-up scripts): full Latin with
diacritics. Captions use DejaVu Sans Condensed Bold: four Indonesian words fit a vertical line at 48 px."""
CAPTION_FONT = "DejaVu Sans Condensed"
CAPTION_FILE = FONT_DIR / "DejaVuSansCondensed-Bold.ttf"
FPS = 25
BAR = 0xF0B428  # the show's accent: waveform, progress, highlighted word
TRACK = 0x3A3F4A


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Layout:
    """Positions in one format (pixels). ``caption_bottom`` is the y the caption block's last line sits on."""

    name: ClipFormat
    width: int
    height: int
    art: Box
    text: Box  # show name then title
    title_size: int
    wave: Box
    progress: Box
    caption_size: int
    caption_bottom: int
    caption_margin: tuple[int, int]  # left, right
    speaker_size: int
    speaker_top: int

    @property
    def outline(self) -> int:
        return max(3, self.caption_size // 14)

    @property
    def caption_width(self) -> int:
        """Pixels a caption line may take: the width inside the margins, less the outline on both sides."""
        return self.width - sum(self.caption_margin) - 2 * self.outline


LAYOUTS: dict[str, Layout] = {
    "vertical": Layout(
        "vertical",
        1080,
        1920,
        art=Box(270, 260, 540, 540),
        text=Box(90, 830, 850, 200),
        title_size=50,
        wave=Box(90, 1480 - 150, 850, 110),
        progress=Box(90, 1478, 850, 10),
        caption_size=50,
        caption_bottom=1290,
        caption_margin=(70, 140),
        speaker_size=40,
        speaker_top=1050,
    ),
    "square": Layout(
        "square",
        1080,
        1080,
        art=Box(60, 60, 400, 400),
        text=Box(500, 80, 520, 380),
        title_size=44,
        wave=Box(60, 900, 960, 90),
        progress=Box(60, 1010, 960, 10),
        caption_size=52,
        caption_bottom=860,
        caption_margin=(60, 60),
        speaker_size=36,
        speaker_top=500,
    ),
    "landscape": Layout(
        "landscape",
        1920,
        1080,
        art=Box(80, 80, 480, 480),
        text=Box(620, 100, 1220, 420),
        title_size=56,
        wave=Box(80, 900, 1760, 90),
        progress=Box(80, 1010, 1760, 10),
        caption_size=58,
        caption_bottom=870,
        caption_margin=(120, 120),
        speaker_size=38,
        speaker_top=600,
    ),
}
FORMATS: tuple[str, ...] = tuple(LAYOUTS)


def caption_fits(layout: Layout) -> Callable[[str], bool]:
    """Whether a line of caption text fits the picture, measured with the very font libass draws it in."""
    size = layout.caption_size
    if CAPTION_FILE.is_file():
        face = ImageFont.truetype(str(CAPTION_FILE), size)
        return lambda text: face.getlength(text) <= layout.caption_width
    return lambda text: len(text) * size * 0.55 <= layout.caption_width  # a condensed bold's average advance


def _rgb(value: int) -> tuple[int, int, int]:
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def background(layout: Layout, image: Path, show: str, title: str) -> Image.Image:
    """The still part of the picture: blurred artwork, the artwork, the show name, the title, the progress track."""
    art = open_image(image).convert("RGB")
    w, h = layout.width, layout.height
    scale = max(w / art.width, h / art.height)
    bg = art.resize((max(int(art.width * scale), 1), max(int(art.height * scale), 1)), Image.Resampling.BILINEAR)
    left, top = (bg.width - w) // 2, (bg.height - h) // 2
    bg = bg.crop((left, top, left + w, top + h)).filter(ImageFilter.GaussianBlur(30))
    bg = Image.blend(bg, Image.new("RGB", bg.size, (8, 12, 20)), 0.66)
    cover = art.copy()
    cover.thumbnail((layout.art.w, layout.art.h), Image.Resampling.LANCZOS)
    bg.paste(
        cover, (layout.art.x + (layout.art.w - cover.width) // 2, layout.art.y + (layout.art.h - cover.height) // 2)
    )
    draw = ImageDraw.Draw(bg)
    box, y = layout.text, layout.text.y
    centred = layout.name == "vertical"
    for text, size, bold, colour, lines in (
        (show, layout.title_size * 3 // 5, False, _rgb(BAR), 1),
        (title, layout.title_size, True, (255, 255, 255), 2 if centred else 4),
    ):
        face = font(size, bold)
        for line in wrap_lines(draw, strip_control(text), face, box.w, lines, widest=48) if text else []:
            x = box.x + (box.w - int(draw.textlength(line, font=face))) // 2 if centred else box.x
            draw.text((x, y), line, font=face, fill=colour)
            y += int(size * 1.25)
        y += size // 3
    return bg


def filtergraph(layout: Layout, duration: float, ass_name: str | None) -> str:
    """Inputs: ``[0:v]`` the background (one picture), ``[1:a]`` the clip's audio. Output ``[v]``, YUV 4:2:0.

    The background is decoded and converted once and repeated by the ``loop`` filter (``-loop 1`` on the
    input decodes the PNG again for every frame: seven times slower on a 1080×1920 picture); everything is
    overlaid in YUV so no frame is converted twice. ``ass_name`` is the ASS file's name in ffmpeg's working
    folder (a bare name: no path characters reach the filter's own syntax), or None for no burned-in captions.
    """
    wave, prog = layout.wave, layout.progress
    span = f"{duration:.3f}"
    graph = [
        f"[0:v]format=yuv420p,loop=loop=-1:size=1:start=0,setpts=N/{FPS}/TB[bg]",
        f"[1:a]aformat=channel_layouts=mono,showwaves=s={wave.w}x{wave.h}:mode=cline:rate={FPS}:"
        f"colors=0x{BAR:06X}:scale=sqrt,format=yuva420p[wave]",
        f"color=c=0x{TRACK:06X}:s={prog.w}x{prog.h}:r={FPS},format=yuv420p[track]",
        f"color=c=0x{BAR:06X}:s={prog.w}x{prog.h}:r={FPS},format=yuv420p[bar]",
        f"[track][bar]overlay=x='-{prog.w}+{prog.w}*min(t/{span},1)':y=0:eval=frame[progress]",
        f"[bg][wave]overlay=x={wave.x}:y={wave.y}:shortest=1:format=yuv420[a]",
        f"[a][progress]overlay=x={prog.x}:y={prog.y}:shortest=1:format=yuv420"
        + (f",ass=filename={ass_name}:fontsdir={FONT_DIR}" if ass_name else "")
        + "[v]",
    ]
    return ";".join(graph)

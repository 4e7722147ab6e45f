"""Artwork: the placeholder ``cerdas init`` draws, and checked, resized copies for tags and thumbnails."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from cerdas.errors import CerdasError, MediaError
from cerdas.fsutil import MiB, atomic_path, check_regular

PLACEHOLDER_SIZE = 1400
MAX_IMAGE = 50 * MiB
"""A cover or artwork file larger than this is refused before it is decoded."""
COVER_FORMATS = {"JPEG": ".jpg", "PNG": ".png"}
"""What Apple (and feedgen's ``itunes:image``) accept, and the extension each is stored under."""


def make_placeholder(target: Path, title: str, size: int = PLACEHOLDER_SIZE) -> None:
    """Draw a square RGB PNG with the show title: valid for Apple (1400-3000 px) until real art exists."""
    image = Image.new("RGB", (size, size), (18, 52, 86))
    draw = ImageDraw.Draw(image)
    draw.rectangle((size * 0.06, size * 0.06, size * 0.94, size * 0.94), outline=(240, 180, 40), width=size // 70)
    font = ImageFont.load_default(size=size // 11)
    small = ImageFont.load_default(size=size // 24)
    lines = textwrap.wrap(title, width=16)[:5] or [title]
    y = size * 0.5 - len(lines) * size / 22
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((size - width) / 2, y), line, fill=(255, 255, 255), font=font)
        y += size / 10
    label = "podcast"
    draw.text(((size - draw.textlength(label, font=small)) / 2, size * 0.82), label, fill=(240, 180, 40), font=small)
    with atomic_path(target) as tmp:
        image.save(tmp, format="PNG")


def open_image(path: Path) -> Image.Image:
    """Open and fully decode an image (a regular file of at most :data:`MAX_IMAGE` bytes), or raise
    :class:`MediaError` naming the file."""
    try:
        check_regular(path, MAX_IMAGE, "image")
    except CerdasError as exc:
        raise MediaError(str(exc).removeprefix(f"{path}: "), path) from None
    try:
        with Image.open(path) as img:
            img.load()
            return img.copy()
    except Image.DecompressionBombError as exc:
        raise MediaError("image is too large to decode safely", path) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(f"not a readable image ({exc.__class__.__name__})", path) from exc


def cover_ext(path: Path) -> str:
    """What a stored cover is, read from its header only (every feed build asks, for every episode): ``.jpg`` or
    ``.png``; :class:`MediaError` naming the file for anything else."""
    try:
        check_regular(path, MAX_IMAGE, "cover")
        with Image.open(path) as img:
            fmt = img.format or "unknown"
    except CerdasError as exc:
        raise MediaError(str(exc).removeprefix(f"{path}: "), path) from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(f"not a readable image ({exc.__class__.__name__})", path) from exc
    if fmt not in COVER_FORMATS:
        raise MediaError(f"the cover is {fmt}; podcast apps accept JPEG or PNG (convert it first)", path)
    return COVER_FORMATS[fmt]


def check_cover(path: Path) -> str:
    """An episode cover must be a readable JPEG or PNG (what podcast apps accept); its extension in the feed
    (``.jpg`` or ``.png``). Raises :class:`MediaError` naming the file."""
    open_image(path)  # readable, not a bomb
    with Image.open(path) as img:
        fmt = img.format or "unknown"
    if fmt not in COVER_FORMATS:
        raise MediaError(f"the cover is {fmt}; podcast apps accept JPEG or PNG (convert it first)", path)
    return COVER_FORMATS[fmt]


def jpeg_bytes(path: Path, max_size: int = 1400, quality: int = 88) -> bytes:
    """The image as RGB JPEG bytes, scaled down so that neither side exceeds ``max_size``."""
    img = open_image(path)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        # a transparent logo goes on white, not on the black that dropping the alpha channel gives
        rgba = img.convert("RGBA")
        backdrop = Image.new("RGB", rgba.size, (255, 255, 255))
        backdrop.paste(rgba, mask=rgba.getchannel("A"))
        img = backdrop
    img = img.convert("RGB")
    img.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
"""Where Debian (``fonts-dejavu-core``) and other systems keep DejaVu: full Latin with Indonesian diacritics."""


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (bold) at ``size`` px, or Pillow's own font when DejaVu is not installed."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


def wrap_lines(
    draw: ImageDraw.ImageDraw, text: str, face: Any, width: int, max_lines: int, widest: int = 40
) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines that each fit ``width`` pixels in ``face`` (the longest
    lines that fit, from ``widest`` characters down); what does not fit ends the last line with "…"."""
    for chars in range(widest, 8, -2):
        lines = textwrap.wrap(text, width=chars)
        if all(draw.textlength(line, font=face) <= width for line in lines):
            if len(lines) > max_lines:
                rest = " ".join(lines[max_lines - 1 :])
                lines = [*lines[: max_lines - 1], textwrap.shorten(rest, chars, placeholder="…")]
            return lines
    return textwrap.wrap(text, width=10)[:max_lines]

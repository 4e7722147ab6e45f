"""``cerdas doctor``'s clips line: the fonts libass burns captions in, and whether ffmpeg has libass."""

from __future__ import annotations

from cerdas import doctor
from cerdas.clips.picture import CAPTION_FILE, FONT_DIR
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.media.ffmpeg import FFmpeg
from cerdas.settings import Settings

FONT_FIX = "apt-get install fonts-dejavu-core fonts-dejavu-extra (scripts/test and scripts/demo do it)"


@doctor.check(60)
def clip_lines(settings: Settings | None, env: Environment) -> list[doctor.Check]:
    """The caption font (DejaVu Sans Condensed Bold) and ffmpeg's ``ass`` filter (libass)."""
    fonts = [FONT_DIR / "DejaVuSans-Bold.ttf", CAPTION_FILE]
    missing = [p.name for p in fonts if not p.is_file()]
    lines = [
        doctor.Check("clip fonts", False, f"missing {', '.join(missing)} in {FONT_DIR}", fix=FONT_FIX)
        if missing
        else doctor.Check("clip fonts", True, f"{CAPTION_FILE.name} in {FONT_DIR}")
    ]
    try:
        has_ass = FFmpeg.from_env(env).has_filter("ass")
    except CerdasError:
        return lines  # the ffmpeg line already says it is missing
    lines.append(
        doctor.Check("libass", True, "ffmpeg burns captions in with libass")
        if has_ass
        else doctor.Check("libass", False, "this ffmpeg has no 'ass' filter (libass)", fix="apt-get install ffmpeg")
    )
    return lines

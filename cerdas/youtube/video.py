"""The episode as a video for YouTube.

An audio episode becomes an MP4 of one still picture (the artwork, optionally the title and a waveform of the
whole episode with a moving playhead), H.264 + AAC, encoded for a still: 1 frame per second, ``-tune
stillimage``, so an hour renders in a small fraction of an hour. A video recording keeps its picture (copied when
MP4 can hold it) with the normalised audio muxed in. ffmpeg only through :class:`cerdas.ffmpeg.FFmpeg`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from cerdas.artwork import font, open_image, wrap_lines
from cerdas.errors import MediaError
from cerdas.fsutil import atomic_path, work_folder
from cerdas.media.ffmpeg import FFmpeg
from cerdas.report import Progress

RENDER_VERSION = 1
RENDER_PREFIX = ".cerdas-render-"  # the frame and waveform pictures, in a folder beside the video
WIDTH, HEIGHT = 1280, 720
FPS = 1
AUDIO_BITRATE = "192k"
MARGIN = 60
ART = 520
WAVE_Y, WAVE_H = 612, 72
COPYABLE = {"h264", "hevc", "mpeg4", "av1", "vp9"}


@dataclass(frozen=True)
class Frame:
    """What goes on the still picture."""

    image: Path
    title: str = ""
    show: str = ""
    guests: str = ""
    waveform: bool = True

    def key(self) -> dict[str, Any]:
        st = self.image.stat()
        return {
            "image": str(self.image),
            "size": st.st_size,
            "mtime": int(st.st_mtime),
            "title": self.title,
            "show": self.show,
            "guests": self.guests,
            "waveform": self.waveform,
            "version": RENDER_VERSION,
        }


def compose_frame(frame: Frame, waveform_png: Path | None = None) -> Image.Image:
    """The still picture: blurred artwork behind, artwork left, text right, waveform strip below."""
    art = open_image(frame.image).convert("RGB")
    scale = max(WIDTH / art.width, HEIGHT / art.height)
    bg = art.resize((max(int(art.width * scale), 1), max(int(art.height * scale), 1)), Image.Resampling.BILINEAR)
    left, top = (bg.width - WIDTH) // 2, (bg.height - HEIGHT) // 2
    bg = bg.crop((left, top, left + WIDTH, top + HEIGHT)).filter(ImageFilter.GaussianBlur(28))
    bg = Image.blend(bg, Image.new("RGB", bg.size, (8, 12, 20)), 0.62)
    cover = art.copy()
    cover.thumbnail((ART, ART), Image.Resampling.LANCZOS)
    bg.paste(cover, (MARGIN + (ART - cover.width) // 2, MARGIN + (ART - cover.height) // 2))
    draw = ImageDraw.Draw(bg)
    x, width = MARGIN * 2 + ART, WIDTH - MARGIN * 3 - ART
    y = MARGIN + 20
    if frame.show:
        face = font(30)
        for line in wrap_lines(draw, frame.show, face, width, 2):
            draw.text((x, y), line, font=face, fill=(240, 180, 40))
            y += 40
        y += 18
    if frame.title:
        face = font(50, bold=True)
        for line in wrap_lines(draw, frame.title, face, width, 5):
            draw.text((x, y), line, font=face, fill=(255, 255, 255))
            y += 62
        y += 14
    if frame.guests:
        face = font(28)
        for line in wrap_lines(draw, frame.guests, face, width, 3):
            draw.text((x, y), line, font=face, fill=(215, 222, 232))
            y += 38
    if waveform_png is not None:
        wave = Image.open(waveform_png).convert("RGBA").resize((WIDTH - 2 * MARGIN, WAVE_H))
        bg.paste(wave, (MARGIN, WAVE_Y), wave)
    return bg


def _quality_args() -> list[str]:
    return [
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-tune",
        "stillimage",
        "-crf",
        "26",
        "-pix_fmt",
        "yuv420p",
        "-r",
        str(FPS),
        "-g",
        str(FPS * 30),
        "-c:a",
        "aac",
        "-b:a",
        AUDIO_BITRATE,
        "-movflags",
        "+faststart",
    ]


def render_still(
    audio: Path, frame: Frame, target: Path, ff: FFmpeg | None = None, progress: Progress | None = None
) -> float:
    """Render ``audio`` over the still picture to ``target`` (MP4, written atomically); returns its duration."""
    ff = ff or FFmpeg()
    probe = ff.probe(audio)
    if probe.audio is None or probe.duration <= 0:
        raise MediaError("no audio to render", audio)
    duration = probe.duration
    with work_folder(target.parent, RENDER_PREFIX) as tmp:
        wave_png = None
        if frame.waveform:
            wave_png = Path(tmp) / "wave.png"
            graph = (
                f"[0:a:0]aformat=channel_layouts=mono,aresample=8000,"
                f"showwavespic=s={WIDTH - 2 * MARGIN}x{WAVE_H}:colors=0xf0b428:scale=sqrt:filter=peak"
            )
            ff.run(["-i", str(audio), "-filter_complex", graph, "-frames:v", "1", "-y", str(wave_png)], source=audio)
        still = Path(tmp) / "frame.png"
        compose_frame(frame, wave_png).save(still)
        args = ["-loop", "1", "-framerate", str(FPS), "-i", str(still), "-i", str(audio)]
        if wave_png is not None:
            args += ["-f", "lavfi", "-i", f"color=c=white:s=4x{WAVE_H}:r={FPS}"]
            span = WIDTH - 2 * MARGIN - 4
            graph = (
                f"[0:v][2:v]overlay=x='{MARGIN}+{span}*min(t/{duration:.3f},1)':y={WAVE_Y}:eval=frame:"
                "shortest=1,format=yuv420p[v]"
            )
        else:
            graph = "[0:v]format=yuv420p[v]"
        with atomic_path(target) as out:
            ff.run(
                [
                    *args,
                    "-filter_complex",
                    graph,
                    "-map",
                    "[v]",
                    "-map",
                    "1:a:0",
                    *_quality_args(),
                    "-t",
                    f"{duration:.3f}",
                    "-y",
                    str(out),
                ],
                source=audio,
                progress=progress,
            )
    return duration


def mux_video(
    video: Path, audio: Path, target: Path, ff: FFmpeg | None = None, progress: Progress | None = None
) -> float:
    """The recording's picture with ``audio`` (the normalised episode) as its sound, to MP4; returns duration."""
    ff = ff or FFmpeg()
    probe = ff.probe(video)
    if not probe.has_video:
        raise MediaError("has no video stream to keep", video)
    vcodec = (
        ["-c:v", "copy"]
        if probe.video_codec in COPYABLE
        else ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
    )
    duration = ff.probe(audio).duration
    with atomic_path(target) as out:
        ff.run(
            [
                "-i",
                str(video),
                "-i",
                str(audio),
                "-map",
                "0:V:0",
                "-map",
                "1:a:0",
                *vcodec,
                "-c:a",
                "aac",
                "-b:a",
                AUDIO_BITRATE,
                "-shortest",
                "-movflags",
                "+faststart",
                "-y",
                str(out),
            ],
            source=video,
            progress=progress,
        )
    return duration

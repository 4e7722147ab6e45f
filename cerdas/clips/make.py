"""``cerdas clip``: check the request, pick the words, render, write the captions beside it, remember the clip.

Everything that can be wrong is refused before any work, in one line naming the file: no normalised audio
(run ``cerdas publish``), no words (run ``cerdas transcribe``), times outside the episode or in the wrong order,
a quote that is not said (the closest passage is named), an output folder that does not exist. The MP4, SRT and
VTT each appear by rename; the episode's journal learns of the clip only once all three exist.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from cerdas.clips import captions as cap
from cerdas.clips.journal import record_clip
from cerdas.clips.picture import FORMATS, LAYOUTS, background, caption_fits
from cerdas.clips.render import AudioResult, clip_audio, render_video
from cerdas.clips.select import Span, find_quote, parse_time, snap
from cerdas.episode import Episode, load_episode, now_iso
from cerdas.errors import CerdasError
from cerdas.facts import ClipFormat, ClipRecord
from cerdas.fsutil import atomic_write_text, work_folder
from cerdas.media.ffmpeg import FFmpeg
from cerdas.pipeline import Context
from cerdas.transcribe.words import Word, load_words
from cerdas.workspace import Workspace

WORK_PREFIX = ".cerdas-clip-"


@dataclass(frozen=True)
class ClipRequest:
    """What ``cerdas clip`` asks for: ``start``/``end`` (text as typed) or ``quote``."""

    slug: str
    start: str = ""
    end: str = ""
    quote: str = ""
    format: str = "vertical"
    title: str = ""
    out: Path | None = None
    captions: bool = True


@dataclass(frozen=True)
class ClipResult:
    record: ClipRecord
    span: Span
    video: Path
    srt: Path
    vtt: Path
    audio: AudioResult
    seconds: float  # wall time of the render


def episode_audio(ws: Workspace, episode: Episode) -> Path:
    """The episode's normalised audio (the loudness stage's MP3, else the published one that holds the same)."""
    for stored in (episode.normalised_audio, episode.published_audio):
        if stored and ws.resolve(stored).is_file():
            return ws.resolve(stored)
    raise CerdasError(
        f"episode {episode.slug!r} has no normalised audio yet; run 'cerdas publish' on its recording first",
        ws.normalised_audio(episode.slug),
    )


def episode_words(ws: Workspace, slug: str) -> list[Word]:
    """Whisper's words of the episode; a missing file names the command that makes it."""
    path = ws.words(slug)
    if not path.is_file():
        raise CerdasError(f"episode {slug!r} has no transcript words yet; run 'cerdas transcribe {slug}'", path)
    words = load_words(path)
    if not words:
        raise CerdasError("the transcript has no words (was anything said?)", path)
    return words


def select_span(ws: Workspace, episode: Episode, request: ClipRequest, words: list[Word]) -> Span:
    """The request's words: the quote's sentence(s) or the time span, snapped to word boundaries."""
    path = ws.words(episode.slug)
    if request.quote.strip():
        return find_quote(words, request.quote, path)
    if not request.start or not request.end:
        raise CerdasError("say which moment: --start and --end, or --quote")
    return snap(words, parse_time(request.start), parse_time(request.end), episode.duration or words[-1].end, path)


def target_of(ws: Workspace, request: ClipRequest, span: Span) -> Path:
    """``--out`` (its folder must exist; an ``.mp4``), else
    ``episodes/<slug>/clips/<slug>-<start>-<end>-<format>.mp4`` (whole seconds)."""
    if request.out is not None:
        out = request.out.expanduser()
        if out.suffix.lower() != ".mp4":
            raise CerdasError("a clip is an MP4 file: give the output a name ending in .mp4", out)
        if not out.parent.is_dir():
            raise CerdasError("the output's folder does not exist", out.parent)
        if out.is_dir():
            raise CerdasError("the output is a folder; name a file", out)
        return out.resolve()
    name = f"{request.slug}-{int(span.start):05d}-{int(span.end + 0.999):05d}-{request.format}.mp4"
    return ws.clips_dir(request.slug) / name


def check_request(ctx: Context, request: ClipRequest) -> tuple[Episode, Span, Path, Path]:
    """Everything a clip needs, checked before any work: the episode, its audio, its words, the span, the target."""
    ws = ctx.workspace
    if request.format not in FORMATS:
        raise CerdasError(f"unknown format {request.format!r} (one of {', '.join(FORMATS)})")
    episode = load_episode(ws, request.slug)
    audio = episode_audio(ws, episode)
    words = episode_words(ws, episode.slug)
    span = select_span(ws, episode, request, words)
    return episode, span, audio, target_of(ws, request, span)


def make_clip(ctx: Context, request: ClipRequest, ff: FFmpeg | None = None) -> ClipResult:
    """Render the clip (MP4 + SRT + VTT) and remember it in the episode's journal."""
    ff = ff or FFmpeg.from_env(ctx.env)
    ws, settings = ctx.workspace, ctx.settings
    with ws.lock():
        episode, span, audio, target = check_request(ctx, request)
        layout = LAYOUTS[request.format]
        title = " ".join(request.title.split()) or episode.title
        words = cap.shift(span.words, span.start)
        page_list = cap.pages(words, caption_fits(layout))
        began = time.monotonic()
        with work_folder(target.parent, WORK_PREFIX) as workdir:
            image = ws.episode_image(episode.cover, settings.artwork_path)
            background(layout, image, settings.show.title, title).save(workdir / "background.png")
            ass_name = None
            if request.captions:
                ass_name = "captions.ass"
                (workdir / ass_name).write_text(cap.to_ass(page_list, layout), encoding="utf-8")
            sound = workdir / "audio.m4a"
            result = clip_audio(ff, audio, span.start, span.duration, sound)
            bar = ctx.reporter.progress("Membuat klip", span.duration)
            try:
                render_video(ff, layout, workdir, sound, span.duration, target, ass_name, bar)
            finally:
                bar.close()
        srt, vtt = target.with_suffix(".srt"), target.with_suffix(".vtt")
        atomic_write_text(srt, cap.to_srt(page_list))
        atomic_write_text(vtt, cap.to_vtt(page_list))
        record = ClipRecord(
            start=round(span.start, 3),
            end=round(span.end, 3),
            title=title,
            format=_format(request.format),
            files={"video": ws.relative(target), "srt": ws.relative(srt), "vtt": ws.relative(vtt)},
            speaker=", ".join(span.speakers),
            created=now_iso(),
            lufs=round(result.loudness.integrated, 2),
            true_peak=round(result.loudness.true_peak, 2),
        )
        record = record_clip(ws, request.slug, record)
    return ClipResult(record, span, target, srt, vtt, result, time.monotonic() - began)


def _format(name: str) -> ClipFormat:
    for known in ("vertical", "square", "landscape"):
        if name == known:
            return known
    raise CerdasError(f"unknown format {name!r}")

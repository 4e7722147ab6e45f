"""Stage 3, tag: ID3v2.3 written with mutagen on a copy of the encoded MP3, renamed into place.

Tagging is separate from encoding so that a new title re-tags in a second instead of re-encoding.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TLAN,
    TLEN,
    TPE1,
    TPE2,
    TRCK,
    WXXX,
    CTOCFlags,
    ID3NoHeaderError,
    TextFrame,
)
from mutagen.mp3 import MP3, HeaderNotFoundError

from cerdas.artwork import jpeg_bytes
from cerdas.episode import Episode
from cerdas.errors import MediaError
from cerdas.facts import StageName, TagFacts
from cerdas.fsutil import atomic_path, sha256_file
from cerdas.languages import iso639_2
from cerdas.links import safe_link
from cerdas.metadata import one_line
from cerdas.notes import notes_text, strip_control
from cerdas.pipeline import BaseStage, Context, StageOutput
from cerdas.settings import Settings
from cerdas.urls import feed_url

COVER_MAX = 1400
TAGS_VERSION = 3  # bump when write_tags writes different frames


class WFED(TextFrame):
    """The podcast feed frame as iTunes writes it and TagLib and eyeD3 read it: a text frame (an encoding byte,
    then the address). mutagen's own ``WFED`` is a URL frame without that byte, which other taggers misread
    (eyeD3: "Unknown encoding value b'h'", then ``ttp://...``). The class name is the frame id mutagen writes."""


def write_tags(path: Path, episode: Episode, settings: Settings, duration: float, cover: Path) -> None:
    """Replace every tag in ``path`` with ours (ID3v2.3), chapters as CHAP frames in time order + CTOC."""
    try:
        with contextlib.suppress(ID3NoHeaderError):
            ID3(path).delete(path)
        tags = ID3()
        show = settings.show
        tags.add(TIT2(encoding=3, text=one_line(episode.title)))
        tags.add(TALB(encoding=3, text=show.title))
        tags.add(TPE1(encoding=3, text=show.author or show.title))
        tags.add(TPE2(encoding=3, text=show.author or show.title))
        tags.add(TCON(encoding=3, text="Podcast"))
        tags.add(TLAN(encoding=3, text=iso639_2(show.language)))
        date = (episode.pub_date or episode.created or datetime.now().isoformat())[:10]
        tags.add(TDRC(encoding=3, text=date))  # v2.3: TYER + TDAT
        if episode.number is not None:
            tags.add(TRCK(encoding=3, text=str(episode.number)))
        notes = notes_text(episode.description)  # players show tags as plain text
        if notes:
            tags.add(COMM(encoding=3, lang=iso639_2(show.language), desc="", text=notes))
            tags.add(TDES(encoding=3, text=notes))
        # the podcast frames iTunes writes: podcast flag, feed, episode GUID; and the length for players
        tags.add(PCST(value=1))
        tags.add(WFED(encoding=0, text=feed_url(settings)))  # Latin-1: a URL is ASCII
        if episode.guid:
            tags.add(TGID(encoding=3, text=strip_control(episode.guid)))
        tags.add(TLEN(encoding=3, text=str(int(duration * 1000))))
        tags.add(
            APIC(
                encoding=3,
                mime="image/jpeg",
                type=3,
                desc="Cover",
                data=jpeg_bytes(cover, COVER_MAX),
            )
        )
        _add_chapters(tags, episode, duration)
        tags.update_to_v23()
        tags.save(path, v2_version=3)
        _sort_chapter_frames(path)
    except (OSError, MutagenError) as exc:
        # mutagen wraps the file system's error in its own (not an OSError): look inside for a full disk
        cause = exc if isinstance(exc, OSError) else (exc.__context__ or exc.__cause__)
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            raise MediaError("no space left on the device while writing ID3 tags", path) from exc
        reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else exc
        raise MediaError(f"cannot write ID3 tags: {reason}", path) from exc


def _add_chapters(tags: ID3, episode: Episode, duration: float) -> None:
    """Chapters as CHAP frames (each ending where the next starts) and a CTOC listing them in order."""
    chapters = sorted(episode.chapters, key=lambda c: c.start)
    end_ms = int(duration * 1000)
    ids = []
    for i, chapter in enumerate(chapters):
        start = int(chapter.start * 1000)
        stop = int(chapters[i + 1].start * 1000) if i + 1 < len(chapters) else end_ms
        element = f"chp{i}"
        ids.append(element)
        sub: list[Any] = [TIT2(encoding=3, text=one_line(chapter.title))]
        if chapter.url and safe_link(chapter.url):
            sub.append(WXXX(encoding=3, desc="chapter url", url=chapter.url))
        tags.add(CHAP(element_id=element, start_time=start, end_time=max(stop, start), sub_frames=sub))
    if ids:
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text="Daftar bab")],
            )
        )


def _sort_chapter_frames(path: Path) -> None:
    """Put CHAP frames in time order inside the saved tag, in place (same bytes, new order).

    mutagen orders frames by size (mutagen issue #506) and players list CHAP frames in file order, so the tag
    mutagen wrote is reordered here. Only ID3v2.3 without unsynchronisation is touched (what we write).
    """
    with open(path, "r+b") as fh:
        header = fh.read(10)
        if header[:3] != b"ID3" or header[3] != 3 or header[5] & 0xC0:
            return
        size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9]
        body = fh.read(size)
        frames: list[tuple[bytes, bytes]] = []
        pos = 0
        while pos + 10 <= len(body) and body[pos : pos + 4] != b"\0\0\0\0":
            length = int.from_bytes(body[pos + 4 : pos + 8], "big")
            frames.append((body[pos : pos + 4], body[pos : pos + 10 + length]))
            pos += 10 + length

        def start(frame: bytes) -> int:
            data = frame[10:]
            cut = data.index(b"\0") + 1
            return int.from_bytes(data[cut : cut + 4], "big")

        chaps = iter(sorted((f for fid, f in frames if fid == b"CHAP"), key=start))
        reordered = b"".join(next(chaps) if fid == b"CHAP" else f for fid, f in frames)
        fh.seek(10)
        fh.write(reordered)


class TagStage(BaseStage):
    """Copy the encoded MP3 and tag the copy; the published MP3 is replaced only when tagging succeeded."""

    name: ClassVar[StageName] = "tag"

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        loud = episode.stages.get("loudness")
        cover = ctx.workspace.episode_image(episode.cover, ctx.settings.artwork_path)
        show = ctx.settings.show
        return {
            "audio": loud.fingerprint if loud else None,
            "title": episode.title,
            "number": episode.number,
            "description": episode.description,
            "date": episode.pub_date or episode.created,
            "show": [show.title, show.author, show.language, feed_url(ctx.settings)],
            "guid": episode.guid,
            "cover": sha256_file(cover) if cover.is_file() else str(cover),
            "chapters": [[c.start, c.title, c.url] for c in episode.chapters],
            "version": TAGS_VERSION,
        }

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        ws = ctx.workspace
        encoded = ws.normalised_audio(episode.slug)
        target = ws.published_audio(episode.slug)
        cover = ws.episode_image(episode.cover, ctx.settings.artwork_path)
        try:
            duration = float(MP3(encoded).info.length)  # type: ignore[attr-defined]
        except (OSError, HeaderNotFoundError) as exc:
            raise MediaError(f"encoded audio is unreadable: {exc}", encoded) from exc
        with atomic_path(target) as tmp:
            shutil.copyfile(encoded, tmp)
            write_tags(tmp, episode, ctx.settings, duration, cover)
        size = target.stat().st_size
        facts = TagFacts(bytes=size, duration=round(duration, 3), sha256=sha256_file(target))
        chapters = f", {len(episode.chapters)} chapters" if episode.chapters else ""
        return StageOutput(
            outputs={"mp3": ws.relative(target)}, facts=facts, summary=f"ID3v2.3{chapters}, {size / 1e6:.1f} MB"
        )

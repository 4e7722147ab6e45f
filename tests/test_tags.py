"""The tags of the published MP3, read back with mutagen AND ffprobe (what players and podcast hosts see)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from PIL import Image

from cerdas.episode import list_episodes
from cerdas.workspace import Workspace
from tests.audio_support import ffprobe, no_whisper
from tests.media import uneven_speech

TEXT_CHAPTERS = """\
# bab episode (komentar diabaikan)
00:00:00 Pembukaan
00:00:09 Penutup
00:00:04.500 Apa itu gratifikasi
"""
JSON_CHAPTERS = {
    "version": "1.2.0",
    "chapters": [
        {"startTime": 9, "title": "Penutup"},
        {"startTime": 0, "title": "Pembukaan", "url": "https://example.go.id/wbk"},
        {"startTime": 4.5, "title": "Apa itu gratifikasi"},
        {"startTime": 6, "title": "tersembunyi", "toc": False},
    ],
}
IN_ORDER = ["Pembukaan", "Apa itu gratifikasi", "Penutup"]


@pytest.fixture
def published(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[Workspace, Path]:
    no_whisper(workspace)
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=12)
    if request.param == "txt":
        chapters = tmp_path / "bab.txt"
        chapters.write_text(TEXT_CHAPTERS, encoding="utf-8")
    else:
        chapters = tmp_path / "bab.json"
        chapters.write_text(json.dumps(JSON_CHAPTERS), encoding="utf-8")
    cover = tmp_path / "sampul.png"
    Image.new("RGB", (2000, 2000), (200, 30, 30)).save(cover)
    result = run_cli(
        "publish",
        str(source),
        "--title",
        "Menolak Gratifikasi",
        "--number",
        "7",
        "--description",
        "Auditor bercerita tentang integritas.",
        "--guest",
        "Ibu Ratna",
        "--chapters",
        str(chapters),
        "--cover",
        str(cover),
        "--no-youtube",
    )
    assert result.exit_code == 0, result.output
    [episode] = list_episodes(workspace)
    return workspace, workspace.root / episode.stages["tag"].outputs["mp3"]


@pytest.mark.parametrize("published", ["txt", "json"], indirect=True)
def test_tags_read_back_with_mutagen(published: tuple[Workspace, Path]) -> None:
    ws, mp3 = published
    tags = ID3(mp3, translate=False)  # the frames as stored, not upgraded to v2.4 by mutagen
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "Menolak Gratifikasi"
    assert str(tags["TALB"]) == "Podcast Uji"  # the show
    assert str(tags["TPE1"]) == "Inspektorat Uji"  # the author
    assert str(tags["TRCK"]) == "7"
    assert str(tags["TCON"]) == "Podcast"
    assert str(tags["TLAN"]) == "ind"
    [episode] = list_episodes(ws)
    assert str(tags["TYER"]) == episode.pub_date[:4]
    assert str(tags["TDAT"]) == episode.pub_date[8:10] + episode.pub_date[5:7]  # DDMM
    assert str(tags.getall("COMM")[0]) == "Auditor bercerita tentang integritas."
    assert tags.getall("PCST") and str(tags["TGID"]) == episode.guid
    raw = mp3.read_bytes()
    at = raw.index(b"WFED")  # as stored: an encoding byte (0, Latin-1) before the address, as iTunes writes it
    size = int.from_bytes(raw[at + 4 : at + 8], "big")
    assert raw[at + 10 : at + 10 + size].rstrip(b"\x00") == b"\x00http://localhost:8000/feed.xml"
    [apic] = tags.getall("APIC")
    image = Image.open(io.BytesIO(apic.data))
    assert apic.mime == "image/jpeg" and image.format == "JPEG"
    assert max(image.size) <= 1400 and image.size == (1400, 1400)  # the 2000 px cover, scaled down
    # chapters: CHAP frames in time order in the file, and a CTOC listing them in that order
    chaps = tags.getall("CHAP")
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == IN_ORDER
    assert [c.start_time for c in chaps] == [0, 4500, 9000]
    assert chaps[0].end_time == 4500 and chaps[1].end_time == 9000
    assert chaps[-1].end_time == pytest.approx(_length(mp3) * 1000, abs=60)
    [toc] = tags.getall("CTOC")
    assert toc.child_element_ids == [c.element_id for c in chaps]
    # the audio is untouched by tagging: no leftover ffmpeg tag, duration as encoded
    assert "TSSE" not in tags
    assert _length(mp3) == pytest.approx(12.0, abs=0.1)


@pytest.mark.parametrize("published", ["txt", "json"], indirect=True)
def test_tags_read_back_with_ffprobe(published: tuple[Workspace, Path]) -> None:
    _, mp3 = published
    info = ffprobe(mp3, "-show_chapters")
    tags = info["format"]["tags"]
    assert tags["title"] == "Menolak Gratifikasi"
    assert tags["album"] == "Podcast Uji"
    assert tags["artist"] == "Inspektorat Uji"
    assert tags["track"] == "7"
    assert tags["genre"] == "Podcast"
    assert tags["language"] == "ind"
    assert tags["comment"] == "Auditor bercerita tentang integritas."
    assert tags["date"].startswith("20")
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == IN_ORDER
    assert [float(c["start_time"]) for c in chapters] == [0.0, 4.5, 9.0]
    # the cover is the attached picture stream
    pictures = [s for s in info["streams"] if s.get("disposition", {}).get("attached_pic")]
    assert len(pictures) == 1 and pictures[0]["codec_name"] == "mjpeg" and pictures[0]["width"] == 1400


@pytest.mark.parametrize("published", ["json"], indirect=True)
def test_chapter_url_kept(published: tuple[Workspace, Path]) -> None:
    _, mp3 = published
    first = ID3(mp3).getall("CHAP")[0]
    assert first.sub_frames.getall("WXXX")[0].url == "https://example.go.id/wbk"


def test_show_artwork_when_no_episode_cover(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    no_whisper(workspace)
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=6)
    assert run_cli("publish", str(source), "--title", "Tanpa Sampul", "--no-youtube").exit_code == 0
    [episode] = list_episodes(workspace)
    tags = ID3(workspace.root / episode.stages["tag"].outputs["mp3"])
    image = Image.open(io.BytesIO(tags.getall("APIC")[0].data))
    assert image.size == Image.open(workspace.root / "artwork.png").size
    assert "CHAP" not in {f[:4] for f in tags} and "CTOC" not in {f[:4] for f in tags}
    assert "COMM" not in {f[:4] for f in tags}  # no description given: no empty comment either


def test_transparent_cover_goes_on_white(tmp_path: Path) -> None:
    from cerdas.artwork import jpeg_bytes

    logo = tmp_path / "logo.png"
    Image.new("RGBA", (3000, 1500), (0, 0, 0, 0)).save(logo)
    image = Image.open(io.BytesIO(jpeg_bytes(logo, 1400)))
    assert image.size == (1400, 700) and image.mode == "RGB"
    pixel = image.getpixel((10, 10))
    assert isinstance(pixel, tuple) and min(pixel) > 245  # white, not black


def _length(mp3: Path) -> float:
    """The MP3's duration as mutagen (and players) read it."""
    info = MP3(mp3).info
    assert info is not None
    return float(info.length)


@pytest.mark.parametrize("published", ["txt"], indirect=True)
def test_other_taggers_read_the_feed_frame_and_the_notes(published: tuple[Workspace, Path]) -> None:
    """eyeD3 (and TagLib) read WFED as a text frame: its encoding byte must be there."""
    import eyed3

    _, mp3 = published
    audio = eyed3.load(str(mp3))
    assert audio is not None and audio.tag is not None
    [wfed] = audio.tag.frame_set[b"WFED"]
    assert wfed.text == "http://localhost:8000/feed.xml"
    assert [c.text for c in audio.tag.comments] == ["Auditor bercerita tentang integritas."]

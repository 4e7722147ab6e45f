"""Clips rendered by real ffmpeg from a generated episode, read back with ffprobe and the ``ebur128`` meter:
size, codecs, duration against the words' span, loudness, captions burned in (frames compared against a render
without captions), every format; the soundbite in the feed (XPath) and the clip on the episode page; the Short
uploaded to the YouTube emulator. Slow: each render takes seconds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import srt
import webvtt
from click.testing import CliRunner, Result
from lxml import etree
from PIL import Image, ImageChops, ImageStat

from cerdas.cli.main import cli
from cerdas.clips.picture import LAYOUTS
from cerdas.devtools.emulator.server import Emulator
from cerdas.episode import load_episode
from cerdas.media.ffmpeg import FFmpeg
from cerdas.transcribe.words import load_words, words_between
from cerdas.workspace import Workspace
from cerdas.youtube.upload import Journal
from tests import youtube_support as support
from tests.clips_support import SLUG, published_episode

pytestmark = pytest.mark.slow
emulator, token_file, youtube_env = support.emulator, support.token_file, support.youtube_env
NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return published_episode(tmp_path_factory.mktemp("render"), seconds=70.0)


def _run(ws: Workspace, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args], catch_exceptions=False)


def _probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def _frame(video: Path, at: float, out: Path) -> Image.Image:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", f"{at:.2f}", "-i", str(video), "-frames:v", "1", str(out)], check=True
    )
    return Image.open(out).convert("RGB")


def _difference(a: Image.Image, b: Image.Image) -> float:
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean))


@pytest.fixture(scope="module")
def vertical(show: Workspace) -> dict[str, Any]:
    result = _run(show, "clip", SLUG, "--start", "3.1", "--end", "19.9", "--title", "Gratifikasi itu apa?", "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_a_vertical_clip_is_h264_aac_1080x1920_of_the_words_span(show: Workspace, vertical: dict[str, Any]) -> None:
    video = Path(vertical["video"])
    assert video.parent == show.clips_dir(SLUG) and video.suffix == ".mp4"
    info = _probe(video)
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert (streams["video"]["codec_name"], streams["video"]["width"], streams["video"]["height"]) == (
        "h264",
        1080,
        1920,
    )
    assert streams["video"]["pix_fmt"] == "yuv420p" and streams["audio"]["codec_name"] == "aac"
    words = words_between(load_words(show.words(SLUG)), 0.0, 1e9)
    inside = [w for w in words if w.end > 3.1 and w.start < 19.9]
    span = inside[-1].end - inside[0].start
    assert vertical["start"] == pytest.approx(inside[0].start, abs=1e-3)
    assert vertical["end"] == pytest.approx(inside[-1].end, abs=1e-3)
    assert float(info["format"]["duration"]) == pytest.approx(span, abs=0.1)
    assert float(streams["audio"]["duration"]) == pytest.approx(span, abs=0.1)
    loud = FFmpeg().measure(video)
    assert -15.0 <= loud.integrated <= -13.0 and loud.true_peak <= -1.0, loud
    assert vertical["lufs"] == pytest.approx(loud.integrated, abs=0.2)


def test_captions_are_burned_in_and_follow_the_words(show: Workspace, vertical: dict[str, Any], tmp_path: Path) -> None:
    bare = tmp_path / "tanpa-teks.mp4"
    result = _run(show, "clip", SLUG, "-s", "3.1", "-e", "19.9", "--no-captions", "--out", str(bare))
    assert result.exit_code == 0, result.output
    video = Path(vertical["video"])
    layout = LAYOUTS["vertical"]
    box = (0, layout.speaker_top - 10, layout.width, layout.caption_bottom + 10)  # speaker name + caption lines
    moments = (1.2, 9.0)  # first words of the host, then the guest's sentence
    with_text = [_frame(video, t, tmp_path / f"c{t}.png").crop(box) for t in moments]
    without = [_frame(bare, t, tmp_path / f"b{t}.png").crop(box) for t in moments]
    assert _difference(without[0], without[1]) < 1.0  # without captions the area does not change
    for a, b in zip(with_text, without, strict=True):
        assert _difference(a, b) > 4.0  # text is there
    assert _difference(with_text[0], with_text[1]) > 4.0  # and it changes with the words
    cards = list(srt.parse(Path(vertical["srt"]).read_text(encoding="utf-8")))
    assert cards[0].content.startswith("Pembawa Acara: ") and cards[0].start.total_seconds() == 0.0
    assert all(len(c.content.split("\n")) <= 2 for c in cards)
    cues = webvtt.read(vertical["vtt"]).captions
    assert len(cues) == len(cards) and cues[-1].end_in_seconds <= vertical["duration"] + 1.0
    assert any(c.voice == "Ibu Ratna" for c in cues)


def test_the_clip_is_remembered_in_the_feed_and_on_the_page(show: Workspace, vertical: dict[str, Any]) -> None:
    episode = load_episode(show, SLUG)
    [clip] = [c for c in episode.clips if c.files["video"] == show.relative(Path(vertical["video"]))]
    assert (clip.title, clip.format, clip.speaker) == ("Gratifikasi itu apa?", "vertical", "Pembawa Acara, Ibu Ratna")
    listed = [json.loads(line) for line in _run(show, "clips", SLUG, "--json").stdout.splitlines()]
    assert any(c["title"] == "Gratifikasi itu apa?" and c["present"] for c in listed)
    assert _run(show, "feed").exit_code == 0
    item = etree.parse(str(show.feed_dir / "feed.xml")).getroot().find("channel/item")
    assert item is not None
    [bite] = [b for b in item.xpath("podcast:soundbite", namespaces=NS) if b.text == "Gratifikasi itu apa?"]
    assert float(bite.get("startTime")) == pytest.approx(clip.start, abs=1e-3)
    assert float(bite.get("duration")) == pytest.approx(clip.end - clip.start, abs=1e-3)
    page = (show.feed_dir / "episodes" / SLUG / "index.html").read_text(encoding="utf-8")
    name = Path(vertical["video"]).name
    assert f'src="../../clips/{SLUG}/{name}"' in page and "Cuplikan" in page
    assert (show.feed_dir / "clips" / SLUG / name).stat().st_size == Path(vertical["video"]).stat().st_size
    assert (show.feed_dir / "clips" / SLUG / name).with_suffix(".vtt").is_file() and '<track kind="captions"' in page


@pytest.mark.parametrize(("fmt", "size"), [("square", (1080, 1080)), ("landscape", (1920, 1080))])
def test_square_and_landscape(show: Workspace, fmt: str, size: tuple[int, int], tmp_path: Path) -> None:
    out = tmp_path / f"klip-{fmt}.mp4"
    result = _run(show, "clip", SLUG, "--quote", "hubungannya dengan jabatan", "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    streams = {s["codec_type"]: s for s in _probe(out)["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == size
    assert out.with_suffix(".srt").is_file() and out.with_suffix(".vtt").is_file()
    loud = FFmpeg().measure(out)
    assert -15.0 <= loud.integrated <= -13.0 and loud.true_peak <= -1.0


def test_a_short_goes_to_youtube_once(show: Workspace, youtube_env: Emulator) -> None:
    dry = _run(show, "clip", SLUG, "--quote", "wajib dilaporkan", "--youtube-short", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would upload" in dry.stdout and "#Shorts" in dry.stdout
    assert youtube_env.state.summary()["videos"] == {}
    first = _run(show, "clip", SLUG, "--quote", "wajib dilaporkan", "--youtube-short", "--json")
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    [video_id] = youtube_env.state.summary()["videos"]
    assert data["youtube_short"]["video_id"] == video_id
    stored = youtube_env.state.videos[video_id]
    snippet = stored.resource["snippet"]
    assert snippet["title"].endswith(" #Shorts") and len(snippet["title"]) <= 100
    assert "#Shorts" in snippet["description"] and "wajib dilaporkan" in snippet["description"]
    assert f"https://podcast.example.go.id/episodes/{SLUG}/#t=" in snippet["description"]  # the full episode
    assert stored.sha256 == support.sha256(Path(data["video"]))
    journal = Journal.load(show.clip_journal(Path(data["video"])))
    assert journal.video_id == video_id and show.clip_journal(Path(data["video"])).stat().st_mode & 0o077 == 0
    again = _run(show, "clip", SLUG, "--quote", "wajib dilaporkan", "--youtube-short", "--json")
    assert again.exit_code == 0, again.output
    assert len(youtube_env.state.summary()["videos"]) == 1  # never twice
    assert any(c.short_id == video_id for c in load_episode(show, SLUG).clips)


def test_a_short_over_60_seconds_is_refused_before_rendering(show: Workspace, youtube_env: Emulator) -> None:
    result = _run(show, "clip", SLUG, "--start", "2", "--end", "66", "--youtube-short")
    assert result.exit_code == 1 and "at most 60 s" in result.stderr
    assert not list(show.clips_dir(SLUG).glob("*-00066-*"))


def test_another_moment_over_the_same_file_forgets_the_old_short(show: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "klip.mp4"
    assert _run(show, "clip", SLUG, "-s", "30", "-e", "36", "--out", str(out)).exit_code == 0
    journal = show.clip_journal(out)
    Journal(journal, video_id="abcdefghijk").save()
    video = show.relative(out)
    episode = load_episode(show, SLUG)
    assert [c.short_id for c in episode.clips if c.files["video"] == video] == [""]
    assert _run(show, "clip", SLUG, "-s", "40", "-e", "46", "--out", str(out)).exit_code == 0
    assert not journal.exists()
    assert [c.start > 39 for c in load_episode(show, SLUG).clips if c.files["video"] == video] == [True]

"""feed.xml read back by the parsers podcast apps use (podcastparser, feedparser) and by XPath for the
Podcasting 2.0 tags they cannot see; a golden small feed; drafts and scheduled episodes kept out."""

from __future__ import annotations

import io
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from cerdas import urls
from cerdas.episode import Chapter
from cerdas.feed.build import build_site
from cerdas.feed.rss import PODCAST_GUID_NAMESPACE, podcast_guid
from cerdas.feed.rules import NS
from cerdas.workspace import Workspace
from tests.feed_support import make_episode, set_show, tiny_mp3, write_transcript

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def show(workspace: Workspace, tmp_path: Path) -> Workspace:
    """Three public episodes (real tiny MP3s), one draft, one scheduled; transcripts for the first."""
    set_show(workspace, hosts=["Rina Pembawa"], base_url="https://podcast.example.go.id/cerdas/")
    audio = tiny_mp3(tmp_path / "tiny.mp3")
    make_episode(
        workspace,
        "gratifikasi",
        "Gratifikasi & WBK",
        number=1,
        pub_date="2025-01-10T09:00:00+07:00",
        audio=audio,
        duration=125.4,
        guests=["Budi Santoso", "Sari Dewi"],
        description="Apa itu gratifikasi?\n\nBaca https://example.go.id/wbk.",
        chapters=[Chapter(0, "Pembuka"), Chapter(62.5, "Melapor")],
    )
    make_episode(
        workspace,
        "pengaduan",
        "Cara Mengadu",
        number=2,
        pub_date="2025-02-10T09:00:00+07:00",
        audio=audio,
        duration=3725.0,
        youtube={"video_id": "abcDEF12345"},
    )
    make_episode(
        workspace,
        "cuplikan",
        "Cuplikan Musim Dua",
        number=3,
        season=2,
        episode_type="trailer",
        pub_date="2025-03-10T09:00:00+07:00",
        audio=audio,
        duration=30.0,
    )
    make_episode(
        workspace, "rahasia", "Masih Draf", number=4, pub_date="2025-04-01T09:00:00+07:00", audio=audio, draft=True
    )
    make_episode(workspace, "nanti", "Episode Terjadwal", number=5, pub_date="2025-07-01T09:00:00+07:00", audio=audio)
    write_transcript(workspace, "gratifikasi")
    return workspace


def _build(ws: Workspace, now: datetime = NOW) -> bytes:
    build_site(ws, ws.settings(), now=now)
    return (ws.feed_dir / "feed.xml").read_bytes()


def test_podcastparser_reads_enclosures_durations_numbers_images(show: Workspace) -> None:
    data = _build(show)
    settings = show.settings()
    parsed = podcastparser.parse(urls.feed_url(settings), io.BytesIO(data))
    assert parsed["title"] == "Podcast Uji"
    assert parsed["cover_url"] == "https://podcast.example.go.id/cerdas/artwork.png"
    assert parsed["language"] == "id"
    assert parsed["itunes_categories"] == [["Government"]]
    assert parsed["explicit"] is False
    assert parsed["itunes_owner"] == {"name": "Inspektorat Uji", "email": "uji@example.go.id"}
    episodes = parsed["episodes"]
    assert [e["title"] for e in episodes] == ["Cuplikan Musim Dua", "Cara Mengadu", "Gratifikasi & WBK"]
    assert [e["number"] for e in episodes] == [3, 2, 1]
    assert [e["total_time"] for e in episodes] == [30, 3725, 125]
    assert episodes[0]["type"] == "trailer"
    for episode, slug in zip(episodes, ["cuplikan", "pengaduan", "gratifikasi"], strict=True):
        [enclosure] = episode["enclosures"]
        assert enclosure["url"] == f"https://podcast.example.go.id/cerdas/audio/{slug}.mp3"
        assert enclosure["mime_type"] == "audio/mpeg"
        assert enclosure["file_size"] == (show.feed_dir / "audio" / f"{slug}.mp3").stat().st_size
        assert episode["episode_art_url"] == "https://podcast.example.go.id/cerdas/artwork.png"
        assert episode["link"] == f"https://podcast.example.go.id/cerdas/episodes/{slug}/"
    notes = episodes[2]["description_html"]
    assert '<a href="https://example.go.id/wbk">' in notes and "Tamu: Budi Santoso, Sari Dewi" in notes
    assert 'href="https://www.youtube.com/watch?v=abcDEF12345"' in episodes[1]["description_html"]


def test_feedparser_reads_the_same_feed(show: Workspace) -> None:
    parsed = feedparser.parse(_build(show))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Podcast Uji"
    assert parsed.feed.image["href"] == "https://podcast.example.go.id/cerdas/artwork.png"
    assert parsed.feed.language == "id"  # (feedparser knows itunes:explicit only as yes/clean: XPath checks it)
    self_links = [link for link in parsed.feed.links if link.get("rel") == "self"]
    assert self_links[0]["href"] == "https://podcast.example.go.id/cerdas/feed.xml"
    entries = parsed.entries
    assert [e.itunes_episode for e in entries] == ["3", "2", "1"]
    assert [e.itunes_duration for e in entries] == ["30", "3725", "125"]
    assert entries[0].itunes_episodetype == "trailer" and entries[0].itunes_season == "2"
    assert entries[2].enclosures[0]["length"] == str((show.feed_dir / "audio/gratifikasi.mp3").stat().st_size)
    assert entries[2].enclosures[0]["type"] == "audio/mpeg"
    assert entries[2].image["href"].endswith("/artwork.png")
    stored = {e.slug: e.guid for e in _episodes(show)}
    assert [e.id for e in entries] == [stored["cuplikan"], stored["pengaduan"], stored["gratifikasi"]]
    assert all(not e.guidislink for e in entries)
    dates = [e.published_parsed for e in entries]
    assert dates == sorted(dates, reverse=True)


def _episodes(ws: Workspace) -> list:  # type: ignore[type-arg]
    from cerdas.episode import list_episodes

    return list_episodes(ws)


def test_podcasting20_elements(show: Workspace) -> None:
    root = etree.fromstring(_build(show))
    channel = root.find("channel")
    assert root.nsmap["podcast"] == "https://podcastindex.org/namespace/1.0"
    expected_guid = str(
        uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "podcast.example.go.id/cerdas/feed.xml")
    )
    assert channel.xpath("podcast:guid/text()", namespaces=NS) == [expected_guid]
    assert channel.xpath("podcast:locked/text()", namespaces=NS) == ["yes"]
    assert channel.xpath("podcast:locked/@owner", namespaces=NS) == ["uji@example.go.id"]
    assert channel.xpath("podcast:person[@role='host']/text()", namespaces=NS) == ["Rina Pembawa"]
    assert channel.xpath("itunes:explicit/text()", namespaces=NS) == ["false"]
    assert channel.xpath("itunes:title/text()", namespaces=NS) == ["Podcast Uji"]
    assert channel.xpath("itunes:type/text()", namespaces=NS) == ["episodic"]
    assert channel.xpath("itunes:category/@text", namespaces=NS) == ["Government"]
    assert channel.xpath("atom:link[@rel='self']/@href", namespaces=NS) == [
        "https://podcast.example.go.id/cerdas/feed.xml"
    ]
    assert channel.xpath("link/text()") == ["https://podcast.example.go.id/cerdas/"]

    [item] = channel.xpath("item[title='Gratifikasi & WBK']")
    transcripts = {t.get("type"): t for t in item.xpath("podcast:transcript", namespaces=NS)}
    assert set(transcripts) == {"text/vtt", "application/x-subrip", "application/json"}
    assert transcripts["text/vtt"].get("rel") == "captions"
    assert all(t.get("language") == "id" for t in transcripts.values())
    base = "https://podcast.example.go.id/cerdas/"
    assert transcripts["text/vtt"].get("url") == base + "transcripts/gratifikasi.vtt"
    for t in transcripts.values():
        rel = t.get("url").removeprefix(base)
        assert (show.feed_dir / rel).read_bytes() == (show.root / rel).read_bytes()
    [chapters] = item.xpath("podcast:chapters", namespaces=NS)
    assert chapters.get("type") == "application/json+chapters"
    assert chapters.get("url") == base + "chapters/gratifikasi.json"
    import json

    doc = json.loads((show.feed_dir / "chapters/gratifikasi.json").read_text(encoding="utf-8"))
    assert doc["chapters"] == [{"startTime": 0, "title": "Pembuka"}, {"startTime": 62.5, "title": "Melapor"}]
    assert item.xpath("podcast:person[@role='guest']/text()", namespaces=NS) == ["Budi Santoso", "Sari Dewi"]
    assert item.xpath("podcast:episode/text()", namespaces=NS) == ["1"]
    # An episode without transcripts or chapters announces none.
    [other] = channel.xpath("item[title='Cara Mengadu']")
    assert not other.xpath("podcast:transcript | podcast:chapters", namespaces=NS)
    assert podcast_guid(show.settings()) == expected_guid
    assert uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6") == PODCAST_GUID_NAMESPACE


def test_podcast_guid_is_stable_and_can_be_pinned(show: Workspace) -> None:
    first = podcast_guid(show.settings())
    set_show(show, base_url="https://podcast.example.go.id/cerdas")  # no trailing slash: same feed URL
    assert podcast_guid(show.settings()) == first
    set_show(show, base_url="https://baru.example.go.id/", guid=first)  # the feed moved; identity kept
    assert podcast_guid(show.settings()) == first
    assert etree.fromstring(_build(show)).xpath("//podcast:guid/text()", namespaces=NS) == [first]


def test_drafts_and_scheduled_episodes_stay_out_until_their_time(show: Workspace) -> None:
    data = _build(show)
    titles = etree.fromstring(data).xpath("//item/title/text()")
    assert "Masih Draf" not in titles and "Episode Terjadwal" not in titles
    assert not (show.feed_dir / "episodes/rahasia").exists()
    assert not (show.feed_dir / "episodes/nanti").exists()
    assert not (show.feed_dir / "audio/nanti.mp3").exists()
    later = datetime(2025, 7, 1, 2, 0, tzinfo=UTC)  # 09:00 in Jakarta
    titles = etree.fromstring(_build(show, later)).xpath("//item/title/text()")
    assert titles[0] == "Episode Terjadwal" and "Masih Draf" not in titles
    assert (show.feed_dir / "episodes/nanti/index.html").is_file()


def test_user_text_is_escaped_in_the_feed(workspace: Workspace) -> None:
    make_episode(
        workspace,
        "aman",
        'Judul <script>alert(1)</script> & "kutip"',
        number=1,
        description='<p>Halo <a href="javascript:alert(1)">klik</a><script>alert(2)</script>'
        "<img src=x onerror=alert(3)></p>",
        guests=["<b>Tamu</b>"],
    )
    root = etree.fromstring(_build(workspace))
    [item] = root.xpath("//item")
    assert item.findtext("title") == 'Judul <script>alert(1)</script> & "kutip"'
    notes = item.findtext("description")
    assert "<script" not in notes and "javascript:" not in notes and "<img" not in notes
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in notes and "klik" in notes
    assert item.xpath("podcast:person/text()", namespaces=NS) == ["<b>Tamu</b>"]


def _normalise(xml: bytes) -> str:
    text = xml.decode("utf-8")
    text = re.sub(r"<lastBuildDate>[^<]*</lastBuildDate>", "<lastBuildDate>*</lastBuildDate>", text)
    text = re.sub(r"<generator>Cerdas [^<]*</generator>", "<generator>Cerdas *</generator>", text)
    return text


def test_golden_small_feed(workspace: Workspace) -> None:
    set_show(workspace, hosts=["Rina Pembawa"], base_url="https://podcast.example.go.id/")
    make_episode(
        workspace,
        "pembuka",
        "Pembuka",
        number=1,
        pub_date="2025-01-06T08:00:00+07:00",
        duration=61.2,
        guid="3f1d2c4e-0000-4000-8000-000000000001",
        description="Episode pertama.",
        guests=["Budi"],
        chapters=[Chapter(0, "Awal"), Chapter(30, "Akhir")],
    )
    make_episode(
        workspace,
        "kedua",
        "Kedua",
        number=2,
        pub_date="2025-01-13T08:00:00+07:00",
        duration=3601,
        guid="3f1d2c4e-0000-4000-8000-000000000002",
        description="<p>Catatan <b>tebal</b>.</p>",
    )
    write_transcript(workspace, "kedua")
    actual = _normalise(_build(workspace, datetime(2025, 2, 1, tzinfo=UTC)))
    golden = GOLDEN / "feed-small.xml"
    if os.environ.get("CERDAS_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("record", "linked"),
    [
        ({"video_id": "abcDEF12345", "privacy": "public"}, True),
        ({"video_id": "abcDEF12345", "privacy": "unlisted"}, True),
        ({"video_id": "abcDEF12345", "privacy": "private"}, False),
        ({"video_id": "abcDEF12345", "privacy": "private", "publish_at": "2025-05-01T00:00:00Z"}, True),
        ({"video_id": "abcDEF12345", "privacy": "private", "publish_at": "2025-09-01T00:00:00Z"}, False),
        ({}, False),
    ],
)
def test_youtube_link_only_once_watchable(workspace: Workspace, record: dict[str, str], linked: bool) -> None:
    make_episode(workspace, "video", "Video", number=1, youtube=record)
    notes = etree.fromstring(_build(workspace)).xpath("//item/description/text()")[0]
    assert ("https://www.youtube.com/watch?v=abcDEF12345" in notes) is linked
    page = (workspace.feed_dir / "episodes/video/index.html").read_text(encoding="utf-8")
    assert ("Tonton di YouTube" in page) is linked


def test_feed_command_rebuilds_and_lists_scheduled(show: Workspace, run_cli) -> None:  # type: ignore[no-untyped-def]
    make_episode(show, "kelak", "Kelak", number=6, pub_date="2999-01-01T09:00:00+07:00")
    result = run_cli("feed")  # the real clock: "nanti" (July 2025) is due by now, "kelak" is not
    assert result.exit_code == 0, result.output
    assert "Feed rebuilt:" in result.stdout and "4 episode(s) in feed.xml" in result.stdout
    assert "1 draft, 1 scheduled held back" in result.stdout
    assert "scheduled   kelak from 2999-01-01T09:00:00+07:00" in result.stdout

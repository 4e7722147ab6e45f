"""The static pages read as HTML: landmarks, headings, the transcript markup search relies on, escaping,
subscribe links; show notes sanitising; transcript paragraphs."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from lxml import html as lxml_html

from cerdas.episode import Chapter
from cerdas.feed.build import build_site
from cerdas.feed.pages import durasi, tanggal
from cerdas.notes import notes_html, sanitise_html, summary
from cerdas.transcribe.formats import Segment, paragraphs
from cerdas.workspace import Workspace
from tests.feed_support import image, make_episode, set_show, write_transcript

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def site(workspace: Workspace) -> Workspace:
    set_show(
        workspace,
        hosts=["Rina"],
        apple_url="https://podcasts.apple.com/id/podcast/id1",
        spotify_url="https://open.spotify.com/show/abc",
        youtube_url="https://www.youtube.com/@kantor",
        website="https://inspektorat.example.go.id/",
    )
    make_episode(
        workspace,
        "satu",
        "Gratifikasi <script>alert(1)</script>",
        number=1,
        pub_date="2025-01-10T09:00:00+07:00",
        duration=3725,
        guests=["Budi"],
        description="Catatan <b>penting</b>.",
        chapters=[Chapter(0, "Pembuka"), Chapter(83, "Lapor")],
        youtube={"video_id": "abcDEF12345"},
    )
    make_episode(
        workspace,
        "dua",
        "Tanpa Transkrip",
        number=2,
        pub_date="2025-02-10T09:00:00+07:00",
        cover="episodes/dua/cover.jpg",  # where publish keeps an episode's cover
    )
    image(workspace.cover("dua", ".jpg"), (1400, 1400), fmt="JPEG")
    write_transcript(workspace, "satu")
    build_site(workspace, workspace.settings(), now=NOW)
    return workspace


def _page(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def test_episode_page_structure(site: Workspace) -> None:
    page = _page(site.feed_dir / "episodes/satu/index.html")
    assert page.get("lang") == "id"
    assert len(page.xpath("//header[contains(@class,'site-header')]")) == 1
    assert page.xpath("//nav[@aria-label]//a[@href='../../search/']")
    [main] = page.xpath("//main")
    assert main.get("data-pagefind-body") == "" and main.get("id") == "konten"
    assert page.xpath("//a[@class='skip-link']/@href") == ["#konten"]
    [h1] = page.xpath("//h1")
    assert h1.text_content() == "Gratifikasi <script>alert(1)</script>"
    assert h1.get("data-pagefind-meta") == "title"
    assert page.xpath("//script/@src") == ["../../assets/player.js"]  # the title's <script> stayed text
    [audio] = page.xpath("//audio")
    assert audio.get("src") == "../../audio/satu.mp3" and audio.get("aria-label")
    assert page.xpath("//label[@for='kecepatan']") and page.xpath("//select[@id='kecepatan']")
    sections = page.xpath("//section[contains(@class,'transcript')]/section")
    assert [s.xpath("h3/@id")[0] for s in sections] == ["t=0", "t=12", "t=83"]
    first = sections[1]
    [link] = first.xpath("h3/a")
    assert link.get("href") == "#t=12" and link.get("data-t") == "12" and link.text == "00:00:12"
    assert "Gratifikasi wajib dilaporkan" in first.xpath("p")[0].text_content()
    assert first.xpath("h3/span[@class='speaker']/text()") == ["Tamu"]
    assert page.xpath("//nav[contains(@class,'chapters')]//a[@data-t='83']/@href") == ["#t=83"]
    downloads = page.xpath("//section[contains(@class,'transcript')]//a[@type]/@href")
    assert downloads == [f"../../transcripts/satu.{k}" for k in ("vtt", "srt", "json", "txt")]
    assert page.xpath("//a[@href='https://www.youtube.com/watch?v=abcDEF12345']")
    assert page.xpath("//div[@class='notes']/p/b/text()") == ["penting"]
    assert page.xpath("//ul[@class='guests']/li/text()") == ["Budi"]
    meta = page.xpath("//p[@class='meta']")[0].text_content()
    assert meta == "Episode 1 · 10 Januari 2025 · 1 jam 2 menit"
    headings = [int(h.tag[1]) for h in page.xpath("//main//*[self::h1 or self::h2 or self::h3]")]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in pairwise(headings))


def test_episode_without_transcript_says_so(site: Workspace) -> None:
    page = _page(site.feed_dir / "episodes/dua/index.html")
    assert "Transkrip episode ini belum tersedia." in page.text_content()
    assert page.xpath("//img[@class='episode-art']/@src") == ["../../covers/dua.jpg"]
    assert (site.feed_dir / "covers/dua.jpg").is_file()


def test_show_page(site: Workspace) -> None:
    page = _page(site.feed_dir / "index.html")
    assert page.xpath("//h1/text()") == ["Podcast Uji"]
    links = page.xpath("//section[contains(@class,'subscribe')]//a")
    assert [a.text for a in links] == ["Apple Podcasts", "Spotify", "YouTube", "RSS"]
    assert page.xpath("//input[@id='alamat-rss']/@value") == ["http://localhost:8000/feed.xml"]
    assert page.xpath("//label[@for='alamat-rss']")
    assert page.xpath("//ol[contains(@class,'episode-list')]//h3/a/@href") == ["episodes/dua/", "episodes/satu/"]
    assert page.xpath("//nav[@aria-label]//a[@href='search/']")
    assert page.xpath("//footer//a[@href='https://inspektorat.example.go.id/']")
    assert not page.xpath("//*[@data-pagefind-body]")  # only episode pages are indexed
    assert (site.feed_dir / "assets/artwork-600.jpg").is_file() and (site.feed_dir / "assets/icon.png").is_file()


def test_empty_show_page(workspace: Workspace) -> None:
    build_site(workspace, workspace.settings(), now=NOW)
    page = _page(workspace.feed_dir / "index.html")
    assert "Belum ada episode" in page.text_content()
    assert (workspace.feed_dir / "feed.xml").is_file()


def test_paragraphs_group_segments_and_keep_anchors_unique() -> None:
    segs = [
        Segment(0.0, 2.0, "Satu.", "A"),
        Segment(2.1, 4.0, "Dua.", "A"),
        Segment(4.1, 6.0, "Tiga.", "B"),  # new speaker
        Segment(9.0, 10.0, "Empat.", "B"),  # pause
        Segment(9.5, 10.0, "Lima.", "C"),  # new speaker, same second: joined to keep anchors unique
        Segment(10.0, 11.0, "   ", "C"),  # empty: dropped
    ]
    paras = paragraphs(segs)
    assert [(p.t, p.speaker, p.text) for p in paras] == [
        (0, "A", "Satu. Dua."),
        (4, "B", "Tiga."),
        (9, "B", "Empat. Lima."),
    ]
    long = [Segment(float(i), i + 1.0, f"kalimat {i}.") for i in range(120)]
    starts = [p.t for p in paragraphs(long)]
    assert starts == [0, 45, 90] and len(set(starts)) == len(starts)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Halo\ndunia\n\nParagraf dua", "<p>Halo<br>dunia</p><p>Paragraf dua</p>"),
        ("Lihat https://a.example/x.", '<p>Lihat <a href="https://a.example/x">https://a.example/x</a>.</p>'),
        ("1 < 2 & <script>x</script>", "<p>1 &lt; 2 &amp; &lt;script&gt;x&lt;/script&gt;</p>"),
        ("<p>Boleh <b>tebal</b> <em>miring</em></p>", "<p>Boleh <b>tebal</b> <em>miring</em></p>"),
        (
            '<p><a href="javascript:alert(1)">x</a> <a href="https://ok.example" onclick="y">ok</a></p>',
            '<p>x <a href="https://ok.example">ok</a></p>',
        ),
        ("<p>tidak ditutup <b>tebal", "<p>tidak ditutup <b>tebal</b></p>"),
        ("<p>a</p><script>alert(1)</script><!-- komentar -->", "<p>a</p>&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<p>kontrol\x00\x07 hilang</p>", "<p>kontrol hilang</p>"),
        ("", ""),
    ],
)
def test_show_notes(source: str, expected: str) -> None:
    assert notes_html(source) == expected


def test_sanitise_keeps_lists_and_drops_attributes() -> None:
    assert sanitise_html('<ul class="x"><li style="a">satu</li><li>dua</ul>') == "<ul><li>satu</li><li>dua</li></ul>"
    assert summary("<p>" + "kata " * 100 + "</p>", 30) == "kata kata kata kata kata kata…"


def test_indonesian_dates_and_durations() -> None:
    assert tanggal(datetime(2025, 8, 17)) == "17 Agustus 2025"
    assert durasi(45) == "45 detik" and durasi(24 * 60 + 10) == "24 menit" and durasi(3725) == "1 jam 2 menit"
    assert durasi(7200) == "2 jam"


def test_every_caption_anchor_is_unique(workspace: Workspace) -> None:
    """A paragraph's last caption may start in the second the next paragraph does: one anchor per second."""
    from cerdas.feed.pages import _paragraphs
    from cerdas.transcribe.formats import Segment

    segments = [
        Segment(0.0, 5.0, "Awal kalimat.", "A"),
        Segment(73.2, 73.7, "Ya.", "A"),
        Segment(73.8, 78.0, "Giliran saya.", "B"),  # a new speaker in the same second
    ]
    ids = [p["t"] for p in _paragraphs(segments)] + [
        part["t"] for p in _paragraphs(segments) for part in p["parts"] if part["id"]
    ]
    assert len(ids) == len(set(ids)) and 73 in ids

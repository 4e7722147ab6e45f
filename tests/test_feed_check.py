"""``cerdas feed --check`` finds each broken rule; bad show settings are refused with a clear error; a rebuild
that fails leaves the published feed/ exactly as it was."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result

from cerdas.errors import SettingsError
from cerdas.feed.build import build_site
from cerdas.feed.rules import artwork_problems, check_feed
from cerdas.workspace import Workspace
from tests.feed_support import image, make_episode, set_show

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def built(workspace: Workspace) -> Workspace:
    """A workspace with two public episodes and a built, passing feed/ (published at a real address)."""
    set_show(workspace, base_url="https://podcast.example.go.id/")
    make_episode(workspace, "satu", "Satu", number=1, pub_date="2025-01-01T08:00:00+07:00")
    make_episode(workspace, "dua", "Dua", number=2, pub_date="2025-02-01T08:00:00+07:00")
    build_site(workspace, workspace.settings(), now=NOW)
    assert not [v for v in check_feed(workspace.feed_dir, workspace.settings(), NOW) if v.level == "error"]
    return workspace


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _errors(ws: Workspace) -> list[str]:
    return [f"{v.where}: {v.message}" for v in check_feed(ws.feed_dir, ws.settings(), NOW) if v.level == "error"]


def _edit_feed(ws: Workspace, old: str, new: str, count: int = 1) -> None:
    path = ws.feed_dir / "feed.xml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_check_passes_a_good_feed(built: Workspace, run_cli: Callable[..., Result]) -> None:
    result = run_cli("feed", "--check")
    assert result.exit_code == 0, result.output
    assert "passes" in result.stdout


@pytest.mark.parametrize(
    ("name", "spoil", "expected"),
    [
        ("artwork 800 px", lambda ws: image(ws.feed_dir / "artwork.png", (800, 800)), r"800x800 px; Apple needs 1400"),
        ("not square", lambda ws: image(ws.feed_dir / "artwork.png", (1400, 1500)), r"must be square"),
        ("CMYK", lambda ws: image(ws.feed_dir / "artwork.png", mode="CMYK", fmt="JPEG"), r"CMYK colour space"),
        ("missing enclosure", lambda ws: (ws.feed_dir / "audio/satu.mp3").unlink(), r"audio/satu.mp3 is missing"),
        ("wrong size", lambda ws: (ws.feed_dir / "audio/dua.mp3").write_bytes(b"x" * 10), r"says 12345 bytes"),
        ("duplicate guid", lambda ws: _dup_guid(ws), r"repeats item 1"),
        (
            "long description",
            lambda ws: _edit_feed(ws, "<description>&lt;p&gt;", "<description>" + "x" * 4001 + "&lt;p&gt;"),
            r"4000",
        ),
        (
            "bad date",
            lambda ws: _edit_feed(ws, "<pubDate>Sat, 01 Feb 2025", "<pubDate>kemarin, 01 Feb 2025", -1),
            r"RFC 822",
        ),
        (
            "future date",
            lambda ws: _edit_feed(ws, "<pubDate>Sat, 01 Feb 2025", "<pubDate>Sat, 01 Feb 2031", -1),
            r"in the future",
        ),
        ("wrong type", lambda ws: _edit_feed(ws, 'type="audio/mpeg"', 'type="audio/ogg"'), r"not one Apple accepts"),
        (
            "no category",
            lambda ws: _edit_feed(ws, '<itunes:category text="Government"/>', ""),
            r"itunes:category> is missing",
        ),
        (
            "old explicit",
            lambda ws: _edit_feed(ws, "<itunes:explicit>false<", "<itunes:explicit>clean<"),
            r"'true' or 'false'",
        ),
        ("no podcast:guid", lambda ws: _edit_feed(ws, "<podcast:guid>", "<podcast:guid>x"), r"not a UUID"),
    ],
)
def test_check_reports_each_violation(
    built: Workspace, run_cli: Callable[..., Result], name: str, spoil: Callable[[Workspace], object], expected: str
) -> None:
    spoil(built)
    errors = _errors(built)
    assert any(re.search(expected, e) for e in errors), (name, errors)
    result = run_cli("feed", "--check")
    assert result.exit_code == 1
    assert re.search(expected, result.stdout), result.stdout
    assert "Error:" in result.stderr


def _dup_guid(ws: Workspace) -> None:
    text = (ws.feed_dir / "feed.xml").read_text(encoding="utf-8")
    guids = re.findall(r'<guid isPermaLink="false">([^<]+)</guid>', text)
    (ws.feed_dir / "feed.xml").write_text(text.replace(guids[1], guids[0]), encoding="utf-8")


def test_check_lists_every_violation_not_just_the_first(built: Workspace, run_cli: Callable[..., Result]) -> None:
    image(built.feed_dir / "artwork.png", (800, 600))
    (built.feed_dir / "audio/satu.mp3").unlink()
    (built.feed_dir / "audio/dua.mp3").write_bytes(b"x")
    result = run_cli("feed", "--check")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert len(lines) >= 4, result.stdout


@pytest.mark.parametrize(
    ("size", "mode", "fmt", "suffix", "expected"),
    [
        ((1400, 1400), "RGB", "PNG", ".png", None),
        ((3000, 3000), "RGB", "JPEG", ".jpg", None),
        ((3001, 3001), "RGB", "PNG", ".png", "1400 to 3000"),
        ((1400, 1400), "L", "PNG", ".png", "greyscale"),
        ((1400, 1400), "RGB", "JPEG", ".png", "extension must match"),
        ((1400, 1400), "RGB", "GIF", ".gif", "JPEG or PNG"),
    ],
)
def test_artwork_problems(
    tmp_path: Path, size: tuple[int, int], mode: str, fmt: str, suffix: str, expected: str | None
) -> None:
    path = image(tmp_path / f"art{suffix}", size, mode, fmt)
    errors = [m for level, m in artwork_problems(path) if level == "error"]
    if expected is None:
        assert errors == []
    else:
        assert any(expected in m for m in errors), errors


def test_transparent_artwork_is_a_warning(tmp_path: Path) -> None:
    path = image(tmp_path / "art.png", mode="RGBA")
    assert [level for level, _ in artwork_problems(path)] == ["warning"]


# ---------------------------------------------------------------- bad show settings


def _write_bad_toml(ws: Workspace, key: str, raw: str) -> None:
    text = ws.config.read_text(encoding="utf-8")
    new = re.sub(rf"(?m)^{key} = .*$", lambda _: f"{key} = {raw}", text, count=1)
    assert new != text
    ws.config.write_text(new, encoding="utf-8")


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("category", '"Governance"', "'show.category': 'Governance' is not an Apple Podcasts category"),
        ("base_url", '"feed/"', "'show.base_url' must be an absolute http(s) URL"),
        ("base_url", '"ftp://example.org/"', "'show.base_url' must be an absolute http(s) URL"),
        ("title", '"Podcast \\u0007 Uji"', "'show.title' contains control characters"),
        ("title", '"Podcast <script>alert(1)</script>"', "'show.title' must be plain text"),
        ("description", '"Bagus <script src=x></script>"', "'show.description' must be plain text"),
        ("website", '"kantor.go.id"', "'show.website' must be an absolute http(s) URL"),
        ("guid", '"bukan-uuid"', "'show.guid' is not a UUID"),
    ],
)
def test_bad_show_settings_are_refused_and_feed_untouched(
    built: Workspace, run_cli: Callable[..., Result], key: str, raw: str, expected: str
) -> None:
    before = _snapshot(built.feed_dir)
    _write_bad_toml(built, key, raw)
    result = run_cli("feed")
    assert result.exit_code == 1
    assert expected in result.stderr, result.stderr
    assert "cerdas.toml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _snapshot(built.feed_dir) == before


def test_non_utf8_settings_are_refused(built: Workspace, run_cli: Callable[..., Result]) -> None:
    before = _snapshot(built.feed_dir)
    built.config.write_bytes(built.config.read_bytes().replace(b"Podcast Uji", b"Podcast \xff Uji"))
    result = run_cli("feed")
    assert result.exit_code == 1 and "is not UTF-8 text" in result.stderr
    assert _snapshot(built.feed_dir) == before


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda ws: (ws.root / "artwork.png").unlink(), "artwork file not found"),
        (lambda ws: image(ws.root / "artwork.png", (800, 800)), "800x800 px; Apple needs 1400 to 3000 px"),
        (lambda ws: image(ws.root / "artwork.png", (1400, 1000)), "must be square"),
        (lambda ws: image(ws.root / "artwork.png", mode="CMYK", fmt="JPEG"), "extension must match"),
    ],
)
def test_bad_artwork_is_refused_and_feed_untouched(
    built: Workspace, run_cli: Callable[..., Result], make: Callable[[Workspace], object], expected: str
) -> None:
    before = _snapshot(built.feed_dir)
    make(built)
    result = run_cli("feed")
    assert result.exit_code == 1
    assert "'show.artwork'" in result.stderr and expected in result.stderr, result.stderr
    assert _snapshot(built.feed_dir) == before
    with pytest.raises(SettingsError):
        build_site(built, built.settings(), now=NOW)


def test_cmyk_jpeg_artwork_is_refused(built: Workspace, run_cli: Callable[..., Result]) -> None:
    image(built.root / "art.jpg", mode="CMYK")
    set_show(built, artwork="art.jpg")
    result = run_cli("feed")
    assert result.exit_code == 1 and "CMYK" in result.stderr, result.stderr


# ---------------------------------------------------------------- failed rebuilds


def _in_feed(ws: Workspace) -> list[str]:
    text = (ws.feed_dir / "feed.xml").read_text(encoding="utf-8")
    return sorted(re.findall(r"/audio/([a-z0-9-]+)\.mp3", text))


def test_an_episode_the_feed_cannot_carry_is_left_out_and_the_rest_published(
    built: Workspace, run_cli: Callable[..., Result]
) -> None:
    """Finding 3: one episode over Apple's description limit used to stop every feed build."""
    from cerdas.episode import load_episode, save_episode

    make_episode(
        built, "panjang", "Panjang", number=3, pub_date="2025-03-01T08:00:00+07:00", description="kata " * 1000
    )
    result = build_site(built, built.settings(), now=NOW)
    assert set(result.left_out) == {"panjang"} and "4000" in result.left_out["panjang"]
    assert _in_feed(built) == ["dua", "satu"]
    assert not (built.feed_dir / "episodes/panjang").exists() and not (built.feed_dir / "audio/panjang.mp3").exists()
    assert not list(built.root.glob(".feed.*"))  # no staging folder left behind
    problem = load_episode(built, "panjang").feed_problem
    assert problem is not None and "4000" in problem.reason
    cli = run_cli("feed")
    assert cli.exit_code == 1 and _in_feed(built) == ["dua", "satu"]
    [line] = cli.stderr.splitlines()
    assert line.startswith("Error: left out of the feed: ") and "panjang/episode.toml: " in line and "4000" in line
    listing = run_cli("episodes")
    assert listing.exit_code == 0 and "feed failed: the description is" in listing.stdout
    episode = load_episode(built, "panjang")
    episode.description = "Pendek."
    save_episode(built, episode)
    assert run_cli("feed").exit_code == 0 and _in_feed(built) == ["dua", "panjang", "satu"]
    assert load_episode(built, "panjang").feed_problem is None
    assert "feed failed" not in run_cli("episodes").stdout


def test_a_repeated_guid_leaves_the_copy_out(built: Workspace) -> None:
    from cerdas.episode import load_episode

    guid = load_episode(built, "satu").guid
    make_episode(built, "salinan", "Salinan", number=3, pub_date="2025-03-01T08:00:00+07:00", guid=guid)
    result = build_site(built, built.settings(), now=NOW)
    assert list(result.left_out) == ["salinan"] and "'satu'" in result.left_out["salinan"]
    assert _in_feed(built) == ["dua", "satu"]


def test_an_unreadable_transcript_leaves_its_episode_out(built: Workspace) -> None:
    make_episode(built, "rusak", "Rusak", number=3, pub_date="2025-03-01T08:00:00+07:00")
    built.transcripts_dir.mkdir(exist_ok=True)
    (built.transcripts_dir / "rusak.json").write_text("{ bukan json", encoding="utf-8")
    result = build_site(built, built.settings(), now=NOW)
    assert "rusak.json" in result.left_out["rusak"] and _in_feed(built) == ["dua", "satu"]
    assert not list(built.feed_dir.glob("transcripts/rusak.*"))


def test_a_crash_while_building_leaves_the_published_feed(built: Workspace) -> None:
    before = _snapshot(built.feed_dir)
    make_episode(built, "tiga", "Tiga", number=3, pub_date="2025-03-01T08:00:00+07:00")
    from cerdas.errors import CerdasError

    moved = built.root / "feed.published"
    built.feed_dir.rename(moved)
    built.feed_dir.write_text("not a folder", encoding="utf-8")  # the swap cannot happen: the build fails whole
    with pytest.raises(CerdasError, match="is not a folder"):
        build_site(built, built.settings(), now=NOW)
    assert not list(built.root.glob(".feed.*"))
    built.feed_dir.unlink()
    moved.rename(built.feed_dir)
    assert _snapshot(built.feed_dir) == before


def test_rebuild_replaces_the_folder_whole(built: Workspace) -> None:
    (built.feed_dir / "sisa.txt").write_text("dari build lama", encoding="utf-8")
    make_episode(built, "tiga", "Tiga", number=3, pub_date="2025-03-01T08:00:00+07:00")
    build_site(built, built.settings(), now=NOW)
    assert not (built.feed_dir / "sisa.txt").exists()
    assert (built.feed_dir / "episodes/tiga/index.html").is_file()
    # the audio is hard-linked from the episode folder, not copied
    assert (built.feed_dir / "audio/tiga.mp3").stat().st_ino == (built.root / "episodes/tiga/tiga.mp3").stat().st_ino
    assert oct((built.feed_dir).stat().st_mode & 0o777) != oct(0o700)


def test_feed_through_a_symlink_is_rebuilt_in_place(workspace: Workspace, tmp_path: Path) -> None:
    public = tmp_path / "www" / "podcast"
    public.parent.mkdir()
    workspace.feed_dir.rmdir()
    public.mkdir()
    workspace.feed_dir.symlink_to(public)
    make_episode(workspace, "satu", "Satu", number=1, pub_date="2025-01-01T08:00:00+07:00")
    build_site(workspace, workspace.settings(), now=NOW)
    assert workspace.feed_dir.is_symlink()
    assert (public / "feed.xml").is_file()

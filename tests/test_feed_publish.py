"""The feed stage inside the real ``cerdas publish`` (real ffmpeg on tiny generated audio): rebuilt when
anything it shows changed, current otherwise; drafts, scheduling, and a feed that fails the check refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from lxml import etree

from cerdas.episode import list_episodes, load_episode
from cerdas.facts import TagFacts
from cerdas.workspace import Workspace
from tests.feed_support import disable_whisper, image
from tests.media import uneven_speech
from tests.workspace_support import facts

pytestmark = pytest.mark.slow


def _titles(ws: Workspace) -> list[str]:
    return etree.parse(str(ws.feed_dir / "feed.xml")).xpath("//item/title/text()")  # type: ignore[no-any-return]


def _status(result: Result, stage: str) -> str:
    for line in result.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == stage:
            return parts[1]
    raise AssertionError(f"no {stage} line in {result.stdout}")


@pytest.fixture
def audio(tmp_path: Path) -> Callable[[str], Path]:
    made: list[str] = []

    def make(name: str) -> Path:
        path = tmp_path / f"{name}.wav"
        if name not in made:  # a different length each: the same bytes would continue the same episode
            made.append(name)
            uneven_speech(path, seconds=3 + 0.25 * len(made))
        return path

    return make


def test_publish_builds_and_keeps_the_feed_current(
    workspace: Workspace, run_cli: Callable[..., Result], audio: Callable[[str], Path], tmp_path: Path
) -> None:
    disable_whisper(workspace)
    chapters = tmp_path / "bab.txt"
    chapters.write_text("00:00 Pembuka\n00:02 Inti\n", encoding="utf-8")
    first = audio("satu")
    result = run_cli(
        "publish",
        str(first),
        "--title",
        "Episode Satu",
        "--guest",
        "Budi",
        "--chapters",
        str(chapters),
        "--description",
        "Catatan satu.",
        "--no-youtube",
    )
    assert result.exit_code == 0, result.output
    assert _status(result, "feed") == "ran"
    assert _titles(workspace) == ["Episode Satu"]
    episode = load_episode(workspace, "episode-satu")
    mp3 = workspace.root / episode.stages["tag"].outputs["mp3"]
    enclosure = etree.parse(str(workspace.feed_dir / "feed.xml")).xpath("//enclosure")[0]
    assert enclosure.get("length") == str(mp3.stat().st_size) == str(facts(episode, TagFacts).bytes)
    assert (workspace.feed_dir / "chapters/episode-satu.json").is_file()
    assert (workspace.feed_dir / "episodes/episode-satu/index.html").is_file()

    again = run_cli("publish", str(first), "--title", "Episode Satu", "--no-youtube")
    assert _status(again, "feed") == "current"

    second = run_cli("publish", str(audio("dua")), "--title", "Episode Dua", "--no-youtube")
    assert second.exit_code == 0, second.output
    assert _titles(workspace) == ["Episode Dua", "Episode Satu"]

    retitled = run_cli("publish", str(first), "--title", "Episode Satu Baru", "--no-youtube")
    assert _status(retitled, "tag") == "ran" and _status(retitled, "feed") == "ran"
    assert "Episode Satu Baru" in _titles(workspace)
    guids = etree.parse(str(workspace.feed_dir / "feed.xml")).xpath("//item/guid/text()")
    assert episode.guid in guids  # the guid never changes

    (workspace.feed_dir / "feed.xml").unlink()  # a lost feed is rebuilt on the next publish
    assert _status(run_cli("publish", str(first), "--title", "Episode Satu Baru", "--no-youtube"), "feed") == "ran"
    assert (workspace.feed_dir / "feed.xml").is_file()


def test_drafts_and_scheduled_publishing(
    workspace: Workspace, run_cli: Callable[..., Result], audio: Callable[[str], Path]
) -> None:
    disable_whisper(workspace)
    source = audio("draf")
    result = run_cli("publish", str(source), "--title", "Draf", "--draft", "--no-youtube")
    assert result.exit_code == 0, result.output
    assert "draft, not in the feed" in result.stdout
    assert _titles(workspace) == []
    assert not (workspace.feed_dir / "episodes/draf").exists()

    result = run_cli("publish", str(source), "--title", "Draf", "--no-draft", "--no-youtube")
    assert result.exit_code == 0, result.output
    assert _titles(workspace) == ["Draf"]

    later = audio("nanti")
    result = run_cli(
        "publish", str(later), "--title", "Nanti", "--publish-at", "2999-01-01T09:00+07:00", "--no-youtube"
    )
    assert result.exit_code == 0, result.output
    assert "appears from 2999-01-01T09:00:00+07:00" in result.stdout
    assert _titles(workspace) == ["Draf"]
    assert load_episode(workspace, "nanti").pub_date == "2999-01-01T09:00:00+07:00"

    bad = run_cli("publish", str(later), "--title", "Nanti", "--publish-at", "besok pagi", "--no-youtube")
    assert bad.exit_code == 2 and "not a date and time" in bad.stderr

    now = run_cli("publish", str(later), "--title", "Nanti", "--publish-at", "2020-01-01", "--no-youtube")
    assert now.exit_code == 0
    assert _titles(workspace) == ["Draf", "Nanti"]  # back-dated: older than Draf


def test_publish_refuses_bad_artwork_before_any_work(
    workspace: Workspace, run_cli: Callable[..., Result], audio: Callable[[str], Path]
) -> None:
    disable_whisper(workspace)
    ok = run_cli("publish", str(audio("satu")), "--title", "Satu", "--no-youtube")
    assert ok.exit_code == 0, ok.output
    before = (workspace.feed_dir / "feed.xml").read_bytes()
    image(workspace.root / "artwork.png", (800, 800))
    result = run_cli("publish", str(audio("dua")), "--title", "Dua", "--no-youtube")
    assert result.exit_code == 1
    assert "'show.artwork'" in result.stderr and "800x800" in result.stderr
    assert [e.slug for e in list_episodes(workspace)] == ["satu"]  # nothing started
    assert (workspace.feed_dir / "feed.xml").read_bytes() == before


def test_publish_refuses_what_the_feed_cannot_carry_before_any_work(
    workspace: Workspace, run_cli: Callable[..., Result], audio: Callable[[str], Path]
) -> None:
    disable_whisper(workspace)
    assert run_cli("publish", str(audio("satu")), "--title", "Satu", "--no-youtube").exit_code == 0
    before = {p: p.read_bytes() for p in workspace.feed_dir.rglob("*") if p.is_file()}
    result = run_cli("publish", str(audio("dua")), "--title", "Dua", "--description", "panjang " * 600, "--no-youtube")
    assert result.exit_code == 1
    assert "4000" in result.stderr and "nothing was done" in result.stderr and len(result.stderr.splitlines()) == 1
    assert {p: p.read_bytes() for p in workspace.feed_dir.rglob("*") if p.is_file()} == before
    assert not workspace.episode_dir("dua").exists()  # nothing encoded, nothing recorded
    fixed = run_cli("publish", str(audio("dua")), "--title", "Dua", "--description", "Pendek.", "--no-youtube")
    assert fixed.exit_code == 0, fixed.output
    assert _titles(workspace) == ["Dua", "Satu"]

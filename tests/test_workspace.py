"""The workspace: ``cerdas init``, finding the workspace from the current folder upwards or ``--workspace``,
``cerdas episodes``, the lock, and the newcomer's first publish."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cerdas.cli.main import cli
from cerdas.episode import StageRecord, list_episodes, load_episode, save_episode
from cerdas.errors import WorkspaceError
from cerdas.facts import TranscribeFacts, TranscriptGap
from cerdas.media.ingest import IngestStage
from cerdas.pipeline import Context
from cerdas.publish import PublishRequest, publish
from cerdas.report import NullReporter
from cerdas.workspace import Workspace, find_workspace
from tests.audio_support import measure, no_whisper
from tests.feed_support import make_episode
from tests.media import uneven_speech


def _cerdas(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_init_in_a_fresh_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "podcast-cerdas"
    folder.mkdir()
    monkeypatch.chdir(folder)
    result = _cerdas("init")
    assert result.exit_code == 0, result.output
    for name in ("cerdas.toml", "artwork.png", ".gitignore", "episodes", "transcripts", "feed"):
        assert (folder / name).exists(), name
    settings = Workspace(folder).settings()
    assert settings.show.title == "Podcast Cerdas"  # from the folder's name when --title is not given
    # ordinary files get ordinary permissions (a web server or a colleague may read them)
    assert stat.S_IMODE((folder / "cerdas.toml").stat().st_mode) & 0o044 == 0o044 & ~_umask()
    again = _cerdas("init", "--title", "Lain")
    assert again.exit_code == 1 and "already a workspace" in again.stderr
    assert Workspace(folder).settings().show.title == "Podcast Cerdas"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_init_into_named_folder_with_title(tmp_path: Path) -> None:
    result = _cerdas(
        "init", str(tmp_path / "baru" / "show"), "--title", "Suara Integritas", "--email", "podcast@example.go.id"
    )
    assert result.exit_code == 0, result.output
    settings = Workspace(tmp_path / "baru" / "show").settings()
    assert settings.show.title == "Suara Integritas" and settings.show.owner_email == "podcast@example.go.id"
    assert _cerdas("init", str(tmp_path / "x"), "--title", "  ").exit_code == 1


def test_commands_find_the_workspace_upwards(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(workspace.episodes_dir)
    assert find_workspace() == workspace
    assert _cerdas("episodes").exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = _cerdas("episodes")
    assert result.exit_code == 1 and "no cerdas.toml here or in any parent folder" in result.stderr
    result = _cerdas("-w", str(tmp_path), "episodes")
    assert result.exit_code == 2 and "holds no cerdas.toml" in result.stderr
    assert _cerdas("-w", str(workspace.root), "episodes").exit_code == 0


def test_episodes_lists_state(workspace: Workspace, tmp_path: Path) -> None:
    no_whisper(workspace)
    ctx = Context(workspace=workspace, settings=workspace.settings(), reporter=NullReporter(), youtube=False)
    # one finished episode, one whose publish stopped after ingest
    done = publish(PublishRequest(uneven_speech(tmp_path / "a.wav", seconds=5), "Episode Pertama", number=1), ctx)
    publish(PublishRequest(uneven_speech(tmp_path / "b.wav", seconds=4), "Episode Kedua"), ctx, stages=[IngestStage()])
    result = _cerdas("-w", str(workspace.root), "episodes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[0].split() == ["#", "episode", "title", "state", "notes"]
    assert "episode-pertama" in lines[1] and "Episode Pertama" in lines[1] and "published" in lines[1]
    assert "episode-kedua" in lines[2] and "incomplete" in lines[2] and lines[2].split()[0] == "2"
    assert "stopped after ingest" in lines[2]
    rows = [json.loads(line) for line in _cerdas("-w", str(workspace.root), "episodes", "--json").stdout.splitlines()]
    assert rows[0]["slug"] == done.episode.slug and rows[0]["number"] == 1 and "tag" in rows[0]["stages"]
    assert rows[1]["stages"] == ["ingest"] and rows[1]["state"] == "incomplete" and rows[1]["transcript_gaps"] == []


def test_episodes_aligns_long_slugs_and_says_scheduled_and_gaps(workspace: Workspace) -> None:
    long_slug = "wawancara-panjang-dengan-kepala-inspektorat-tentang-zona-integritas"
    make_episode(workspace, "pendek", "Pendek", number=1, pub_date="2025-01-10T09:00:00+07:00")
    make_episode(workspace, long_slug, "Wawancara Panjang " * 5, number=2, pub_date="2025-01-17T09:00:00+07:00")
    make_episode(workspace, "nanti", "Terjadwal", number=3, pub_date="2999-07-01T09:00:00+07:00")
    episode = load_episode(workspace, "pendek")
    episode.stages["transcribe"] = StageRecord(
        "x", "2025-01-10T09:00:00+00:00", facts=TranscribeFacts(gaps=(TranscriptGap(97.9, 103.0),))
    )
    save_episode(workspace, episode)
    result = _cerdas("-w", str(workspace.root), "episodes")
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    column = header.index("state")
    assert all(line[column:].split()[0] in ("published", "scheduled") for line in lines)  # one column for all
    assert header.index("title") == lines[1].index("Wawancara")
    assert "…" in lines[1] and len(lines[1]) < len(long_slug) + 80  # a long title is shortened
    assert "scheduled" in lines[2] and "appears 2999-07-01 09:00 +0700" in lines[2]
    assert "transcript has gaps (1, 5 s marked [inaudible])" in lines[0]
    assert workspace.settings() and load_episode(workspace, "pendek").transcript_gaps == (TranscriptGap(97.9, 103.0),)


def test_lock_refuses_a_second_holder(workspace: Workspace) -> None:
    with workspace.lock(), pytest.raises(WorkspaceError, match="another cerdas command"), workspace.lock():
        pass
    with workspace.lock():  # released: can be taken again
        pass


@pytest.mark.parametrize("slug", ["..", "../x", "a/../../b", ".git", ""])
def test_episode_dir_never_leaves_episodes(workspace: Workspace, slug: str) -> None:
    with pytest.raises(WorkspaceError):
        workspace.episode_dir(slug)


@pytest.mark.slow
def test_newcomer_init_then_publish_with_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exactly the README's first steps, default settings (Whisper on): a finished episode at once."""
    folder = tmp_path / "podcast"
    folder.mkdir()
    recording = uneven_speech(folder / "rekaman.wav", seconds=10)
    monkeypatch.chdir(folder)
    assert _cerdas("init", "--title", "Podcast Baru").exit_code == 0
    result = _cerdas("publish", "rekaman.wav", "--title", "Episode Pertama", "--no-youtube")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Published: episode-pertama")
    [episode] = list_episodes(Workspace(folder))
    mp3 = folder / episode.stages["tag"].outputs["mp3"]
    got = measure(mp3)
    assert abs(got.integrated + 16) <= 0.5 and got.true_peak <= -1.0
    assert recording.exists()

"""Re-running publish: nothing twice, a new title only re-tags, ``--force`` redoes, a new recording re-encodes,
``--dry-run`` changes nothing, and the producer's recording is never modified."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from mutagen.id3 import ID3

from cerdas.episode import Episode, list_episodes
from cerdas.facts import IngestFacts, TagFacts
from cerdas.workspace import Workspace
from tests.audio_support import leftovers, no_whisper, snapshot
from tests.media import uneven_speech
from tests.workspace_support import facts, set_keys

TITLE = "Menolak Gratifikasi"
MINE = ("ingest", "loudness", "tag")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _episode(ws: Workspace) -> Episode:
    [episode] = list_episodes(ws)
    return episode


def _status(result: Result) -> dict[str, str]:
    """The per-stage lines of publish's summary: stage name → ran / current / skipped / would run."""
    out: dict[str, str] = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if line.startswith("  ") and len(parts) >= 2:
            status = " ".join(parts[1:3]) if parts[1] == "would" else parts[1]
            out.setdefault(parts[0], status)
    return out


@pytest.fixture
def first(workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path) -> tuple[Path, str]:
    no_whisper(workspace)
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=8)
    sha = _sha(source)
    result = run_cli("publish", str(source), "--title", TITLE, "--no-youtube")
    assert result.exit_code == 0, result.output
    assert all(_status(result)[name] == "ran" for name in MINE)
    return source, sha


def test_rerun_does_nothing(workspace: Workspace, run_cli: Callable[..., Result], first: tuple[Path, str]) -> None:
    source, sha = first
    before = snapshot(workspace.root)
    mtimes = {p: p.stat().st_mtime_ns for p in workspace.episodes_dir.rglob("*") if p.is_file()}
    result = run_cli("publish", str(source), "--title", TITLE, "--no-youtube")
    assert result.exit_code == 0, result.output
    assert all(_status(result)[name] == "current" for name in MINE), result.stdout
    assert snapshot(workspace.root) == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes  # not even rewritten with the same bytes
    assert _sha(source) == sha


def test_new_title_retags_without_reencoding(
    workspace: Workspace, run_cli: Callable[..., Result], first: tuple[Path, str]
) -> None:
    source, sha = first
    old = _episode(workspace)
    encoded = workspace.root / old.stages["loudness"].outputs["mp3"]
    encoded_sha = _sha(encoded)
    result = run_cli("publish", str(source), "--title", "Judul yang Lebih Baik", "--no-youtube")
    assert result.exit_code == 0, result.output
    status = _status(result)
    assert (status["ingest"], status["loudness"], status["tag"]) == ("current", "current", "ran")
    new = _episode(workspace)
    assert new.slug == old.slug and new.title == "Judul yang Lebih Baik"  # same episode, same folder and URL
    assert new.stages["loudness"].completed == old.stages["loudness"].completed
    assert new.stages["loudness"].facts == old.stages["loudness"].facts
    assert _sha(encoded) == encoded_sha
    assert new.stages["tag"].completed >= old.stages["tag"].completed
    assert str(ID3(workspace.root / new.stages["tag"].outputs["mp3"])["TIT2"]) == "Judul yang Lebih Baik"
    assert _sha(source) == sha


def test_force_redoes_everything(workspace: Workspace, run_cli: Callable[..., Result], first: tuple[Path, str]) -> None:
    source, sha = first
    old = _episode(workspace)
    result = run_cli("publish", str(source), "--title", TITLE, "--no-youtube", "--force")
    assert result.exit_code == 0, result.output
    assert all(_status(result)[name] == "ran" for name in MINE)
    new = _episode(workspace)
    assert new.slug == old.slug and len(list_episodes(workspace)) == 1
    assert new.stages["loudness"].completed >= old.stages["loudness"].completed
    assert new.stages["loudness"].fingerprint == old.stages["loudness"].fingerprint
    assert _sha(source) == sha


def test_changed_recording_reencodes_the_same_episode(
    workspace: Workspace, run_cli: Callable[..., Result], first: tuple[Path, str], tmp_path: Path
) -> None:
    """The producer re-exports the edit over the same file name: the episode gets the new audio."""
    source, _ = first
    old = _episode(workspace)
    uneven_speech(source, seconds=10)  # a new edit, same path
    new_sha = _sha(source)
    result = run_cli("publish", str(source), "--title", TITLE, "--no-youtube")
    assert result.exit_code == 0, result.output
    status = _status(result)
    assert (status["ingest"], status["loudness"], status["tag"]) == ("ran", "ran", "ran")
    new = _episode(workspace)
    assert new.slug == old.slug and new.source_sha256 == new_sha != old.source_sha256
    assert facts(new, IngestFacts).probe.duration == pytest.approx(10.0, abs=0.05)
    assert _sha(source) == new_sha


def test_changed_audio_settings_reencode(
    workspace: Workspace, run_cli: Callable[..., Result], first: tuple[Path, str]
) -> None:
    source, _ = first
    set_keys(workspace, "audio", bitrate_kbps=96)
    result = run_cli("publish", str(source), "--title", TITLE, "--no-youtube")
    status = _status(result)
    assert (status["ingest"], status["loudness"], status["tag"]) == ("current", "ran", "ran")
    assert facts(_episode(workspace), TagFacts).bytes < 8 * 96_000 / 8 + 200_000


def test_dry_run_changes_nothing(
    workspace: Workspace, run_cli: Callable[..., Result], first: tuple[Path, str], tmp_path: Path
) -> None:
    source, sha = first
    before = snapshot(workspace.root)
    lock_existed = (workspace.root / ".cerdas.lock").exists()
    # an existing episode with a new title and --force: says what it would do
    result = run_cli("publish", str(source), "--title", "Judul Lain", "--no-youtube", "--force", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Would publish:")
    assert all(_status(result)[name] == "would run" for name in MINE), result.stdout
    # a new recording: a new episode that is not created
    other = uneven_speech(tmp_path / "lain.wav", seconds=5)
    result = run_cli("publish", str(other), "--title", "Episode Dua", "--no-youtube", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would publish: episode-dua" in result.stdout
    assert snapshot(workspace.root) == before
    assert (workspace.root / ".cerdas.lock").exists() == lock_existed
    assert leftovers(workspace.root) == []
    assert len(list_episodes(workspace)) == 1 and _sha(source) == sha


def test_metadata_only_change_is_kept(
    workspace: Workspace, run_cli: Callable[..., Result], first: tuple[Path, str]
) -> None:
    """Guests are in no tag: no audio stage runs, yet the journal keeps them."""
    source, _ = first
    result = run_cli("publish", str(source), "--title", TITLE, "--guest", "Ibu Ratna", "--guest", " ", "--no-youtube")
    assert result.exit_code == 0, result.output
    assert all(_status(result)[name] == "current" for name in MINE)
    assert _episode(workspace).guests == ["Ibu Ratna"]

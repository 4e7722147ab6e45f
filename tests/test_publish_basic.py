"""The newcomer's path: init, then publish a recording, then re-run (nothing redone)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from cerdas.episode import list_episodes
from cerdas.workspace import Workspace
from tests.media import uneven_speech


def test_publish_then_rerun_does_nothing(workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=8)
    before = source.read_bytes()
    first = run_cli("publish", str(source), "--title", "Episode Satu", "--no-youtube")
    assert first.exit_code == 0, first.output
    assert "episode-satu" in first.stdout
    [episode] = list_episodes(workspace)
    assert (workspace.root / episode.stages["tag"].outputs["mp3"]).stat().st_size > 10_000
    second = run_cli("publish", str(source), "--title", "Episode Satu", "--no-youtube")
    assert second.exit_code == 0
    assert " ran " not in second.stdout
    assert source.read_bytes() == before

"""The newcomer's path: init, then publish a recording, then re-run (nothing redone)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from cerdas.episode import list_episodes
from cerdas.workspace import Workspace
from tests.audio_support import no_whisper
from tests.media import uneven_speech


def test_publish_then_rerun_does_nothing(workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=8)
    before = source.read_bytes()
    first = run_cli("publish", str(source), "--title", "Episode Satu", "--no-youtube")
    assert first.exit_code == 0, first.output
    assert "episode-satu" in first.stdout
    [episode] = list_episodes(workspace)
    assert episode.published_audio is not None
    assert (workspace.root / episode.published_audio).stat().st_size > 10_000
    second = run_cli("publish", str(source), "--title", "Episode Satu", "--no-youtube")
    assert second.exit_code == 0
    assert " ran " not in second.stdout
    assert source.read_bytes() == before


def test_publish_json_is_one_object_with_each_stage(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    no_whisper(workspace)
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=6)
    first = run_cli("publish", str(source), "--title", "Episode Json", "--no-youtube", "--json")
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)  # stdout holds only the JSON; progress went to stderr
    assert summary["slug"] == "episode-json" and summary["created"] is True and summary["dry_run"] is False
    assert summary["state"] == "published" and summary["audio"] == "episodes/episode-json/episode-json.mp3"
    stages = {s["name"]: s for s in summary["stages"]}
    assert list(stages) == ["ingest", "loudness", "tag", "speakers", "transcribe", "youtube", "feed", "search"]
    assert stages["loudness"]["status"] == "ran" and stages["loudness"]["facts"]["after"]["integrated_lufs"] >= -16.5
    assert stages["tag"]["facts"]["bytes"] == (workspace.root / summary["audio"]).stat().st_size
    assert stages["youtube"] == {"name": "youtube", "status": "skipped", "summary": "--no-youtube", "facts": None}
    assert stages["transcribe"]["status"] == "skipped"
    again = json.loads(run_cli("publish", str(source), "--title", "Episode Json", "--no-youtube", "--json").stdout)
    assert again["created"] is False
    assert {s["name"]: s["status"] for s in again["stages"]} == {
        "ingest": "current",
        "loudness": "current",
        "tag": "current",
        "speakers": "skipped",
        "transcribe": "skipped",
        "youtube": "skipped",
        "feed": "current",
        "search": "current",
    }
    assert again["stages"][1]["facts"] == stages["loudness"]["facts"]  # a current stage reports what it recorded

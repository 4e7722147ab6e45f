"""Multitrack recordings: one file (or one channel) per speaker; speakers exactly from which track is active, each
track levelled on its own before the mix. Checked against the known turns of generated interviews."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from cerdas.devtools.interview import Interview
from cerdas.episode import list_episodes
from cerdas.facts import IngestFacts, SpeakersFacts
from cerdas.media.ffmpeg import FFmpeg
from cerdas.media.multitrack import TrackInput, analyse_activity
from cerdas.speakers.turns import SpeakerTurn
from cerdas.workspace import Workspace
from tests.audio_support import no_whisper
from tests.media import ffmpeg, silence
from tests.speakers_support import der, found_turns, interview, turn_accuracy
from tests.workspace_support import facts


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Interview:
    return interview(tmp_path_factory.mktemp("talk"), speakers=2, seconds=75.0, seed=3)


@pytest.fixture(scope="module")
def talk3(tmp_path_factory: pytest.TempPathFactory) -> Interview:
    return interview(tmp_path_factory.mktemp("talk3"), speakers=3, seconds=80.0, seed=5)


def _loudness(path: Path, start: float, end: float) -> float:
    cut = ["-ss", f"{start}", "-to", f"{end}", "-i", str(path)]
    out = subprocess.run(
        ["ffmpeg", "-v", "info", "-nostats", *cut, "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return float(out.rsplit("I:", 1)[1].split("LUFS")[0])


def test_activity_finds_the_known_turns_despite_bleed(talk: Interview, talk3: Interview) -> None:
    for made in (talk, talk3):
        activity = analyse_activity(FFmpeg(), [TrackInput(p) for p in made.tracks])
        found = [SpeakerTurn(a, b, made.speakers[k]) for a, b, k in activity.turns()]
        assert der(made.turns, found) <= 0.02
        assert turn_accuracy(made.turns, found) == 1.0
        assert len(found) <= len(made.turns) + 2  # bleed and crosstalk make no false turns


def test_publish_two_tracks_levels_each_and_names_the_speakers(
    workspace: Workspace, run_cli: Callable[..., Result], talk: Interview
) -> None:
    no_whisper(workspace)
    host, guest = talk.tracks
    result = run_cli(
        "publish", str(host), str(guest), "--title", "Dua Mikrofon", "--no-youtube",
        "--speaker", "Silvia Rahmadina", "--speaker", "Puspita Hanum",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [episode] = list_episodes(workspace)
    assert [t.source for t in episode.tracks] == [workspace.relative(host), workspace.relative(guest)]
    ingest = facts(episode, IngestFacts)
    assert (
        len(ingest.tracks) == 2 and ingest.tracks[1].input.integrated_lufs < ingest.tracks[0].input.integrated_lufs - 10
    )
    spk = facts(episode, SpeakersFacts)
    assert spk.method == "multitrack" and spk.speakers == ("Silvia Rahmadina", "Puspita Hanum")
    turns = found_turns(workspace, episode.slug)
    assert turn_accuracy(talk.turns, turns) == 1.0
    # the quiet guest is brought up to the host's level in the published MP3 (18 dB apart in the recording)
    mp3 = workspace.resolve(episode.published_audio or "")
    host_turn = next(t for t in talk.turns if t.speaker == talk.speakers[0] and t.end - t.start > 4)
    guest_turn = next(t for t in talk.turns if t.speaker == talk.speakers[1] and t.end - t.start > 4)
    gap = _loudness(mp3, host_turn.start, host_turn.end) - _loudness(mp3, guest_turn.start, guest_turn.end)
    assert abs(gap) < 4.0
    again = run_cli("publish", str(host), str(guest), "--title", "Dua Mikrofon", "--no-youtube")
    assert again.exit_code == 0 and " ran " not in again.stdout  # the same tracks: the same episode, nothing redone


def test_channels_are_speakers(
    workspace: Workspace, run_cli: Callable[..., Result], talk: Interview, tmp_path: Path
) -> None:
    no_whisper(workspace)
    stereo = tmp_path / "stereo.wav"
    host, guest = talk.tracks
    ffmpeg("-i", str(host), "-i", str(guest), "-filter_complex", "[0:a][1:a]amerge=inputs=2", str(stereo))
    result = run_cli(
        "publish", str(stereo), "--channels-are-speakers", "--title", "Kiri Kanan", "--no-youtube",
        "--speaker", "Kiri", "--speaker", "Kanan", "--speaker", "Ketiga",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 speaker names given but 2 tracks: 'Ketiga' not used" in result.stderr
    [episode] = list_episodes(workspace)
    assert [t.channel for t in episode.tracks] == [0, 1]
    names = {talk.speakers[0]: "Kiri", talk.speakers[1]: "Kanan"}
    assert turn_accuracy(talk.turns, found_turns(workspace, episode.slug), names) == 1.0
    data = json.loads(workspace.speaker_turns(episode.slug).read_text())
    assert data["method"] == "multitrack" and [s["named_by"] for s in data["speakers"]] == ["track", "track"]


def test_tracks_at_other_sample_rates_are_resampled(
    workspace: Workspace, run_cli: Callable[..., Result], talk: Interview, tmp_path: Path
) -> None:
    no_whisper(workspace)
    host, guest = talk.tracks
    guest48 = tmp_path / "guest-48k.flac"
    ffmpeg("-i", str(guest), "-ar", "48000", str(guest48))
    result = run_cli("publish", str(host), str(guest48), "--title", "Campuran", "--no-youtube")
    assert result.exit_code == 0, result.output
    [episode] = list_episodes(workspace)
    assert {t.sample_rate for t in facts(episode, IngestFacts).tracks} == {44100, 48000}
    assert facts(episode, SpeakersFacts).speakers == ("Pembicara 1", "Pembicara 2")


def test_tracks_of_different_lengths_are_refused_naming_them(
    workspace: Workspace, run_cli: Callable[..., Result], talk: Interview, tmp_path: Path
) -> None:
    host, guest = talk.tracks
    short = tmp_path / "guest-short.wav"
    ffmpeg("-i", str(guest), "-t", f"{talk.duration - 3}", str(short))
    result = run_cli("publish", str(host), str(short), "--title", "Pendek", "--no-youtube")
    assert result.exit_code == 1
    assert "guest-short.wav" in result.stderr and host.name in result.stderr and "differ in length" in result.stderr
    assert "Traceback" not in result.output
    assert list_episodes(workspace) == [] and not any(workspace.episodes_dir.iterdir())


def test_a_silent_track_is_refused_by_name(
    workspace: Workspace, run_cli: Callable[..., Result], talk: Interview, tmp_path: Path
) -> None:
    host = talk.tracks[0]
    quiet = silence(tmp_path / "tamu-diam.wav", seconds=talk.duration)
    result = run_cli("publish", str(host), str(quiet), "--title", "Sunyi", "--no-youtube")
    assert result.exit_code == 1
    assert "tamu-diam.wav" in result.stderr and "silent" in result.stderr
    assert list_episodes(workspace) == []


def test_channels_are_speakers_needs_stereo(
    workspace: Workspace, run_cli: Callable[..., Result], talk: Interview
) -> None:
    result = run_cli("publish", str(talk.tracks[0]), "--channels-are-speakers", "--title", "Mono", "--no-youtube")
    assert result.exit_code == 1 and "needs a stereo recording" in result.stderr
    both = run_cli("publish", *map(str, talk.tracks), "--channels-are-speakers", "--title", "X", "--no-youtube")
    assert both.exit_code == 2

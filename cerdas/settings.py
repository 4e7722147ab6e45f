"""Typed show settings read once from ``cerdas.toml`` and validated with messages that name the key.

Settings are passed explicitly (Click context → library functions); nothing reads them from a global.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cerdas.errors import SettingsError
from cerdas.languages import WHISPER_LANGUAGES, whisper_code
from cerdas.links import link_problem
from cerdas.notes import MARKUP
from cerdas.platforms import MAX_DESCRIPTION_BYTES, YOUTUBE_CATEGORIES, check_category

CONFIG_NAME = "cerdas.toml"

# CBR bitrates MPEG audio layer III allows (kbps): MPEG-1 at 32/44.1/48 kHz, MPEG-2 at 22.05 kHz (from 32 up)
_MP3_BITRATES = {
    44100: (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    22050: (32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True)
class ShowSettings:
    """The podcast as a whole: what the feed channel, the site and the ID3 ``album`` say."""

    title: str
    description: str = ""
    author: str = ""
    owner_name: str = ""
    owner_email: str = ""
    language: str = "id"
    category: str = "Government"
    subcategory: str = ""
    explicit: bool = False
    artwork: str = "artwork.png"
    base_url: str = "http://localhost:8000/"
    website: str = ""
    copyright: str = ""
    type: str = "episodic"
    hosts: tuple[str, ...] = ()
    apple_url: str = ""
    spotify_url: str = ""
    youtube_url: str = ""
    locked: bool = True
    guid: str = ""
    timezone: str = ""
    """IANA zone (``Asia/Makassar``) whose days reports count in; empty: this machine's zone."""


@dataclass(frozen=True)
class AudioSettings:
    """Levelling, loudness target and encoder."""

    target_lufs: float = -16.0
    true_peak: float = -1.0
    tolerance_lu: float = 0.5
    leveler: bool = True
    channels: int = 2
    sample_rate: int = 44100
    bitrate_kbps: int = 128


@dataclass(frozen=True)
class WhisperSettings:
    """Offline transcription (faster-whisper). ``enabled = false`` skips the transcribe stage."""

    model: str = "base"
    language: str = "id"
    vocabulary: tuple[str, ...] = ()
    device: str = "auto"
    batch_size: int = 8
    beam_size: int = 5
    enabled: bool = True
    prompt: bool = False  # also give Whisper the vocabulary as hotwords (off: measured worse on base, see README)


@dataclass(frozen=True)
class SpeakersSettings:
    """Who said what: diarization (the ``speakers`` extra) or multitrack recordings (no model)."""

    enabled: bool = True
    max: int = 4
    """The most voices an episode is assumed to have when ``--speakers`` does not say."""
    match: float = 0.7
    """How alike (cosine similarity, 0-1) a voice must be to a profile in ``voices/`` to take its name."""


@dataclass(frozen=True)
class YouTubeSettings:
    """Upload to the office's channel. ``client_secrets`` lives outside the repository."""

    enabled: bool = False
    client_secrets: str = ""
    privacy: str = "private"
    category_id: int = 25
    playlist_id: str = ""
    tags: tuple[str, ...] = ()
    made_for_kids: bool = False
    waveform: bool = True
    title_text: bool = True
    schedule: bool = False
    chunk_kib: int = 8192


@dataclass(frozen=True)
class Settings:
    """Everything in ``cerdas.toml``; ``root`` is the workspace folder it was read from."""

    root: Path
    show: ShowSettings
    audio: AudioSettings = field(default_factory=AudioSettings)
    whisper: WhisperSettings = field(default_factory=WhisperSettings)
    youtube: YouTubeSettings = field(default_factory=YouTubeSettings)
    speakers: SpeakersSettings = field(default_factory=SpeakersSettings)

    @property
    def artwork_path(self) -> Path:
        """The show artwork, relative paths taken from the workspace root."""
        path = Path(self.show.artwork).expanduser()
        return path if path.is_absolute() else self.root / path

    @property
    def base_url(self) -> str:
        """``base_url`` with exactly one trailing slash."""
        return self.show.base_url.rstrip("/") + "/"

    @property
    def timezone(self) -> tzinfo:
        """``show.timezone`` (checked when the file was read), else this machine's zone."""
        return ZoneInfo(self.show.timezone) if self.show.timezone else machine_timezone()


def machine_timezone() -> tzinfo:
    """This machine's zone: its IANA name when ``/etc/localtime`` names one, else its current UTC offset."""
    with contextlib.suppress(OSError, ValueError, ZoneInfoNotFoundError):
        target = Path("/etc/localtime").resolve()
        if "zoneinfo" in target.parts:
            return ZoneInfo("/".join(target.parts[target.parts.index("zoneinfo") + 1 :]))
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def _coerce(section: str, cls: type[Any], raw: Any, path: Path) -> Any:
    if not isinstance(raw, dict):
        raise SettingsError(f"[{section}] must be a table", path)
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise SettingsError(f"unknown key '{section}.{key}' (known: {', '.join(sorted(known))})", path)
        expected = known[key].type
        where = f"'{section}.{key}'"
        if expected in ("str",) and not isinstance(value, str):
            raise SettingsError(f"{where} must be text, not {value!r}", path)
        if expected == "bool" and not isinstance(value, bool):
            raise SettingsError(f"{where} must be true or false, not {value!r}", path)
        if expected == "int" and (not isinstance(value, int) or isinstance(value, bool)):
            raise SettingsError(f"{where} must be a whole number, not {value!r}", path)
        if expected == "float":
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise SettingsError(f"{where} must be a number, not {value!r}", path)
            value = float(value)
        if expected == "tuple[str, ...]":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(f"{where} must be a list of texts", path)
            value = tuple(value)
        if isinstance(value, str) and any(ord(c) < 32 and c not in "\n\t" for c in value):
            raise SettingsError(f"{where} contains control characters", path)
        values[key] = value
    try:
        return cls(**values)
    except TypeError as exc:  # a required key is missing
        missing = [f.name for f in fields(cls) if f.name not in values]
        raise SettingsError(f"[{section}] is missing '{section}.{missing[0]}'", path) from exc


def _check(cond: bool, message: str, path: Path) -> None:
    if not cond:
        raise SettingsError(message, path)


def check_show_text(show: ShowSettings) -> str | None:
    """``None`` when the show's texts and links can go into a feed, else a sentence naming the key."""
    for key in ("title", "description", "author", "owner_name", "copyright"):
        value = getattr(show, key)
        if match := MARKUP.search(value):
            return f"'show.{key}' must be plain text; it contains markup ({match.group(0)[:30]!r})"
    for host in show.hosts:
        if not host.strip() or MARKUP.search(host):
            return f"'show.hosts' must be plain names, not {host!r}"
    if len(show.description.encode("utf-8")) > MAX_DESCRIPTION_BYTES:
        return f"'show.description' is longer than {MAX_DESCRIPTION_BYTES} bytes (Apple's limit)"
    for key in ("website", "apple_url", "spotify_url", "youtube_url"):
        value = getattr(show, key)
        problem = link_problem(value, mailto=False) if value else None
        if problem:
            return f"'show.{key}' must be an absolute http(s) URL: it {problem} ({value!r})"
    if show.guid:
        try:
            uuid.UUID(show.guid)
        except ValueError:
            return f"'show.guid' is not a UUID: {show.guid!r}"
    return None


def validate(settings: Settings, path: Path) -> None:
    """Check values whose type is right but whose meaning is not (raises :class:`SettingsError`)."""
    _validate_show(settings.show, path)
    _validate_audio(settings.audio, path)
    _validate_whisper(settings.whisper, path)
    _validate_youtube(settings.youtube, path)
    _validate_speakers(settings.speakers, path)
    problem = check_category(settings.show.category, settings.show.subcategory)
    _check(problem is None, f"'show.category': {problem}", path)


def _validate_show(show: ShowSettings, path: Path) -> None:
    _check(bool(show.title.strip()), "'show.title' must not be empty", path)
    _check(len(show.title) <= 255, "'show.title' is longer than 255 characters", path)
    _check(bool(_LANGUAGE.match(show.language)), f"'show.language' is not a language code: {show.language!r}", path)
    problem = link_problem(show.base_url, mailto=False)
    _check(problem is None, f"'show.base_url' must be an absolute http(s) URL: it {problem} ({show.base_url!r})", path)
    url = urlparse(show.base_url)
    _check(
        not url.query and not url.fragment and "?" not in show.base_url and "#" not in show.base_url,
        f"'show.base_url' must be a folder address without '?' or '#': {show.base_url!r}",
        path,
    )
    _check(
        not show.owner_email or bool(EMAIL.match(show.owner_email)),
        f"'show.owner_email' is not an e-mail address: {show.owner_email!r}",
        path,
    )
    _check(show.type in ("episodic", "serial"), f"'show.type' must be episodic or serial, not {show.type!r}", path)
    problem = check_show_text(show)
    _check(problem is None, str(problem), path)
    _check(
        _known_zone(show.timezone),
        f"'show.timezone' is not an IANA time zone (e.g. Asia/Makassar): {show.timezone!r}",
        path,
    )


def _known_zone(name: str) -> bool:
    if not name:
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _validate_audio(audio: AudioSettings, path: Path) -> None:
    _check(-31.0 <= audio.target_lufs <= -5.0, "'audio.target_lufs' must be between -31 and -5 LUFS", path)
    _check(-9.0 <= audio.true_peak <= 0.0, "'audio.true_peak' must be between -9 and 0 dBTP", path)
    _check(0.1 <= audio.tolerance_lu <= 2.0, "'audio.tolerance_lu' must be between 0.1 and 2 LU", path)
    _check(audio.channels in (1, 2), "'audio.channels' must be 1 (mono) or 2 (stereo)", path)
    _check(
        audio.sample_rate in (22050, 32000, 44100, 48000),
        "'audio.sample_rate' must be 22050, 32000, 44100 or 48000",
        path,
    )
    rates = _MP3_BITRATES[22050 if audio.sample_rate < 32000 else 44100]
    _check(
        audio.bitrate_kbps in rates,
        f"'audio.bitrate_kbps' = {audio.bitrate_kbps} is not an MP3 bitrate at {audio.sample_rate} Hz "
        f"(one of {', '.join(map(str, rates))})",
        path,
    )


def _validate_whisper(whisper: WhisperSettings, path: Path) -> None:
    _check(
        bool(_LANGUAGE.match(whisper.language)) or whisper.language == "auto",
        f"'whisper.language' is not a language code: {whisper.language!r}",
        path,
    )

    _check(
        whisper.language == "auto" or whisper_code(whisper.language) in WHISPER_LANGUAGES,
        f"'whisper.language' = {whisper.language!r} is not a language Whisper knows (e.g. id, jw, su, ms, en)",
        path,
    )
    _check(whisper.device in ("auto", "cpu", "cuda"), "'whisper.device' must be auto, cpu or cuda", path)
    _check(1 <= whisper.batch_size <= 64, "'whisper.batch_size' must be between 1 and 64", path)
    _check(1 <= whisper.beam_size <= 10, "'whisper.beam_size' must be between 1 and 10", path)


def _validate_youtube(yt: YouTubeSettings, path: Path) -> None:
    _check(
        yt.privacy in ("public", "unlisted", "private"),
        f"'youtube.privacy' must be public, unlisted or private, not {yt.privacy!r}",
        path,
    )
    _check(
        yt.category_id in YOUTUBE_CATEGORIES,
        f"'youtube.category_id' {yt.category_id} is not a YouTube category "
        "(25 News & Politics, 27 Education, 29 Nonprofits & Activism, ...)",
        path,
    )
    _check(
        not yt.playlist_id or bool(re.fullmatch(r"[A-Za-z0-9_-]{2,64}", yt.playlist_id)),
        f"'youtube.playlist_id' is not a playlist id: {yt.playlist_id!r}",
        path,
    )
    _check(
        yt.chunk_kib >= 256 and yt.chunk_kib % 256 == 0 and yt.chunk_kib <= 256 * 1024,
        "'youtube.chunk_kib' must be a multiple of 256 between 256 and 262144",
        path,
    )


def _validate_speakers(speakers: SpeakersSettings, path: Path) -> None:
    _check(2 <= speakers.max <= 10, "'speakers.max' must be between 2 and 10", path)
    _check(0.0 < speakers.match < 1.0, "'speakers.match' must be between 0 and 1 (e.g. 0.6)", path)


def load_settings(root: Path) -> Settings:
    """Read and validate ``root/cerdas.toml``."""
    path = root / CONFIG_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError("not found; run 'cerdas init' to create a workspace", path) from exc
    except UnicodeDecodeError as exc:
        raise SettingsError("is not UTF-8 text", path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"is not valid TOML: {exc}", path) from exc
    sections = {
        "show": ShowSettings,
        "audio": AudioSettings,
        "whisper": WhisperSettings,
        "youtube": YouTubeSettings,
        "speakers": SpeakersSettings,
    }
    for key in raw:
        if key not in sections:
            raise SettingsError(f"unknown section [{key}] (known: {', '.join(sections)})", path)
    if "show" not in raw:
        raise SettingsError("has no [show] section", path)
    parts = {name: _coerce(name, cls, raw.get(name, {}), path) for name, cls in sections.items()}
    settings = Settings(root=root, **parts)
    validate(settings, path)
    return settings


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def render_template(title: str, description: str = "", author: str = "", email: str = "") -> str:
    """The commented ``cerdas.toml`` that ``cerdas init`` writes (``podcast:locked`` only with an owner e-mail)."""
    template = files("cerdas").joinpath("data/cerdas.toml.in").read_text(encoding="utf-8")
    return (
        template.replace("@TITLE@", toml_string(title))
        .replace("@DESCRIPTION@", toml_string(description or f"{title}: sebuah podcast."))
        .replace("@AUTHOR@", toml_string(author or title))
        .replace("@EMAIL@", toml_string(email))
        .replace("@LOCKED@", "true" if email else "false")  # a lock names the owner to ask, or apps ignore it
    )

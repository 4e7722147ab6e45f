"""``cerdas.toml``: the file ``cerdas init`` writes validates, and every wrong value in [show] and [audio] gives one
line naming the file and the key."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import Result

from cerdas.errors import SettingsError
from cerdas.settings import AudioSettings, load_settings, machine_timezone
from cerdas.workspace import Workspace
from tests.workspace_support import set_keys


def test_init_template_is_commented_and_complete(workspace: Workspace) -> None:
    text = workspace.config.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    for section in ("show", "audio", "whisper", "youtube"):
        assert section in raw
    for key in (
        "title",
        "description",
        "author",
        "owner_email",
        "language",
        "category",
        "explicit",
        "artwork",
        "base_url",
    ):
        assert key in raw["show"], key
    assert raw["show"]["language"] == "id"
    assert raw["audio"] == {
        "target_lufs": -16.0,
        "true_peak": -1.0,
        "tolerance_lu": 0.5,
        "leveler": True,
        "channels": 2,
        "sample_rate": 44100,
        "bitrate_kbps": 128,
    }
    assert text.count("#") > 20  # commented for the producer who opens it
    settings = load_settings(workspace.root)
    assert settings.audio == AudioSettings()
    assert settings.show.title == "Podcast Uji"
    assert raw["show"]["timezone"] == "" and settings.timezone == machine_timezone()  # empty: this machine's zone


@pytest.mark.parametrize(
    ("section", "values", "needle"),
    [
        ("show", {"title": ""}, "'show.title' must not be empty"),
        ("show", {"title": 42}, "'show.title' must be text"),
        ("show", {"language": "Bahasa Indonesia"}, "'show.language' is not a language code"),
        ("show", {"base_url": "feed/"}, "'show.base_url' must be an absolute http(s) URL"),
        ("show", {"base_url": "ftp://example.go.id/"}, "'show.base_url'"),
        ("show", {"owner_email": "bukan-email"}, "'show.owner_email' is not an e-mail address"),
        ("show", {"explicit": "no"}, "'show.explicit' must be true or false"),
        ("show", {"type": "daily"}, "'show.type' must be episodic or serial"),
        ("show", {"hosts": "Satu Orang"}, "'show.hosts' must be a list of texts"),
        ("show", {"colour": "red"}, "unknown key 'show.colour'"),
        ("show", {"timezone": "WITA"}, "'show.timezone' is not an IANA time zone"),
        ("show", {"timezone": "Asia/Balikpapan"}, "'show.timezone' is not an IANA time zone"),
        ("show", {"timezone": 8}, "'show.timezone' must be text"),
        ("audio", {"target_lufs": -40}, "'audio.target_lufs' must be between -31 and -5 LUFS"),
        ("audio", {"target_lufs": "-16"}, "'audio.target_lufs' must be a number"),
        ("audio", {"true_peak": 1.5}, "'audio.true_peak' must be between -9 and 0 dBTP"),
        ("audio", {"tolerance_lu": 0}, "'audio.tolerance_lu' must be between 0.1 and 2 LU"),
        ("audio", {"channels": 6}, "'audio.channels' must be 1 (mono) or 2 (stereo)"),
        ("audio", {"channels": 1.5}, "'audio.channels' must be a whole number"),
        ("audio", {"channels": True}, "'audio.channels' must be a whole number"),
        ("audio", {"sample_rate": 96000}, "'audio.sample_rate' must be 22050, 32000, 44100 or 48000"),
        ("audio", {"bitrate_kbps": 100}, "'audio.bitrate_kbps' = 100 is not an MP3 bitrate at 44100 Hz"),
        ("audio", {"bitrate_kbps": 320, "sample_rate": 22050}, "is not an MP3 bitrate at 22050 Hz"),
        ("audio", {"leveler": 1}, "'audio.leveler' must be true or false"),
        ("audio", {"loudness": -16}, "unknown key 'audio.loudness'"),
    ],
)
def test_bad_value_names_the_key(
    workspace: Workspace, run_cli: Callable[..., Result], section: str, values: dict[str, object], needle: str
) -> None:
    set_keys(workspace, section, **values)
    with pytest.raises(SettingsError) as caught:
        load_settings(workspace.root)
    message = str(caught.value)
    assert message.startswith(f"{workspace.config}: ") and needle in message and "\n" not in message
    # every command reads the settings once, first: the same line, exit 1
    result = run_cli("episodes")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {message}"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[show]\ntitle = "x"\n[audio\n', "is not valid TOML"),
        ("[audio]\ntarget_lufs = -16.0\n", "has no [show] section"),
        ('[show]\ndescription = "tanpa judul"\n', "missing 'show.title'"),
        ('[show]\ntitle = "x"\n[podcast]\n', "unknown section [podcast]"),
        ('show = "x"\n', "[show] must be a table"),
    ],
)
def test_broken_file(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "cerdas.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=needle.replace("[", r"\[").replace("]", r"\]")):
        load_settings(tmp_path)


def test_not_utf8_and_missing(tmp_path: Path) -> None:
    (tmp_path / "cerdas.toml").write_bytes(b'[show]\ntitle = "Podcast \xe9"\n')
    with pytest.raises(SettingsError, match="is not UTF-8 text"):
        load_settings(tmp_path)
    with pytest.raises(SettingsError, match="not found; run 'cerdas init'"):
        load_settings(tmp_path / "kosong")


def test_only_show_title_is_required(tmp_path: Path) -> None:
    """A minimal hand-written file works: every other value has the documented default."""
    (tmp_path / "cerdas.toml").write_text('[show]\ntitle = "Podcast Kecil"\n', encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.audio.target_lufs == -16.0 and settings.audio.channels == 2
    assert settings.show.language == "id" and settings.base_url == "http://localhost:8000/"


def test_the_show_time_zone(workspace: Workspace) -> None:
    set_keys(workspace, "show", timezone="Asia/Makassar")
    zone = load_settings(workspace.root).timezone
    assert datetime(2026, 10, 5, 16, 30, tzinfo=UTC).astimezone(zone).date() == date(2026, 10, 6)  # WITA, UTC+8

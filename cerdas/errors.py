"""The one error type the CLI turns into a one-line message and exit status 1."""

from __future__ import annotations

import re
from pathlib import Path

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """``text`` on one line and safe for a terminal: every control character (a newline in a file name, an ESC
    that would set the terminal's title) written as its escape, ``\\n``, ``\\x1b``."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


class CerdasError(Exception):
    """A problem the user can act on. ``str(error)`` is a single line that names the file and what is wrong,
    whatever characters the file's name or the message hold."""

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        text = shown(" ".join(message.split()))
        super().__init__(f"{shown(str(path))}: {text}" if path is not None else text)


class SettingsError(CerdasError):
    """``cerdas.toml`` is missing, unreadable or holds a value that is not allowed."""


class WorkspaceError(CerdasError):
    """No workspace, a locked workspace or a path that would leave the workspace."""


class LockedError(WorkspaceError):
    """Another cerdas command holds the workspace lock (the studio's job runner waits and tries again)."""


class VersionConflict(CerdasError):
    """What was edited changed elsewhere since it was read (another tab, a hand edit): reload, then edit."""


class MediaError(CerdasError):
    """A recording, image or intermediate that ffmpeg or Pillow cannot use."""


class StageError(CerdasError):
    """A pipeline stage failed; the episode keeps the state it had before the stage."""

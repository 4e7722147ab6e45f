"""How the library tells its caller what it is doing, without printing: the CLI passes a reporter in."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """A unit of long work (encoding, transcription, upload) measured in ``unit`` (seconds, bytes)."""

    def update(self, done: float) -> None:
        """Set the amount done so far (absolute, not a delta)."""

    def close(self) -> None:
        """The work has ended (done or failed)."""


class Reporter(Protocol):
    """Messages and progress from the library to whoever drives it."""

    def info(self, message: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def progress(self, label: str, total: float, unit: str = "s") -> Progress: ...


class _NullProgress:
    def update(self, done: float) -> None:
        pass

    def close(self) -> None:
        pass


class NullReporter:
    """Keeps messages in lists (tests read them) and ignores progress."""

    def __init__(self) -> None:
        self.infos: list[str] = []
        self.warnings: list[str] = []

    def info(self, message: str) -> None:
        self.infos.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def progress(self, label: str, total: float, unit: str = "s") -> Progress:
        return _NullProgress()

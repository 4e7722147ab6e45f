"""``cerdas doctor``: what this machine has and whether it works, one line per check.

Open for every area: a function that takes the workspace settings (``None`` outside a workspace) and the
environment, and returns :class:`Check` lines, registered with ``@check(order)``. The area's module is imported
by ``cerdas.cli.doctor``, which registers it::

    @doctor.check(40)
    def youtube_lines(settings: Settings | None, env: Environment) -> list[Check]:
        return [Check("youtube", ok, "credentials ...", fix="cerdas youtube login")]
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass

from cerdas import __version__
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.media.ffmpeg import FFmpeg
from cerdas.settings import Settings


@dataclass(frozen=True)
class Check:
    """One line of the report. ``ok=None`` is information, not a verdict."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""


Checker = Callable[[Settings | None, Environment], list[Check]]
_CHECKERS: list[tuple[int, str, Checker]] = []


def check(order: int = 50) -> Callable[[Checker], Checker]:
    """Register a checker; lower ``order`` runs first (10 system, 20 transcription, ... 90 last)."""

    def register(fn: Checker) -> Checker:
        key = f"{fn.__module__}.{fn.__qualname__}"
        if all(existing != key for _, existing, _ in _CHECKERS):
            _CHECKERS.append((order, key, fn))
            _CHECKERS.sort(key=lambda item: (item[0], item[1]))
        return fn

    return register


def run_checks(settings: Settings | None, env: Environment) -> list[Check]:
    """Every registered check, in order. A checker that raises becomes a failed line, never a crash."""
    lines: list[Check] = []
    for _, key, fn in list(_CHECKERS):
        try:
            lines.extend(fn(settings, env))
        except CerdasError as exc:
            lines.append(Check(key.rsplit(".", 1)[-1], False, str(exc)))
    return lines


@check(10)
def system_lines(settings: Settings | None, env: Environment) -> list[Check]:
    """Python, Cerdas and ffmpeg."""
    lines = [Check("cerdas", None, f"{__version__} on Python {platform.python_version()}")]
    try:
        lines.append(Check("ffmpeg", True, FFmpeg.from_env(env).version()))
    except CerdasError as exc:
        lines.append(Check("ffmpeg", False, str(exc), fix="apt-get install ffmpeg"))
    return lines

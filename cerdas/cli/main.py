"""The ``cerdas`` program: every area's commands registered on the one group (see :mod:`cerdas.cli.core`).

Each area registers its commands from its own module, so areas never edit each other's file.
"""

from __future__ import annotations

from cerdas.cli import (  # noqa: F401  (register them)
    clips,
    doctor,
    feed,
    report,
    search,
    serve,
    stats,
    studio,
    transcribe,
    voices,
    workspace,
    youtube,
)
from cerdas.cli.core import cli


def main() -> None:
    """Console entry point."""
    cli(prog_name="cerdas")


__all__ = ["cli", "main"]

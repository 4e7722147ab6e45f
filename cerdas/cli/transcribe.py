"""``cerdas`` commands for the transcribe area; registered on :data:`cerdas.cli.core.cli`."""

from __future__ import annotations

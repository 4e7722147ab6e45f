"""``cerdas`` commands for the search area; registered on :data:`cerdas.cli.core.cli`."""

from __future__ import annotations

"""``cerdas`` commands for the youtube area; registered on :data:`cerdas.cli.core.cli`."""

from __future__ import annotations

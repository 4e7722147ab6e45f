"""``cerdas`` commands for the feed area; registered on :data:`cerdas.cli.core.cli`."""

from __future__ import annotations

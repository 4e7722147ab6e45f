"""Full-text search over every transcript (SQLite FTS5 with Indonesian stemming) and the ``search`` stage."""

from __future__ import annotations

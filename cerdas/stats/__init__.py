"""Reach: IAB v2.2 download counts, page views and visitors from the host's access logs, and YouTube's figures,
in ``stats.sqlite3`` (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

"""Tools for tests, the demo and benchmarks, never used by a publish: the local YouTube API emulator and the
synthesised sample interview."""

from __future__ import annotations

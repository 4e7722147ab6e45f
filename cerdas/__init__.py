"""Cerdas: podcast production and publishing toolkit.

The library is typed and never prints or exits; :mod:`cerdas.cli` is a thin Click layer over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

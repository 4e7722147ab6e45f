"""``cerdas report``: a period's publications and reach as HTML, A4 PDF, XLSX and JSON, and the evidence pack
(see docs/ARCHITECTURE.md). Not :mod:`cerdas.report`, which is how the library reports progress."""

from __future__ import annotations

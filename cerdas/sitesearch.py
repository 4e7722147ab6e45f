"""The search page of the static site (``feed/search/``): the search issue builds it here.

The site builder calls :func:`build_search_page` on its staging folder after writing every page and before the
staging folder replaces ``feed/``, so the search index always matches the pages it points to.
"""

from __future__ import annotations

from pathlib import Path

from cerdas.settings import Settings


def build_search_page(site_dir: Path, settings: Settings) -> None:
    """Write ``search/index.html`` and the browser-side index into ``site_dir`` (not built yet: search issue)."""

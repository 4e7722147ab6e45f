"""The search page of the static site (``feed/search/``): the whole archive searchable in the browser, no server.

The site builder calls :func:`build_search_page` on its staging folder after writing every page and before the
staging folder replaces ``feed/``, so the search index always matches the pages it points to.

Pagefind (the ``pagefind[extended]`` wheel ships its binary; it runs offline) indexes the episode pages with
Indonesian stemming. Each transcript paragraph of an episode page is a heading with ``id="t=SECONDS"``, so
Pagefind's sub-results are moments: a result links to ``episodes/<slug>/#t=SECONDS``, which opens the page with
the player at that time. The page itself is ``search/index.html`` (Indonesian, extends the site's
``base.html``) with a small script, ``search/search.js``; the index lies in ``search/pagefind/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import shutil
import subprocess
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from cerdas import urls
from cerdas.errors import CerdasError
from cerdas.feed.pages import base_context, environment, render
from cerdas.procs import die_with_parent
from cerdas.settings import Settings
from cerdas.workspace import Workspace

BUNDLE_DIR = "search/pagefind"
EPISODE_PAGES = "episodes/*/index.html"
DIGEST_FILE = "cerdas-pages.sha256"  # in the bundle: what it was built from


class Pagefind:
    """The Pagefind indexer, run as a program (``pagefind_extended`` from the ``pagefind[extended]`` wheel)."""

    def __init__(self, binary: Path | None = None) -> None:
        self.binary = binary or find_pagefind()

    def index(self, site: Path, glob: str, output_subdir: str, language: str) -> None:
        """Index the pages of ``site`` matching ``glob`` into ``site/output_subdir``, all as ``language``."""
        args = [
            str(self.binary),
            "--site",
            str(site),
            "--glob",
            glob,
            "--output-subdir",
            output_subdir,
            "--force-language",
            language,
            "--quiet",
        ]
        try:
            done = subprocess.run(
                args,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
                process_group=0,
                preexec_fn=die_with_parent(),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CerdasError(f"Pagefind could not run: {exc}", self.binary) from exc
        if done.returncode != 0:
            lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
            detail = lines[-1] if lines else f"exit status {done.returncode}"
            raise CerdasError(f"Pagefind failed to index the site: {detail}", site)


def find_pagefind() -> Path:
    """The Pagefind binary of the installed ``pagefind[extended]`` (or ``pagefind_bin``) wheel, else PATH."""
    for package, name in (("pagefind_bin_extended", "pagefind_extended"), ("pagefind_bin", "pagefind")):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            candidate = Path(spec.origin).parent / name
            if candidate.is_file():
                return candidate
    on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
    if on_path:
        return Path(on_path)
    raise CerdasError("Pagefind is not installed; run: pip install 'pagefind[extended]'")


def render_search_page(settings: Settings, now: datetime | None = None) -> str:
    """The HTML of ``search/index.html`` (the site's layout: header, navigation, footer)."""
    env = environment()
    context = base_context(settings, "../", urls.absolute(settings, "search/"), now or datetime.now(UTC))
    context.update(
        page_title=f"Cari episode — {settings.show.title}",
        og_title=f"Cari episode — {settings.show.title}",
        nav="search",
    )
    return render(env, "search.html", context)


def build_search_page(site_dir: Path, settings: Settings, pagefind: Pagefind | None = None) -> None:
    """Write ``search/index.html`` and ``search/search.js`` into ``site_dir`` and index its episode pages
    with Pagefind (Indonesian stemming) into ``search/pagefind/``. A site without episodes gets the page only;
    it says so when someone searches."""
    page = site_dir / urls.search_page_rel()
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_search_page(settings), encoding="utf-8")
    (page.parent / "search.js").write_bytes(files("cerdas.feed").joinpath("data/search.js").read_bytes())
    pages = sorted(site_dir.glob(EPISODE_PAGES))
    if not pages:
        return
    language = settings.show.language.split("-")[0].lower()
    pagefind = pagefind or Pagefind()
    digest = _digest(site_dir, pages, language, pagefind.binary)
    # A rebuild that changed no episode page (a scheduled 'cerdas feed' from cron, say) keeps the index it has:
    # Pagefind takes seconds per hundred hour-long episodes.
    published = Workspace(settings.root).feed_dir / BUNDLE_DIR
    with contextlib.suppress(OSError):
        if (published / DIGEST_FILE).read_text(encoding="ascii") == digest:
            shutil.copytree(published, site_dir / BUNDLE_DIR)
            return
    pagefind.index(site_dir, EPISODE_PAGES, BUNDLE_DIR, language)
    (site_dir / BUNDLE_DIR / DIGEST_FILE).write_text(digest, encoding="ascii")


def _digest(site_dir: Path, pages: list[Path], language: str, binary: Path) -> str:
    """What the Pagefind index depends on: every episode page, the language and the Pagefind binary."""
    h = hashlib.sha256(f"{language}\0{binary}\0{binary.stat().st_size}\0".encode())
    for page in pages:
        h.update(page.relative_to(site_dir).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(page.read_bytes()).digest())
    return h.hexdigest()

"""The evidence pack (``cerdas report --evidence``): one ZIP an evaluator can take as proof of the activity.

Inside: the report in every format written, a full-page screenshot of each episode published in the period
(taken in headless Chromium from the site as built in ``feed/``, served on this machine), the feed as published,
each of those episodes' transcript, and a manifest (``manifest.csv`` and ``manifest.json``: file, sha256,
public URL, publication date).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cerdas import urls
from cerdas.errors import CerdasError
from cerdas.feed.serve import serving
from cerdas.fsutil import atomic_path
from cerdas.reports.browser import Browser
from cerdas.reports.model import Report
from cerdas.settings import Settings
from cerdas.workspace import Workspace


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    sha256: str
    url: str
    published: str
    description: str


def _entry(name: str, data: bytes, url: str, published: str, description: str) -> ManifestEntry:
    return ManifestEntry(name, hashlib.sha256(data).hexdigest(), url, published, description)


def _manifest_csv(entries: list[ManifestEntry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["file", "sha256", "url", "published", "description"])
    for e in entries:
        writer.writerow([e.file, e.sha256, e.url, e.published, e.description])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read it as UTF-8


def check_site(ws: Workspace, report: Report) -> None:
    """Every episode published in the period has its page in ``feed/`` (else: run ``cerdas feed`` first)."""
    for row in report.published:
        page = ws.feed_dir / urls.episode_page_rel(row.slug)
        if not page.is_file():
            raise CerdasError(f"the site has no page for {row.slug!r} to photograph; run 'cerdas feed' first", page)


def _screenshots(
    ws: Workspace, report: Report, chrome: Browser, folder: Path
) -> list[tuple[str, bytes, str, str, str]]:
    shots: list[tuple[str, bytes, str, str, str]] = []
    if not report.published:
        return shots
    check_site(ws, report)
    with serving(ws.feed_dir) as base:
        for row in report.published:
            target = folder / f"{row.slug}.png"
            chrome.screenshot(base + f"episodes/{row.slug}/", target)
            shots.append(
                (
                    f"screenshots/{row.slug}.png",
                    target.read_bytes(),
                    row.page_url,
                    row.published.isoformat(),
                    f"episode page: {row.title}",
                )
            )
    return shots


def write_evidence(
    ws: Workspace, settings: Settings, report: Report, files: list[Path], chrome: Browser, target: Path
) -> Path:
    """Build the ZIP at ``target`` (atomically) from the report ``files`` already written."""
    items: list[tuple[str, bytes, str, str, str]] = [
        (f"report/{path.name}", path.read_bytes(), "", report.generated.isoformat(), "report") for path in files
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".evidence-", dir=target.parent) as folder:
        items += _screenshots(ws, report, chrome, Path(folder))
    feed = ws.feed_dir / urls.feed_rel()
    if feed.is_file():
        built = datetime.fromtimestamp(feed.stat().st_mtime, UTC).replace(microsecond=0).isoformat()
        items.append(("feed/feed.xml", feed.read_bytes(), urls.feed_url(settings), built, "RSS feed as published"))
    for row in report.published:
        vtt = ws.transcript(row.slug, "vtt")
        if vtt.is_file():
            items.append(
                (
                    f"transcripts/{row.slug}.vtt",
                    vtt.read_bytes(),
                    urls.transcript_url(settings, row.slug, "vtt"),
                    row.published.isoformat(),
                    f"transcript: {row.title}",
                )
            )
    entries = [_entry(name, data, url, when, what) for name, data, url, when, what in items]
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, *_ in items:
            zf.writestr(name, data)
        zf.writestr("manifest.csv", _manifest_csv(entries))
        zf.writestr("manifest.json", json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2))
    return target

"""``cerdas stats import LOG...``: read access logs into ``stats.sqlite3``, by the rules of :mod:`cerdas.stats.iab`.

Every file is opened and its format told before anything is counted (a missing file or an unknown format stops
the import with nothing written). Several files are read together in time order, so ``access.log*`` may be
given in any order. The whole import is one transaction.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from urllib.parse import urlparse

from cerdas.errors import CerdasError
from cerdas.report import Reporter
from cerdas.settings import Settings
from cerdas.stats import store
from cerdas.stats.agent_lists import stored_lists
from cerdas.stats.agents import Classifier
from cerdas.stats.iab import Counting, Tally
from cerdas.stats.logfiles import LedgerEntry, LogReader
from cerdas.stats.logformat import PARSERS, Parser, Paths, Request, UnparseableLine, detect
from cerdas.stats.targets import episode_targets
from cerdas.workspace import Workspace

FORMATS = ("auto", "combined", "caddy")


@dataclass
class FileSummary:
    """What one log held."""

    name: str
    format: str
    lines: int = 0
    already_imported: int = 0
    unparseable: int = 0
    first_unparseable: str = ""
    partial_last_line: bool = False


@dataclass
class ImportSummary:
    """What an import read, counted and left out."""

    files: list[FileSummary] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    agent_sources: list[str] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.files)

    @property
    def unparseable(self) -> int:
        return sum(f.unparseable for f in self.files)

    @property
    def first_unparseable(self) -> str:
        return next((f.first_unparseable for f in self.files if f.first_unparseable), "")

    def as_dict(self) -> dict[str, object]:
        """For ``--json``."""
        t = self.tally
        return {
            "files": [f.__dict__ for f in self.files],
            "lines": self.lines,
            "unparseable": self.unparseable,
            "first_unparseable": self.first_unparseable,
            "requests": t.requests,
            "downloads": sum(t.downloads.values()),
            "page_views": sum(t.page_views.values()),
            "visitors": sum(t.visitors.values()),
            "duplicates": t.duplicates,
            "too_old": t.too_old,
            "bots": t.bots,
            "probes": t.probes,
            "not_counted": t.not_counted,
            "unknown_files": t.unknown_files,
            "agent_sources": self.agent_sources,
        }


@dataclass
class _Source:
    reader: LogReader
    parser: Parser
    summary: FileSummary

    def requests(self, known: LedgerEntry | None) -> Iterator[tuple[float, Request, bytes]]:
        summary, parse = self.summary, self.parser.parse
        for number, line in enumerate(self.reader.lines(known), start=self.reader.skipped_lines + 1):
            try:
                req = parse(line)
            except UnparseableLine as exc:
                summary.unparseable += 1
                if not summary.first_unparseable:
                    text = line.decode("utf-8", "replace").rstrip()[:120]
                    summary.first_unparseable = f"{summary.name}:{number}: {text} ({exc})"
                continue
            if req is not None:
                yield req.ts, req, line
        summary.lines = self.reader.lines_read
        summary.already_imported = self.reader.skipped_lines
        summary.partial_last_line = self.reader.partial


def _open_sources(paths: Sequence[Path], fmt: str, site: Paths) -> list[_Source]:
    if fmt not in FORMATS:
        raise CerdasError(f"unknown log format {fmt!r} (one of {', '.join(FORMATS)})")
    sources = []
    for path in paths:
        reader = LogReader.open(path)
        name = detect(reader.sample(), path) if fmt == "auto" else fmt
        sources.append(_Source(reader, PARSERS[name](site), FileSummary(path.name, name)))
    return sources


def import_logs(
    ws: Workspace,
    settings: Settings,
    paths: Sequence[Path],
    reporter: Reporter,
    fmt: str = "auto",
    now: float | None = None,
) -> ImportSummary:
    """Import the logs; returns what was counted. Nothing is written when any file is refused."""
    if not paths:
        raise CerdasError("no log files given")
    site = Paths(urlparse(settings.base_url).path)
    sources = _open_sources(paths, fmt, site)
    targets = episode_targets(ws)
    if not targets:
        reporter.warn("no episode has published audio yet: only page views and visitors can be counted")
    summary = ImportSummary(files=[s.summary for s in sources])
    with store.connect(ws.stats_path, write=True) as db:
        known = store.ledger(db)
        state = store.load_state(db)
        classifier = Classifier(stored_lists(db))
        summary.agent_sources = classifier.sources
        counting = Counting(state, targets, classifier, settings.timezone, site.audio, site.episodes, site.base)
        streams = [s.requests(known.get(s.reader.head)) for s in sources]
        merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=itemgetter(0))
        add = counting.add
        for _ts, req, line in merged:
            add(req, line)
        counting.finish(time.time() if now is None else now)
        store.save_state(db, state)
        store.add_tally(db, counting.tally)
        stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
        for source in sources:
            if source.reader.head:
                entry = source.reader.entry()
                store.record_import(db, entry, source.summary.name, source.parser.name, source.summary.lines, stamp)
    summary.tally = counting.tally
    return summary

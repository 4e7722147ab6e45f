"""The workspace's index: build it, keep it current, search it."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from cerdas.episode import Episode, episode_slugs, list_episodes, load_episode
from cerdas.errors import CerdasError, WorkspaceError
from cerdas.fsutil import atomic_path, fingerprint
from cerdas.report import NullReporter, Reporter
from cerdas.search.entries import episode_entry, episode_inputs, signature
from cerdas.search.index import IndexReport, Prepared, SearchIndex, SearchResult, speaker_matches
from cerdas.search.query import parse_query
from cerdas.settings import Settings
from cerdas.workspace import Workspace


def rebuild_index(ws: Workspace, reporter: Reporter | None = None) -> IndexReport:
    """Index every episode into a new file and rename it over ``search.sqlite3`` (the old one stays usable
    until then). Stems known to the old index are reused."""
    reporter = reporter or NullReporter()
    check_index_path(ws)
    broken: dict[str, CerdasError] = {}
    episodes = list_episodes(ws, broken=broken)
    for error in broken.values():
        reporter.warn(f"not indexed: {error}")
    with contextlib.suppress(CerdasError), SearchIndex(ws.index_path, readonly=True) as old:
        old.load_vocab()
    report = IndexReport(rebuilt=True)
    with atomic_path(ws.index_path) as tmp:
        tmp.unlink()  # an empty file is not an SQLite database; let SQLite create it
        with SearchIndex(tmp, fast_writes=True) as index:
            index.bulk(True)
            for prepared in _read_ahead(ws, index, episodes):
                index.put(prepared)
                report.add(prepared.entry)
            index.bulk(False)
    reporter.info(f"search index built: {len(report.indexed)} episodes, {report.segments} transcript segments")
    return report


def check_index_path(ws: Workspace) -> None:
    """``search.sqlite3`` must be a file where it exists (a folder of that name would stop every search)."""
    path = ws.index_path
    if (path.exists() or path.is_symlink()) and not path.is_file():
        raise CerdasError("is not a file; move it away so that the search index can be built there", path)


def _read_ahead(ws: Workspace, index: SearchIndex, episodes: Sequence[Episode]) -> Iterator[Prepared]:
    """The episodes read and stemmed by a worker thread, a few ahead of the caller, who writes them: SQLite
    releases the GIL while FTS5 tokenizes, so on two cores reading and writing overlap (a third faster)."""
    ahead: queue.Queue[Prepared | BaseException | None] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def offer(item: Prepared | BaseException | None) -> None:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                ahead.put(item, timeout=0.1)
                return

    def work() -> None:
        try:
            for episode in episodes:
                if stop.is_set():
                    return
                offer(index.prepare(episode_entry(ws, episode)))
        except BaseException as exc:  # handed to the caller, who raises it
            offer(exc)
            return
        offer(None)

    worker = threading.Thread(target=work, name="cerdas-index-reader", daemon=True)
    worker.start()
    try:
        while (item := ahead.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def update_index(
    ws: Workspace, episodes: Sequence[Episode] | None = None, reporter: Reporter | None = None
) -> IndexReport:
    """Bring the index up to date: the given episodes (default: every episode whose files changed), dropping
    episodes that no longer exist. A missing, damaged or outdated index is rebuilt from scratch."""
    if not ws.index_path.exists():
        return rebuild_index(ws, reporter)
    check_index_path(ws)
    try:
        index = SearchIndex(ws.index_path)
    except CerdasError as exc:
        (reporter or NullReporter()).warn(f"{exc}; rebuilding it")
        return rebuild_index(ws, reporter)
    report = IndexReport()
    with index:
        index.load_vocab()
        stored = index.entries()
        on_disk = set(episode_slugs(ws))
        for slug in sorted(set(stored) - on_disk):
            index.remove(slug)
            report.removed.append(slug)
        if episodes is None:
            todo: list[Episode] = []
            for slug in sorted(on_disk):
                if slug in stored and stored[slug][1] == signature(ws, slug):
                    report.unchanged += 1
                    continue
                try:
                    todo.append(load_episode(ws, slug))
                except CerdasError as exc:  # one unreadable journal does not stop the others' search
                    (reporter or NullReporter()).warn(f"not indexed: {exc}")
        else:
            todo = list(episodes)
        for episode in todo:
            on_disk_now = signature(ws, episode.slug)
            inputs = episode_inputs(ws, episode)
            known = stored.get(episode.slug)
            if known is not None and known[0] == fingerprint(inputs):
                if known[1] != on_disk_now:
                    index.touch(episode.slug, on_disk_now)
                report.unchanged += 1
                continue
            entry = episode_entry(ws, episode, inputs)
            index.put(entry)
            report.add(entry)
    return report


def refresh_index(ws: Workspace, reporter: Reporter | None = None) -> IndexReport | None:
    """Before a search: update the index if episodes changed since, unless another command holds the
    workspace (then the index is searched as it is and None is returned)."""
    try:
        with ws.lock():
            return update_index(ws, reporter=reporter)
    except WorkspaceError:
        if not ws.index_path.exists():
            raise
        return None


def search(
    ws: Workspace,
    settings: Settings,
    query: str,
    *,
    episode: str | None = None,
    limit: int = 20,
    per_episode: int = 5,
    speaker: str | None = None,
) -> SearchResult:
    """Search the workspace's index (see :meth:`SearchIndex.search`); ``speaker`` names no speaker the index
    knows: a :class:`CerdasError` that lists those it knows."""
    parsed = parse_query(query)
    if episode is not None and not ws.episode_file(episode).is_file():
        raise CerdasError(f"no episode {episode!r} (see 'cerdas episodes')")
    check_index_path(ws)
    if not ws.index_path.exists():
        raise CerdasError("no search index yet; run 'cerdas index'", ws.index_path)
    with SearchIndex(ws.index_path, readonly=True) as index:
        if speaker is not None:
            known = index.speakers()
            if not any(speaker_matches(name, speaker) for name in known):
                listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "") if known else "none yet"
                raise CerdasError(f"no speaker called {speaker!r} in any transcript (speakers: {listed})")
        return index.search(parsed, settings, episode=episode, limit=limit, per_episode=per_episode, speaker=speaker)


def index_size(path: Path) -> int:
    """Bytes on disk of the index file."""
    return os.path.getsize(path) if path.exists() else 0

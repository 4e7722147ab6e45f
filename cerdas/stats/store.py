"""``stats.sqlite3``: counts per day, the import ledger, the open 24-hour state, agent lists, YouTube snapshots.

One file in the workspace (:attr:`cerdas.workspace.Workspace.stats_path`). An import is one transaction (a crash
or an error leaves the file as it was); ``secure_delete`` overwrites the hashes it deletes instead of leaving
them in free pages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cerdas.errors import CerdasError
from cerdas.stats.iab import OpenState, Tally, Window
from cerdas.stats.logfiles import LedgerEntry

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    head BLOB PRIMARY KEY, done INTEGER NOT NULL, digest BLOB NOT NULL,
    name TEXT NOT NULL, format TEXT NOT NULL, lines INTEGER NOT NULL, imported TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS downloads (
    day TEXT NOT NULL, episode TEXT NOT NULL, kind TEXT NOT NULL, agent TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (day, episode, kind, agent));
CREATE TABLE IF NOT EXISTS page_views (
    day TEXT NOT NULL, episode TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (day, episode));
CREATE TABLE IF NOT EXISTS visitors (day TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS salts (name TEXT PRIMARY KEY, salt BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS windows (
    listener BLOB NOT NULL, episode TEXT NOT NULL, start REAL NOT NULL, audio INTEGER NOT NULL,
    tag_left INTEGER NOT NULL, counted INTEGER NOT NULL, PRIMARY KEY (listener, episode));
CREATE TABLE IF NOT EXISTS seen (fingerprint BLOB PRIMARY KEY, day TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS open_visitors (day TEXT NOT NULL, visitor BLOB NOT NULL, PRIMARY KEY (day, visitor));
CREATE TABLE IF NOT EXISTS agent_lists (
    kind TEXT PRIMARY KEY, source TEXT NOT NULL, imported TEXT NOT NULL, dated TEXT NOT NULL, entries TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS youtube_stats (
    fetched TEXT NOT NULL, video_id TEXT NOT NULL, views INTEGER NOT NULL, likes INTEGER, comments INTEGER,
    PRIMARY KEY (fetched, video_id));
CREATE TABLE IF NOT EXISTS youtube_analytics (
    fetched TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL, video_id TEXT NOT NULL, views INTEGER NOT NULL,
    minutes REAL NOT NULL, average_seconds REAL NOT NULL, PRIMARY KEY (start, end, video_id));
"""
SCHEMA_VERSION = "1"


@contextmanager
def connect(path: Path, write: bool = False) -> Iterator[sqlite3.Connection]:
    """The database (created when ``write``); with ``write`` one immediate transaction, committed at the end."""
    if not write and not path.exists():  # nothing imported yet: an empty database
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.executescript(SCHEMA)
    else:
        try:
            db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
            db.execute("PRAGMA secure_delete = ON")
            if write:
                db.executescript(SCHEMA)  # before the transaction: executescript commits a pending one
                db.execute("BEGIN IMMEDIATE")
            version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if version is None and write:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif version is not None and version[0] != SCHEMA_VERSION:
                raise CerdasError(f"written by another Cerdas (schema {version[0]}); update Cerdas", path)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise CerdasError("another cerdas stats command is writing; try again when it is done", path) from None
            raise CerdasError(f"cannot open the statistics database ({exc})", path) from None
        except sqlite3.DatabaseError as exc:
            raise CerdasError(f"the statistics database is damaged ({exc})", path) from None
    try:
        yield db
        if write:
            db.execute("COMMIT")
    except BaseException:
        if write and db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.close()


# -- the import ledger ------------------------------------------------------------------------------------------
def ledger(db: sqlite3.Connection) -> dict[bytes, LedgerEntry]:
    return {
        bytes(h): LedgerEntry(bytes(h), d, bytes(g)) for h, d, g in db.execute("SELECT head, done, digest FROM imports")
    }


def record_import(db: sqlite3.Connection, entry: LedgerEntry, name: str, fmt: str, lines: int, when: str) -> None:
    db.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (head) DO UPDATE SET done = excluded.done, "
        "digest = excluded.digest, name = excluded.name, lines = imports.lines + excluded.lines, "
        "imported = excluded.imported",
        (entry.head, entry.done, entry.digest, name, fmt, lines, when),
    )


# -- the open state -------------------------------------------------------------------------------------------
def load_state(db: sqlite3.Connection) -> OpenState:
    meta = dict(db.execute("SELECT key, value FROM meta"))
    state = OpenState(newest=float(meta.get("newest", 0)), closed_before=float(meta.get("closed_before", 0)))
    state.salts = {name: bytes(salt) for name, salt in db.execute("SELECT name, salt FROM salts")}
    state.windows = {
        (bytes(listener), episode): Window(start, audio, tag_left, bool(counted))
        for listener, episode, start, audio, tag_left, counted in db.execute("SELECT * FROM windows")
    }
    state.seen = {bytes(fp): day for fp, day in db.execute("SELECT fingerprint, day FROM seen")}
    for day, visitor in db.execute("SELECT day, visitor FROM open_visitors"):
        state.visitors.setdefault(day, set()).add(bytes(visitor))
    return state


def save_state(db: sqlite3.Connection, state: OpenState) -> None:
    """Replace the open state (deleted rows are overwritten: ``secure_delete``)."""
    for table in ("salts", "windows", "seen", "open_visitors"):
        db.execute(f"DELETE FROM {table}")
    db.executemany("INSERT INTO salts VALUES (?, ?)", state.salts.items())
    db.executemany(
        "INSERT INTO windows VALUES (?, ?, ?, ?, ?, ?)",
        ((k[0], k[1], w.start, w.audio, w.tag_left, int(w.counted)) for k, w in state.windows.items()),
    )
    db.executemany("INSERT INTO seen VALUES (?, ?)", state.seen.items())
    db.executemany(
        "INSERT INTO open_visitors VALUES (?, ?)", ((day, v) for day, vs in state.visitors.items() for v in vs)
    )
    for key in ("newest", "closed_before"):
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, repr(getattr(state, key))))


def add_tally(db: sqlite3.Connection, tally: Tally) -> None:
    """Add one import's counts to the daily tables."""
    db.executemany(
        "INSERT INTO downloads VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count",
        ((day, slug, kind, name, n) for (day, slug, kind, name), n in tally.downloads.items()),
    )
    db.executemany(
        "INSERT INTO page_views VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count",
        ((day, slug, n) for (day, slug), n in tally.page_views.items()),
    )
    db.executemany(
        "INSERT INTO visitors VALUES (?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count",
        tally.visitors.items(),
    )

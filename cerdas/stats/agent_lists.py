"""OPAWG user-agents-v2 lists the office imports (``cerdas stats agents import FILE...``), kept in
``stats.sqlite3`` with their dates and consulted before Cerdas's own rules.

The files are OPAWG's "runtime" builds (``apps.runtime.json``, ``bots.runtime.json``, ``browsers.runtime.json``,
``libraries.runtime.json``...): ``{"entries": [{"name": ..., "pattern": "<regex>", "category": ...}]}``. The kind
is the file name's first part, or given. Every pattern must compile; a bad one is refused with its entry named,
and nothing is stored.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from cerdas.errors import CerdasError
from cerdas.fsutil import read_text
from cerdas.stats.agents import LIST_KINDS, AgentList, ListEntry

MAX_LIST_BYTES = 20 * 1024 * 1024  # OPAWG's largest list is well under 1 MB


def kind_of(path: Path, kind: str | None = None) -> str:
    """The list's kind: ``kind`` if given, else the file name up to its first dot (``bots.runtime.json``)."""
    name = (kind or path.name.split(".", 1)[0]).lower()
    if name not in LIST_KINDS:
        raise CerdasError(
            f"cannot tell which OPAWG list this is from its name (expected one of {', '.join(LIST_KINDS)}; "
            "rename it, e.g. bots.runtime.json, or pass --kind)",
            path,
        )
    return name


def read_list(path: Path, kind: str | None = None, now: datetime | None = None) -> AgentList:
    """Read and check one OPAWG runtime file; :class:`CerdasError` names the file and the entry at fault."""
    chosen = kind_of(path, kind)
    text = read_text(path, MAX_LIST_BYTES, "OPAWG list")  # a regular file of sane size (not a pipe, not a folder)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CerdasError(f"not JSON (line {exc.lineno}: {exc.msg})", path) from None
    raw_entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw_entries, list):
        raise CerdasError('not an OPAWG runtime file: expected {"entries": [...]}', path)
    entries = []
    for number, raw in enumerate(raw_entries, start=1):
        entries.append(_entry(raw, number, path))
    dated = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    imported = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    return AgentList(chosen, path.name, imported, dated, tuple(entries))


def _entry(raw: object, number: int, path: Path) -> ListEntry:
    where = f"entry {number}"
    if not isinstance(raw, dict):
        raise CerdasError(f"{where} is not an object", path)
    name, pattern, category = raw.get("name"), raw.get("pattern"), raw.get("category", "")
    if isinstance(name, str) and name:
        where = f"entry {number} ({name!r})"
    if not isinstance(name, str) or not name.strip():
        raise CerdasError(f"{where} has no name", path)
    if not isinstance(pattern, str) or not pattern:
        raise CerdasError(f"{where} has no pattern", path)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise CerdasError(f"{where}: the pattern {pattern[:60]!r} is not a regular expression ({exc})", path) from None
    if not isinstance(category, str):
        raise CerdasError(f"{where}: category must be text", path)
    return ListEntry(name.strip(), pattern, category)


def store_lists(db: sqlite3.Connection, lists: list[AgentList]) -> None:
    """Replace the stored list of each kind given."""
    db.executemany(
        "INSERT OR REPLACE INTO agent_lists VALUES (?, ?, ?, ?, ?)",
        (
            (a.kind, a.source, a.imported, a.dated, json.dumps([e.__dict__ for e in a.entries], ensure_ascii=False))
            for a in lists
        ),
    )


def stored_lists(db: sqlite3.Connection) -> list[AgentList]:
    """The imported lists, as stored."""
    out = []
    for kind, source, imported, dated, entries in db.execute("SELECT * FROM agent_lists ORDER BY kind"):
        items = tuple(ListEntry(e["name"], e["pattern"], e.get("category", "")) for e in json.loads(entries))
        out.append(AgentList(kind, source, imported, dated, items))
    return out


def forget_lists(db: sqlite3.Connection, kinds: list[str]) -> int:
    """Drop imported lists (all when ``kinds`` is empty): Cerdas's own rules apply again."""
    if not kinds:
        return db.execute("DELETE FROM agent_lists").rowcount
    return sum(db.execute("DELETE FROM agent_lists WHERE kind = ?", (k,)).rowcount for k in kinds)

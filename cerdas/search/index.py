"""The index file (``search.sqlite3``): schema, writing an episode's passages, and the two-level search.

Two levels (see :class:`SearchIndex`): the episodes are ranked by bm25 over each episode's whole text, then the
best passages are found inside each episode shown. The FTS5 table has two columns: ``body``, the text as spoken
(``unicode61 remove_diacritics 2``: case- and diacritic-insensitive), and ``stems``, the Sastrawi stem of each
word whose stem is not the word itself (see :mod:`cerdas.search.text` and :mod:`cerdas.search.query`).
"""

from __future__ import annotations

import itertools
import math
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cerdas.errors import CerdasError
from cerdas.search.entries import INDEX_VERSION, EpisodeEntry
from cerdas.search.query import Query, QueryError, highlight_spans, parse_query
from cerdas.search.text import stemmer, words
from cerdas.settings import Settings
from cerdas.urls import episode_page_url, youtube_watch_url

_SCHEMA = f"""
PRAGMA user_version = {INDEX_VERSION};
CREATE TABLE episodes (
    id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL, number INTEGER, pub_date TEXT,
    draft INTEGER NOT NULL, video_id TEXT NOT NULL, fingerprint TEXT NOT NULL, signature TEXT NOT NULL,
    first_doc INTEGER NOT NULL, last_doc INTEGER NOT NULL
);
CREATE TABLE docs (  -- an episode's passages have the ids episodes.first_doc to last_doc
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, start REAL, "end" REAL,
    speaker TEXT NOT NULL, body TEXT NOT NULL, stems TEXT NOT NULL
);
CREATE VIRTUAL TABLE fts USING fts5(
    body, stems, content='docs', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN
    INSERT INTO fts(rowid, body, stems) VALUES (new.id, new.body, new.stems);
END;
CREATE TRIGGER docs_ad AFTER DELETE ON docs BEGIN
    INSERT INTO fts(fts, rowid, body, stems) VALUES ('delete', old.id, old.body, old.stems);
END;
CREATE VIRTUAL TABLE episode_fts USING fts5(
    body, stems, content='', tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO episode_fts(episode_fts, rank) VALUES ('rank', 'bm25(1.0, 0.8)');
CREATE TABLE vocab (word TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID;  -- stem '': the word itself
"""


@dataclass(frozen=True)
class Hit:
    """One place a query matched. ``start`` is None for a match in the title or description."""

    slug: str
    kind: str
    start: float | None
    end: float | None
    speaker: str
    text: str
    spans: tuple[tuple[int, int], ...]
    before: str = ""
    after: str = ""
    page_url: str = ""
    youtube_url: str | None = None
    before_speaker: str = ""  # who said ``before`` / ``after`` (it may be another voice than the hit's)
    after_speaker: str = ""


@dataclass
class EpisodeHits:
    """The best hits of one episode and how many places in it match in all. ``partial``: the words all occur
    in the episode but no single passage holds them all, so the hits hold some of them."""

    slug: str
    title: str
    number: int | None
    draft: bool
    score: float
    matches: int
    partial: bool = False
    hits: list[Hit] = field(default_factory=list)


@dataclass
class SearchResult:
    """Episodes best first, each with its best hits. ``notice`` explains a relaxed query."""

    query: Query
    episodes: list[EpisodeHits]
    notice: str = ""

    @property
    def hits(self) -> list[Hit]:
        return [h for e in self.episodes for h in e.hits]


@dataclass
class IndexReport:
    """What an index update did."""

    indexed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    segments: int = 0
    rebuilt: bool = False

    def add(self, entry: EpisodeEntry) -> None:
        self.indexed.append(entry.slug)
        self.segments += sum(1 for d in entry.documents if d.kind == "segment")


@dataclass(frozen=True)
class Prepared:
    """An episode ready to be written: its rows (kind, start, end, speaker, body, stems), new stems."""

    entry: EpisodeEntry
    rows: list[tuple[str, float | None, float | None, str, str, str]]
    new_words: list[tuple[str, str]]


@dataclass(frozen=True)
class _Indexed:
    id: int
    slug: str
    title: str
    number: int | None
    draft: bool
    video_id: str
    first_doc: int
    last_doc: int


_EPISODE_COLUMNS = "e.id, e.slug, e.title, e.number, e.draft, e.video_id, e.first_doc, e.last_doc"


class SearchIndex:
    """An open index file (a context manager). Each episode is written in one transaction.

    Two levels: ``episode_fts`` holds each episode's whole text and ranks episodes (bm25: one that discusses
    the subject at length outranks one that mentions it in passing); ``fts`` holds each passage (title,
    description, chapter, transcript segment) and finds the moments inside the episodes shown. An episode's
    passages have consecutive row ids, so "inside this episode" is a rowid range, which FTS5 seeks directly.
    bm25 is kept to the episode level on purpose: it counts every match of a word in the whole table in each
    statement, which for a common word in a large archive costs more than the rest of a search together.
    """

    def __init__(self, path: Path, *, readonly: bool = False, fast_writes: bool = False) -> None:
        self.path = path
        try:
            if readonly:
                self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            else:
                self.db = sqlite3.connect(path)
            if fast_writes:  # a fresh file that is renamed into place only when complete
                self.db.execute("PRAGMA journal_mode = OFF")
                self.db.execute("PRAGMA synchronous = OFF")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and not readonly and not self.db.execute("SELECT 1 FROM sqlite_master").fetchone():
                self.db.executescript(_SCHEMA)
            elif version != INDEX_VERSION:
                raise CerdasError(
                    f"search index is of version {version}, not {INDEX_VERSION}; run 'cerdas index --rebuild'", path
                )
        except sqlite3.DatabaseError as exc:
            raise CerdasError(f"search index is unreadable ({exc}); run 'cerdas index --rebuild'", path) from exc
        self.stemmer = stemmer()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------------------------

    def load_vocab(self) -> None:
        """Prime the stemmer's cache with the stems this index already knows (saves Sastrawi's time)."""
        table = self.stemmer.table
        for word, stem in self.db.execute("SELECT word, stem FROM vocab"):
            table.setdefault(word, stem)

    def entries(self) -> dict[str, tuple[str, str]]:
        """``slug → (fingerprint, signature)`` of every indexed episode."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT slug, fingerprint, signature FROM episodes")}

    def prepare(self, entry: EpisodeEntry) -> Prepared:
        """The rows of an episode with their stems: the Python side of :meth:`put`, no database work."""
        stems_of = self.stemmer.stems_of
        rows = [(d.kind, d.start, d.end, d.speaker, d.text, stems_of(d.text)) for d in entry.documents]
        new_words, self.stemmer.table.new = self.stemmer.table.new, []
        return Prepared(entry, rows, new_words)

    def put(self, entry: EpisodeEntry | Prepared) -> None:
        """Replace everything indexed for the episode (one transaction)."""
        prepared = entry if isinstance(entry, Prepared) else self.prepare(entry)
        entry, rows = prepared.entry, prepared.rows
        with self.db:
            self._delete(entry.slug)
            first = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM docs").fetchone()[0]
            cursor = self.db.execute(
                "INSERT INTO episodes (slug, title, number, pub_date, draft, video_id, fingerprint, signature, "
                "first_doc, last_doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.slug,
                    entry.title,
                    entry.number,
                    entry.pub_date,
                    int(entry.draft),
                    entry.video_id,
                    entry.fingerprint,
                    entry.signature,
                    first,
                    first + len(rows) - 1,
                ),
            )
            self.db.executemany(
                'INSERT INTO docs (id, kind, start, "end", speaker, body, stems) VALUES (?, ?, ?, ?, ?, ?, ?)',
                [(first + i, *row) for i, row in enumerate(rows)],
            )
            self.db.execute(
                "INSERT INTO episode_fts (rowid, body, stems) VALUES (?, ?, ?)",
                (cursor.lastrowid, *_joined([(r[4], r[5]) for r in rows])),
            )
            self.db.executemany("INSERT OR IGNORE INTO vocab VALUES (?, ?)", prepared.new_words)

    def _delete(self, slug: str) -> None:
        found = self.db.execute("SELECT id, first_doc, last_doc FROM episodes WHERE slug = ?", (slug,)).fetchone()
        if found is None:
            return
        episode_id, first, last = found
        # episode_fts keeps no copy of its text: removing a row takes the exact text that was indexed.
        texts = self.db.execute(
            "SELECT body, stems FROM docs WHERE id BETWEEN ? AND ? ORDER BY id", (first, last)
        ).fetchall()
        self.db.execute(
            "INSERT INTO episode_fts (episode_fts, rowid, body, stems) VALUES ('delete', ?, ?, ?)",
            (episode_id, *_joined(texts)),
        )
        self.db.execute("DELETE FROM docs WHERE id BETWEEN ? AND ?", (first, last))
        self.db.execute("DELETE FROM episodes WHERE id = ?", (episode_id,))

    def touch(self, slug: str, signature: str) -> None:
        """Record that an episode's files changed on disk but not in what the index holds."""
        with self.db:
            self.db.execute("UPDATE episodes SET signature = ? WHERE slug = ?", (signature, slug))

    def remove(self, slug: str) -> None:
        """Drop an episode from the index."""
        with self.db:
            self._delete(slug)

    def bulk(self, start: bool) -> None:
        """Around a bulk build: no merging while writing, then one merge into a single b-tree (faster queries,
        smaller file) and FTS5's usual incremental merging again for later updates."""
        with self.db:
            for table in ("fts", "episode_fts"):
                if start:
                    self.db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 0)")
                else:
                    self.db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
                    self.db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 4)")

    def check(self) -> None:
        """FTS5's own consistency check of both tables (raises :class:`CerdasError` on damage)."""
        try:
            self.db.execute("INSERT INTO fts (fts) VALUES ('integrity-check')")
            self.db.execute("INSERT INTO episode_fts (episode_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            raise CerdasError(f"search index is damaged ({exc}); run 'cerdas index --rebuild'", self.path) from exc

    # -- reading ----------------------------------------------------------------------------------------------

    def search(
        self,
        query: str | Query,
        settings: Settings,
        *,
        episode: str | None = None,
        limit: int = 20,
        per_episode: int = 5,
        speaker: str | None = None,
    ) -> SearchResult:
        """Episodes ranked by relevance, each with its best hits (at most ``per_episode`` each, ``limit`` in
        all; with ``episode``, up to ``limit`` from that one), with the page and YouTube links at each moment.
        With ``speaker``, only what that speaker said (:func:`speaker_matches`)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        if limit < 1 or per_episode < 1:
            raise QueryError("the number of hits must be at least 1")
        notice = ""
        if episode is not None:
            ranked: Iterable[tuple[_Indexed, float]] = [
                (_Indexed(*r), 0.0)
                for r in self.db.execute(f"SELECT {_EPISODE_COLUMNS} FROM episodes e WHERE e.slug = ?", (episode,))
            ]
            per = limit
        else:
            matching = self._ranked(parsed.fts(excluded=False))
            first = next(matching, None)
            if first is None and len(parsed.groups) > 1:
                notice = "no episode holds all the words; showing episodes that hold some of them"
                ranked = self._ranked(parsed.fts(any_group=True, excluded=False))
            else:
                ranked = itertools.chain([first] if first else [], matching)
            per = per_episode
        weights = self._weights(parsed)
        out: list[EpisodeHits] = []
        budget = limit
        for ep, score in ranked:
            if budget <= 0:
                break
            found = self._moments(ep, parsed, weights, min(per, budget), settings, speaker)
            if found is not None:
                found.score = score
                out.append(found)
                budget -= len(found.hits)
        return SearchResult(parsed, out, notice if out else "")

    def speakers(self) -> list[str]:
        """Every speaker the transcripts name, sorted."""
        rows = self.db.execute("SELECT DISTINCT speaker FROM docs WHERE kind = 'segment' AND speaker != ''")
        return sorted(r[0] for r in rows)

    def _ranked(self, fts: str) -> Iterator[tuple[_Indexed, float]]:
        """Matching episodes, best first (read lazily: a search stops once it has enough hits)."""
        sql = (
            f"SELECT {_EPISODE_COLUMNS}, -m.rank FROM (SELECT rowid, rank FROM episode_fts "
            "WHERE episode_fts MATCH ? ORDER BY rank) m JOIN episodes e ON e.id = m.rowid"
        )
        for row in self._run(sql, (fts,)):
            yield _Indexed(*row[:-1]), row[-1]

    def _weights(self, query: Query) -> list[float]:
        """Per group, how telling a match is: rarer words weigh more (idf over episodes)."""
        if len(query.groups) == 1:
            return [1.0]
        total = self.db.execute("SELECT count(*) FROM episodes").fetchone()[0]
        weights = []
        for i in range(len(query.groups)):
            having = self._run(
                "SELECT count(*) FROM episode_fts WHERE episode_fts MATCH ?", (query.group_fts(i, excluded=False),)
            ).fetchone()[0]
            weights.append(math.log(1 + (total - having + 0.5) / (having + 0.5)))
        return weights

    def _moments(
        self, ep: _Indexed, query: Query, weights: list[float], count: int, settings: Settings, speaker: str | None
    ) -> EpisodeHits | None:
        """The best ``count`` passages of one episode: those holding every group (else the most telling
        ones holding some), ties in the order of the episode (title, description, chapters, then by time)."""
        matched: list[set[int]] = []
        for i in range(len(query.groups)):
            rows = self._run(
                "SELECT rowid FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ?",
                (query.group_fts(i), ep.first_doc, ep.last_doc),
            )
            matched.append({r[0] for r in rows})
        if speaker is not None:
            said = {
                r[0]
                for r in self.db.execute(
                    "SELECT id, speaker FROM docs WHERE kind = 'segment' AND id BETWEEN ? AND ?",
                    (ep.first_doc, ep.last_doc),
                )
                if speaker_matches(r[1], speaker)
            }
            matched = [ids & said for ids in matched]
        every = set.intersection(*matched)
        partial = not every
        candidates = every or set.union(*matched)
        if not candidates:
            return None
        score = {doc: sum(w for w, ids in zip(weights, matched, strict=True) if doc in ids) for doc in candidates}
        chosen = sorted(candidates, key=lambda doc: (-score[doc], doc))[:count]
        hits = self._hits(ep, chosen, query, settings)
        return EpisodeHits(ep.slug, ep.title, ep.number, bool(ep.draft), 0.0, len(candidates), partial, hits)

    def _hits(self, ep: _Indexed, ids: list[int], query: Query, settings: Settings) -> list[Hit]:
        """Hits for the chosen passages: highlighted, with the passages either side and the links."""
        wanted = sorted({i + d for i in ids for d in (-1, 0, 1) if ep.first_doc <= i + d <= ep.last_doc})
        rows = {
            r[0]: r[1:]
            for r in self.db.execute(
                f'SELECT id, kind, start, "end", speaker, body FROM docs WHERE id IN ({",".join("?" * len(wanted))})',
                wanted,
            )
        }
        hits = []
        for doc in ids:
            kind, start, end, speaker, body = rows[doc]

            def neighbour(other: int, kind: str = kind) -> tuple[str, str]:
                """The passage beside a transcript hit and its speaker."""
                near = rows.get(other)
                ok = kind == "segment" and near is not None and near[0] == "segment"
                return (near[4], near[3]) if ok and near is not None else ("", "")

            (before, before_speaker), (after, after_speaker) = neighbour(doc - 1), neighbour(doc + 1)

            hits.append(
                Hit(
                    ep.slug,
                    kind,
                    start,
                    end,
                    speaker,
                    body,
                    tuple(highlight_spans(body, query)),
                    before,
                    after,
                    episode_page_url(settings, ep.slug, start),
                    youtube_watch_url(ep.video_id, start) if ep.video_id else None,
                    before_speaker,
                    after_speaker,
                )
            )
        return hits

    def _run(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, args)
        except sqlite3.OperationalError as exc:  # not expected: every word reaching FTS5 is quoted
            raise QueryError(f"the search index could not run this query ({exc})") from exc


def speaker_matches(name: str, wanted: str) -> bool:
    """Whether the speaker ``name`` is the one asked for: every word asked for is one of the name's words, in
    any case and without diacritics ("sekda" finds "Sekda Budi", "silvia rahmadina" finds "Silvia Rahmadina")."""
    have, want = words(name), words(wanted)
    return bool(want) and all(w in have for w in want)


def _joined(texts: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """An episode's whole text for ``episode_fts``, the same way on insert and delete."""
    return " ".join(t[0] for t in texts), " ".join(t[1] for t in texts)

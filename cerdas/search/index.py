"""Full-text search over every episode: a SQLite FTS5 index in the workspace (``search.sqlite3``).

What is indexed, per episode: each transcript segment (start, end, speaker, text; read from the Podcasting 2.0
JSON that transcription regenerates from the hand-corrected VTT), the title, the description and each chapter
title (with its start, so a hit links to the moment).

Indonesian-aware matching. The FTS5 table has two columns: ``body``, the text as spoken (``unicode61
remove_diacritics 2``: case- and diacritic-insensitive), and ``stems``, the Sastrawi stem of each word whose stem
is not the word itself. A query word that is a root (``korupsi``) matches itself in ``body`` and every derived
form through ``stems`` (``korupsinya``, ``berkorupsi``, ``dikorupsi``). A query word that is itself derived
matches only its own forms (``pengadaan*``): Sastrawi reduces ``pengadaan`` (procurement) to ``ada`` (there is),
and expanding that would drown the answer. ``word*`` is a prefix, ``"a b"`` a phrase (exact words), ``OR``
(or ``ATAU``) an alternative, ``-word`` an exclusion; everything else a person may type is reduced to words,
so no input reaches FTS5 unquoted.

Two levels (see :class:`SearchIndex`): the episodes are ranked by bm25 over each episode's whole text, then the
best passages are found inside each episode shown. The index is kept current per episode (a fingerprint of its
metadata and transcript decides) by the ``search`` stage of ``publish`` and by ``cerdas search`` itself;
``cerdas index --rebuild`` writes a new file beside the old one and renames it over it.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import os
import queue
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from cerdas.episode import Episode, episode_slugs, list_episodes, load_episode
from cerdas.errors import CerdasError, WorkspaceError
from cerdas.facts import StageName
from cerdas.fsutil import atomic_path, fingerprint, sha256_file
from cerdas.notes import html_to_text, notes_html
from cerdas.pipeline import BaseStage, Context, StageOutput
from cerdas.report import NullReporter, Reporter
from cerdas.settings import Settings
from cerdas.transcribe.formats import load_json
from cerdas.urls import episode_page_url, youtube_watch_url
from cerdas.workspace import Workspace

# Bump when the schema, the tokenisation or the stemming rules change: an index of another version is rebuilt.
INDEX_VERSION = 1

MAX_TERMS = 32  # words and phrases in one query
MAX_PHRASE_WORDS = 32
MIN_PREFIX = 2
MAX_STEM_LENGTH = 40  # longer "words" (pasted URLs, noise) are not worth Sastrawi's time


_TOKEN = re.compile(r"[^\W_]+")
_INFLECTIONS = ("nya", "lah", "kah", "pun")


class QueryError(CerdasError):
    """A search query that cannot be searched for (no words, only exclusions, too long)."""


# ---------------------------------------------------------------------------------------------------------------
# Words: folding and stemming


def fold(text: str) -> str:
    """Lower case without diacritics (what ``unicode61 remove_diacritics 2`` does to a token)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, split where FTS5's ``unicode61`` tokenizer splits."""
    return _TOKEN.findall(fold(text))


class _SetDictionary:
    """Sastrawi's word list in a set: its own ``ArrayDictionary`` is a list, which makes stemming 100× slower."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.words = frozenset(w.strip() for w in entries if w.strip())

    def contains(self, word: str) -> bool:
        return word in self.words

    def count(self) -> int:
        return len(self.words)


class _StemTable(dict[str, str]):
    """word → its stem, or "" where the stem is the word itself; computed on first use, new ones noted."""

    def __init__(self, compute: Callable[[str], str]) -> None:
        super().__init__()
        self.compute = compute
        self.new: list[tuple[str, str]] = []

    def __missing__(self, word: str) -> str:
        stem = self.compute(word)
        value = "" if stem == word else stem
        self[word] = value
        self.new.append((word, value))
        return value


class Stemmer:
    """Sastrawi's Indonesian stemmer (Nazief–Adriani with its root-word dictionary), cached per distinct word.

    Words Sastrawi cannot reduce lose a trailing ``-nya``/particle (``wbknya`` → ``wbk``), so names and
    acronyms outside its dictionary still find their inflected forms.
    """

    def __init__(self) -> None:
        from Sastrawi.Stemmer.Stemmer import Stemmer as SastrawiStemmer  # type: ignore[import-untyped]
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # type: ignore[import-untyped]

        self._dictionary = _SetDictionary(StemmerFactory().get_words())
        self._sastrawi = SastrawiStemmer(self._dictionary)
        self.table = _StemTable(self._stem)

    def is_root(self, word: str) -> bool:
        """Whether ``word`` (folded) is in Sastrawi's dictionary of root words."""
        return self._dictionary.contains(word)

    def light(self, word: str) -> str:
        """``word`` without a trailing particle or ``-nya`` (``korupsinya`` → ``korupsi``); roots are kept."""
        if self.is_root(word):
            return word
        for suffix in _INFLECTIONS:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
        return word

    def stem(self, word: str) -> str:
        """The stem of one folded word (``berkorupsi`` → ``korupsi``)."""
        return self.table[word] or word

    def _stem(self, word: str) -> str:
        if len(word) < 4 or len(word) > MAX_STEM_LENGTH or not (word.isascii() and word.isalpha()):
            return word
        if self.is_root(word):
            return word
        stem: str = self._sastrawi.stem(word)
        if stem and stem != word:
            return stem
        return self.light(word)

    def stems_of(self, text: str) -> str:
        """The ``stems`` column for ``text``: the stem of each word whose stem is not the word itself."""
        return " ".join(filter(None, map(self.table.__getitem__, words(text))))


@functools.cache
def stemmer() -> Stemmer:
    """The process's stemmer (its dictionary loads in about 15 ms; its cache grows with the vocabulary)."""
    return Stemmer()


# ---------------------------------------------------------------------------------------------------------------
# Queries: whatever a person types → a safe FTS5 expression


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word (with its family of forms), a prefix, or a phrase of exact words."""

    kind: str  # "family", "exact", "prefix", "phrase"
    words: tuple[str, ...]
    prefix_last: bool = False

    def fts(self) -> str:
        quoted = '"' + " ".join(self.words).replace('"', '""') + '"'
        if self.kind == "family":
            return f"(body:{quoted} OR stems:{quoted})"
        if self.kind == "prefix" or (self.kind == "phrase" and self.prefix_last):
            return f"body:{quoted}*"
        return f"body:{quoted}"

    def matches(self, folded: Sequence[str], at: int, stem: Stemmer) -> int:
        """How many words of ``folded`` from ``at`` this term covers (0: no match there)."""
        word = folded[at]
        if self.kind == "family":
            return 1 if word == self.words[0] or stem.stem(word) == self.words[0] else 0
        if self.kind == "prefix":
            return 1 if word.startswith(self.words[0]) else 0
        n = len(self.words)
        if at + n > len(folded):
            return 0
        for i, expected in enumerate(self.words):
            got = folded[at + i]
            if got != expected and not (i == n - 1 and self.prefix_last and got.startswith(expected)):
                return 0
        return n


@dataclass(frozen=True)
class Query:
    """A parsed query: groups that must all match (each an OR of terms) and terms that must not."""

    text: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def fts(self, any_group: bool = False, excluded: bool = True) -> str:
        """The FTS5 expression: every group (or, with ``any_group``, any of them), without the excluded terms
        unless ``excluded`` is false."""
        expr = (" OR " if any_group else " AND ").join(self._group(g) for g in self.groups)
        return self._excluding(expr) if excluded else expr

    def group_fts(self, index: int, excluded: bool = True) -> str:
        """The FTS5 expression of one group (its alternatives), without the excluded terms."""
        expr = self._group(self.groups[index])
        return self._excluding(expr) if excluded else expr

    @staticmethod
    def _group(group: tuple[Term, ...]) -> str:
        return "(" + " OR ".join(t.fts() for t in group) + ")"

    def _excluding(self, expr: str) -> str:
        for term in self.excluded:
            expr = f"({expr}) NOT {term.fts()}"
        return expr

    @property
    def terms(self) -> list[Term]:
        return [t for group in self.groups for t in group]


_SCAN = re.compile(r'(-?)"([^"]*)("?)(\*?)|(\S+)')
_OR_WORDS = {"OR", "ATAU", "|"}
_AND_WORDS = {"AND", "DAN", "&"}
_NOT_WORDS = {"NOT", "BUKAN"}


def _term(raw_words: list[str], prefix: bool, quoted: bool, stem: Stemmer) -> Term | None:
    if not raw_words:
        return None
    if len(raw_words) > MAX_PHRASE_WORDS:
        raise QueryError(
            f"a phrase of {len(raw_words)} words is too long to search for; use at most {MAX_PHRASE_WORDS}"
        )
    if quoted or len(raw_words) > 1:
        return Term("phrase", tuple(raw_words), prefix_last=prefix and len(raw_words[-1]) >= MIN_PREFIX)
    word = raw_words[0]
    if prefix:
        if len(word) < MIN_PREFIX:
            raise QueryError(f"'{word}*' is too short a prefix; give at least {MIN_PREFIX} letters before '*'")
        return Term("prefix", (word,))
    light = stem.light(word)
    if stem.stem(light) == light:
        return Term("family", (light,))
    # A derived word (pengadaan): its own inflected forms only, never everything sharing Sastrawi's stem.
    return Term("prefix", (light,)) if len(light) >= 5 else Term("exact", (light,))


def parse_query(text: str) -> Query:
    """Turn anything a person may type into a :class:`Query`, or raise :class:`QueryError` saying why not.

    Understood: words, ``word*``, ``"a phrase"``, ``OR``/``ATAU`` between alternatives, ``-word``/``-"phrase"``
    or ``NOT word`` to exclude. Punctuation, stray quotes, SQL and FTS5 syntax are reduced to plain words.
    """
    stem = stemmer()
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = pending_not = False
    for match in _SCAN.finditer(text):
        minus, phrase, _closing, star, chunk = match.groups()
        if chunk is not None:
            if chunk in _OR_WORDS:
                pending_or = bool(groups)
                continue
            if chunk in _AND_WORDS:
                continue
            if chunk in _NOT_WORDS:
                pending_not = True
                continue
            negative = chunk.startswith("-") and len(chunk) > 1
            body = chunk.lstrip("-+")
            prefix = body.endswith("*")
            term = _term(words(body), prefix, False, stem)
        else:
            negative = bool(minus)
            term = _term(words(phrase), bool(star), True, stem)
        if term is None:
            continue
        if negative or pending_not:
            excluded.append(term)
        elif pending_or and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = pending_not = False
        count = sum(len(g) for g in groups) + len(excluded)
        if count > MAX_TERMS:
            raise QueryError(
                f"the query has more than {MAX_TERMS} words and phrases; shorten it "
                f'(put a passage in "quotes" to find it as a phrase)'
            )
    if not groups:
        if excluded:
            raise QueryError("the query only excludes words (-word); add a word to look for")
        shown = text.strip()
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        raise QueryError(f"nothing to search for in {shown!r}: give at least one word")
    return Query(text, tuple(tuple(g) for g in groups), tuple(excluded))


def highlight_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Character spans of ``text`` that the query's terms match (what the CLI and ``--json`` highlight)."""
    stem = stemmer()
    terms = query.terms
    families = {t.words[0] for t in terms if t.kind == "family"}
    exact = families | {t.words[0] for t in terms if t.kind == "exact"}
    prefixes = tuple(t.words[0] for t in terms if t.kind == "prefix")
    phrases = [t for t in terms if t.kind == "phrase"]
    ascii_text = text.isascii()
    tokens = list(_TOKEN.finditer(text.lower() if ascii_text else text))  # lower() keeps ASCII offsets
    folded = [t.group() if ascii_text else fold(t.group()) for t in tokens]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        word = folded[i]
        covered = max((p.matches(folded, i, stem) for p in phrases), default=0) if phrases else 0
        if not covered and (
            word in exact or (families and stem.stem(word) in families) or (prefixes and word.startswith(prefixes))
        ):
            covered = 1
        if covered:
            start, end = tokens[i].start(), tokens[i + covered - 1].end()
            if spans and spans[-1][1] == start:
                start = spans.pop()[0]
            spans.append((start, end))
            i += covered
        else:
            i += 1
    return spans


def mark(text: str, spans: Sequence[tuple[int, int]], before: str = "[", after: str = "]") -> str:
    """``text`` with each span wrapped in ``before``/``after``."""
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], before, text[start:end], after]
        last = end
    out.append(text[last:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------------
# What goes into the index


@dataclass(frozen=True)
class Document:
    """One searchable piece of an episode. ``start`` is None for the title and description."""

    kind: str  # "title", "description", "chapter", "segment"
    text: str
    start: float | None = None
    end: float | None = None
    speaker: str = ""


@dataclass
class EpisodeEntry:
    """An episode as the index holds it."""

    slug: str
    title: str
    number: int | None = None
    pub_date: str = ""
    draft: bool = False
    video_id: str = ""
    fingerprint: str = ""
    signature: str = ""
    documents: list[Document] = field(default_factory=list)


def _stat_signature(*paths: Path) -> str:
    parts = []
    for path in paths:
        try:
            st = path.stat()
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except FileNotFoundError:
            parts.append("-")
    return "/".join(parts)


def _signature(ws: Workspace, slug: str) -> str:
    return _stat_signature(ws.episode_file(slug), ws.transcript(slug, "json"))


def episode_inputs(ws: Workspace, episode: Episode) -> dict[str, Any]:
    """Everything of an episode that the index holds (the transcript by its hash): the stage's inputs."""
    transcript = ws.transcript(episode.slug, "json")
    return {
        "version": INDEX_VERSION,
        "title": episode.title,
        "description": episode.description,
        "number": episode.number,
        "pub_date": episode.pub_date,
        "draft": episode.draft,
        "chapters": [[c.start, c.title] for c in episode.chapters],
        "video_id": episode.video_id,
        "transcript": sha256_file(transcript) if transcript.is_file() else None,
    }


def episode_entry(ws: Workspace, episode: Episode, inputs: dict[str, Any] | None = None) -> EpisodeEntry:
    """Read what an episode contributes to the index (its transcript JSON, if transcribed); ``inputs``: its
    :func:`episode_inputs` when the caller has them already."""
    inputs = inputs or episode_inputs(ws, episode)
    docs = [Document("title", episode.title)]
    if episode.description.strip():
        docs.append(Document("description", html_to_text(notes_html(episode.description))))  # as the site shows it
    chapters = sorted(episode.chapters, key=lambda c: c.start)
    for i, chapter in enumerate(chapters):
        end = chapters[i + 1].start if i + 1 < len(chapters) else chapter.start
        docs.append(Document("chapter", chapter.title, chapter.start, end))
    transcript = ws.transcript(episode.slug, "json")
    if inputs["transcript"] is not None:
        for seg in load_json(transcript):
            if seg.text.strip():
                docs.append(Document("segment", seg.text.strip(), seg.start, seg.end, seg.speaker))
    return EpisodeEntry(
        slug=episode.slug,
        title=episode.title,
        number=episode.number,
        pub_date=episode.pub_date,
        draft=episode.draft,
        video_id=inputs["video_id"],
        fingerprint=fingerprint(inputs),
        signature=_signature(ws, episode.slug),
        documents=docs,
    )


# ---------------------------------------------------------------------------------------------------------------
# The index file


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
    ) -> SearchResult:
        """Episodes ranked by relevance, each with its best hits (at most ``per_episode`` each, ``limit`` in
        all; with ``episode``, up to ``limit`` from that one), with the page and YouTube links at each moment."""
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
            found = self._moments(ep, parsed, weights, min(per, budget), settings)
            if found is not None:
                found.score = score
                out.append(found)
                budget -= len(found.hits)
        return SearchResult(parsed, out, notice if out else "")

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
        self, ep: _Indexed, query: Query, weights: list[float], count: int, settings: Settings
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

            def neighbour(other: int, kind: str = kind) -> str:
                near = rows.get(other)
                return near[4] if kind == "segment" and near is not None and near[0] == "segment" else ""

            hits.append(
                Hit(
                    ep.slug,
                    kind,
                    start,
                    end,
                    speaker,
                    body,
                    tuple(highlight_spans(body, query)),
                    neighbour(doc - 1),
                    neighbour(doc + 1),
                    episode_page_url(settings, ep.slug, start),
                    youtube_watch_url(ep.video_id, start) if ep.video_id else None,
                )
            )
        return hits

    def _run(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, args)
        except sqlite3.OperationalError as exc:  # not expected: every word reaching FTS5 is quoted
            raise QueryError(f"the search index could not run this query ({exc})") from exc


def _joined(texts: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """An episode's whole text for ``episode_fts``, the same way on insert and delete."""
    return " ".join(t[0] for t in texts), " ".join(t[1] for t in texts)


# ---------------------------------------------------------------------------------------------------------------
# The workspace's index: build, keep current, search


def rebuild_index(ws: Workspace, reporter: Reporter | None = None) -> IndexReport:
    """Index every episode into a new file and rename it over ``search.sqlite3`` (the old one stays usable
    until then). Stems known to the old index are reused."""
    reporter = reporter or NullReporter()
    episodes = list_episodes(ws)
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
                if slug in stored and stored[slug][1] == _signature(ws, slug):
                    report.unchanged += 1
                else:
                    todo.append(load_episode(ws, slug))
        else:
            todo = list(episodes)
        for episode in todo:
            signature = _signature(ws, episode.slug)
            inputs = episode_inputs(ws, episode)
            known = stored.get(episode.slug)
            if known is not None and known[0] == fingerprint(inputs):
                if known[1] != signature:
                    index.touch(episode.slug, signature)
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
    ws: Workspace, settings: Settings, query: str, *, episode: str | None = None, limit: int = 20, per_episode: int = 5
) -> SearchResult:
    """Search the workspace's index (see :meth:`SearchIndex.search`)."""
    parsed = parse_query(query)
    if episode is not None and not ws.episode_file(episode).is_file():
        raise CerdasError(f"no episode {episode!r} (see 'cerdas episodes')")
    if not ws.index_path.exists():
        raise CerdasError("no search index yet; run 'cerdas index'", ws.index_path)
    with SearchIndex(ws.index_path, readonly=True) as index:
        return index.search(parsed, settings, episode=episode, limit=limit, per_episode=per_episode)


def index_size(path: Path) -> int:
    """Bytes on disk of the index file."""
    return os.path.getsize(path) if path.exists() else 0


class SearchStage(BaseStage):
    """``publish``'s last stage: (re)index this episode when its metadata or transcript changed."""

    name: ClassVar[StageName] = "search"

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        return episode_inputs(ctx.workspace, episode)

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        ws = ctx.workspace
        report = update_index(ws, [episode], ctx.reporter)
        if report.rebuilt:
            summary = f"index built: {len(report.indexed)} episodes, {report.segments} transcript segments"
        elif report.indexed:
            summary = f"{report.segments} transcript segments indexed"
        else:
            summary = "already in the index"
        return StageOutput(outputs={"index": ws.relative(ws.index_path)}, summary=summary)

"""Queries: whatever a person types becomes a safe FTS5 expression.

A query word that is a root (``korupsi``) matches itself and every derived form (``korupsinya``, ``berkorupsi``,
``dikorupsi``); a query word that is itself derived matches only its own forms (``pengadaan*``): Sastrawi reduces
``pengadaan`` (procurement) to ``ada`` (there is), and expanding that would drown the answer. ``word*`` is a
prefix, ``"a b"`` a phrase (exact words), ``OR`` (or ``ATAU``) an alternative, ``-word`` an exclusion;
everything else a person may type is reduced to words, so no input reaches FTS5 unquoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cerdas.errors import CerdasError
from cerdas.search.text import TOKEN, Stemmer, fold, stemmer, words

MAX_TERMS = 32  # words and phrases in one query
MAX_PHRASE_WORDS = 32
MIN_PREFIX = 2


class QueryError(CerdasError):
    """A search query that cannot be searched for (no words, only exclusions, too long)."""


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
    tokens = list(TOKEN.finditer(text.lower() if ascii_text else text))  # lower() keeps ASCII offsets
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

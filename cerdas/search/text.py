"""Indonesian-aware words: folding like FTS5's ``unicode61 remove_diacritics 2`` and Sastrawi stemming."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

MAX_STEM_LENGTH = 40  # longer "words" (pasted URLs, noise) are not worth Sastrawi's time

TOKEN = re.compile(r"[^\W_]+")
_INFLECTIONS = ("nya", "lah", "kah", "pun")


def fold(text: str) -> str:
    """Lower case without diacritics (what ``unicode61 remove_diacritics 2`` does to a token)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, split where FTS5's ``unicode61`` tokenizer splits."""
    return TOKEN.findall(fold(text))


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

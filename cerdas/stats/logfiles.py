"""Opening access logs (plain, gzip, bzip2, xz; told by their first bytes, not their names) and remembering how
much of each was imported.

A log is known by the hash of its first line, so a renamed (``access.log`` → ``access.log.1``), compressed
(``access.log.2.gz``) or grown copy is recognised: the part imported before is checked (its sha256 must match)
and skipped, and only what follows is read. A last line without its newline (nginx still writing it) is left for
the next import.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

from cerdas.errors import CerdasError

_MAX_HEAD = 64 * 1024
_CHUNK = 1 << 20


@dataclass(frozen=True)
class LedgerEntry:
    """What was imported of one log: its first bytes (``done``) and their sha256."""

    head: bytes
    done: int
    digest: bytes


def open_log(path: Path) -> IO[bytes]:
    """The log's decompressed bytes, buffered; :class:`CerdasError` naming the file when it cannot be read."""
    try:
        with path.open("rb") as probe:
            magic = probe.read(6)
        if magic.startswith(b"\x1f\x8b"):
            return cast(IO[bytes], gzip.open(path, "rb"))
        if magic.startswith(b"BZh"):
            return cast(IO[bytes], bz2.open(path, "rb"))
        if magic.startswith(b"\xfd7zXZ\x00"):
            return cast(IO[bytes], lzma.open(path, "rb"))
        return path.open("rb", buffering=_CHUNK)
    except FileNotFoundError:
        raise CerdasError("log file not found", path) from None
    except IsADirectoryError:
        raise CerdasError("is a folder, not a log file", path) from None
    except OSError as exc:
        raise CerdasError(f"cannot read the log ({exc.strerror or exc})", path) from None


def _first_line(path: Path) -> bytes | None:
    with open_log(path) as f:
        line = f.readline(_MAX_HEAD)
    return line if line.endswith(b"\n") or len(line) >= _MAX_HEAD else None


@dataclass
class LogReader:
    """Reads one log's new lines (after the part a ledger entry says was imported)."""

    path: Path
    head: bytes = b""
    skipped_lines: int = 0
    """Lines skipped because an earlier import read them."""
    lines_read: int = 0
    done: int = 0
    partial: bool = False
    """The file ended in the middle of a line (left for the next import)."""
    first_lines: list[bytes] = field(default_factory=list)
    _digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    @classmethod
    def open(cls, path: Path) -> LogReader:
        """Read the first line (the log's identity); a log without one complete line has nothing to import."""
        try:
            first = _first_line(path)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise CerdasError(f"damaged compressed log ({exc})", path) from None
        reader = cls(path)
        if first is not None:
            reader.head = hashlib.sha256(first).digest()
        return reader

    def sample(self, count: int = 20) -> list[bytes]:
        """The first lines, for telling the format."""
        if not self.head:
            return []
        out = []
        with open_log(self.path) as f:
            for line in f:
                out.append(line)
                if len(out) >= count:
                    break
        return out

    def entry(self) -> LedgerEntry:
        """The ledger entry after reading: how much is now imported."""
        return LedgerEntry(self.head, self.done, self._digest.digest())

    def _skip_known(self, f: IO[bytes], known: LedgerEntry) -> bool:
        left, lines = known.done, 0
        while left > 0:
            chunk = f.read(min(left, _CHUNK))
            if not chunk:
                return False
            self._digest.update(chunk)
            lines += chunk.count(b"\n")
            left -= len(chunk)
        if self._digest.digest() != known.digest:
            return False
        self.skipped_lines, self.done = lines, known.done
        return True

    def lines(self, known: LedgerEntry | None) -> Iterator[bytes]:
        """Each complete new line (with its newline), updating :meth:`entry` as it goes."""
        if not self.head:
            return
        try:
            with open_log(self.path) as f:
                if known is not None and known.done and not self._skip_known(f, known):
                    f.seek(0)  # changed since: read it all again; the line fingerprints keep counts right
                    self._digest, self.skipped_lines, self.done = hashlib.sha256(), 0, 0
                for line in f:
                    if not line.endswith(b"\n"):
                        self.partial = True
                        return
                    self._digest.update(line)
                    self.done += len(line)
                    self.lines_read += 1
                    yield line
        except (EOFError, lzma.LZMAError, gzip.BadGzipFile, OSError) as exc:
            raise CerdasError(f"damaged compressed log after {self.lines_read} lines ({exc})", self.path) from None

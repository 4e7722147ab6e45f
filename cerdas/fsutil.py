"""Atomic writes, hashing and fingerprints shared by every stage."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cerdas.errors import CerdasError

_CHUNK = 1 << 20
_UMASK = os.umask(0)
os.umask(_UMASK)


def umask() -> int:
    """The process's umask, read once at import (reading it means setting it, which is not thread-safe)."""
    return _UMASK


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (another user's counts: it cannot be signalled, but it is there)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (links resolved) lies in ``root``: a secret there would be published or committed."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def remove_stale(folder: Path, prefix: str) -> list[Path]:
    """Remove the temporary files and folders in ``folder`` named ``<prefix><pid>-...`` whose process is gone.

    Every temporary name Cerdas makes carries the pid of its maker (:func:`atomic_path`, :func:`work_folder`), so
    the next run that writes the same target removes what a killed run left, and never what a running one is
    writing. Returns what was removed.
    """
    pattern = re.compile(re.escape(prefix) + r"(\d+)-")
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def temp_prefix(target: Path) -> str:
    """The start of the temporary names :func:`atomic_path` makes beside ``target`` (before the pid)."""
    return f".{target.name}."


@contextlib.contextmanager
def atomic_path(target: Path, suffix: str | None = None, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``, on failure remove it.

    The temporary file keeps ``target``'s suffix (or ``suffix``) so that tools which pick a format from the
    file name (ffmpeg, Pillow) still do the right thing. Its name, ``.<name>.<pid>-<random>.tmp<suffix>``, says
    which process made it: temporaries of ``target`` left by a killed process are removed first. ``mode`` is
    the new file's mode from the start (0o600 for secrets); by default the usual permissions.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target.parent, temp_prefix(target))
    fd, tmp_name = tempfile.mkstemp(
        prefix=f"{temp_prefix(target)}{os.getpid()}-",
        suffix=f".tmp{suffix if suffix is not None else target.suffix}",
        dir=target.parent,
    )
    try:
        os.fchmod(fd, mode if mode is not None else 0o666 & ~_UMASK)  # mkstemp makes 0600
    finally:
        os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise CerdasError("no space left on the device while writing; nothing was replaced", target) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def work_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A temporary folder ``<parent>/<prefix><pid>-<random>``, removed at the end, whatever happens; folders of
    the same ``prefix`` that a killed process left in ``parent`` are removed first."""
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale(parent, prefix)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def atomic_write_bytes(target: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename (``mode``: e.g. 0o600 for secrets)."""
    with atomic_path(target, mode=mode) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_text(target: Path, text: str, mode: int | None = None) -> None:
    """Write UTF-8 ``text`` atomically."""
    atomic_write_bytes(target, text.encode("utf-8"), mode=mode)


def atomic_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` atomically (the target never exists half-written)."""
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


MiB = 1 << 20


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular(path: Path, limit: int, what: str = "file", follow: bool = True) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes (:class:`CerdasError`
    naming it otherwise).

    A side input (chapters, a cover, a transcript, a journal) may be anything someone put there: a named pipe
    (opened without waiting for a writer), ``/dev/zero`` (never read past ``limit``), a folder. With ``follow``
    false a symbolic link is refused too (secrets).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise CerdasError(f"{what} not found", path) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise CerdasError(f"{what} is a symbolic link; Cerdas does not follow links here", path) from None
        raise CerdasError(f"cannot read the {what} ({exc.strerror or exc})", path) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CerdasError(f"the {what} is {_kind(info.st_mode)}, not a regular file", path)
        if info.st_size > limit:
            raise CerdasError(f"the {what} is {_size(info.st_size)}; the limit is {_size(limit)}", path)
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise CerdasError(f"cannot read the {what} ({exc.strerror or exc})", path) from None
    if len(data) > limit:
        raise CerdasError(f"the {what} is larger than {_size(limit)}", path)
    return data


def read_text(path: Path, limit: int, what: str = "file", follow: bool = True) -> str:
    """:func:`read_regular` decoded as UTF-8 (a byte-order mark is dropped); not UTF-8 is one line naming it."""
    data = read_regular(path, limit, what, follow)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CerdasError(f"the {what} is not UTF-8 text", path) from None


def check_regular(path: Path, limit: int, what: str = "file") -> int:
    """Refuse ``path`` unless it is a regular file (links followed) of at most ``limit`` bytes; its size."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CerdasError(f"{what} not found", path) from None
    except OSError as exc:
        raise CerdasError(f"cannot read the {what} ({exc.strerror or exc})", path) from None
    if not stat.S_ISREG(info.st_mode):
        raise CerdasError(f"the {what} is {_kind(info.st_mode)}, not a regular file", path)
    if info.st_size > limit:
        raise CerdasError(f"the {what} is {_size(info.st_size)}; the limit is {_size(limit)}", path)
    return info.st_size


def _size(n: int) -> str:
    return f"{n / MiB:.1f} MB" if n >= MiB else f"{n} bytes"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (memory stays flat for any size)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(value: Any) -> str:
    """A stable short hash of JSON-serialisable inputs: what a stage compares to decide it is current."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ``renameat2``); ``False`` where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def sync_folder(folder: Path) -> None:
    """Flush a folder's file system before it goes live (one ``syncfs``, not one fsync per file)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if getattr(libc, "syncfs", None) is None or libc.syncfs(fd) != 0:
            os.sync()
    except OSError:
        os.sync()
    finally:
        os.close(fd)


def swap_folders(staging: Path, target: Path, retired_prefix: str) -> None:
    """Make ``staging`` the new ``target`` folder in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two
    renames through ``<retired_prefix><pid>-<time>``) and delete the previous one."""
    if target.is_dir():
        if exchange(staging, target):
            shutil.rmtree(staging, ignore_errors=True)
            return
        retired = target.with_name(f"{retired_prefix}{os.getpid()}-{int(time.time())}")
        os.rename(target, retired)
        os.rename(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        if target.exists() or target.is_symlink():
            raise CerdasError("is not a folder; move it away so that it can be written", target)
        os.rename(staging, target)

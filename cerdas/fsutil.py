"""Atomic writes, hashing and fingerprints shared by every stage."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import shutil
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


@contextlib.contextmanager
def atomic_path(target: Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``, on failure remove it.

    The temporary file keeps ``target``'s suffix (or ``suffix``) so that tools which pick a format from the
    file name (ffmpeg, Pillow) still do the right thing.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.",
        suffix=f".tmp{suffix if suffix is not None else target.suffix}",
        dir=target.parent,
    )
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; ordinary outputs get the usual permissions
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


def atomic_write_bytes(target: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename (``mode``: e.g. 0o600 for secrets)."""
    with atomic_path(target) as tmp:
        if mode is not None:
            os.chmod(tmp, mode)
        with open(tmp, "wb") as fh:
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

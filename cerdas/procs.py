"""Child processes that die with Cerdas.

Every program Cerdas starts (ffmpeg, Pagefind) runs in a process group of its own, so that one ``killpg`` stops a
whole pipe of them, and asks the kernel (Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to be killed the moment the
thread that started it dies: a ``kill -9`` of ``cerdas publish`` leaves no ffmpeg encoding on. The death signal is
tied to the starting *thread*, so a child must be started by a thread that outlives it (the adapters wait for
their children in the thread that started them).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl: Callable[..., int] = libc.prctl
    except (OSError, AttributeError):
        return None
    return prctl


_PRCTL = _load_prctl()  # looked up once here: the child between fork and exec should only call it


def die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child gets SIGKILL when this thread dies.

    If the parent is already gone when the child gets there (a kill between ``fork`` and ``prctl``), the child
    exits at once instead of running orphaned.
    """
    parent = os.getpid()

    def setup() -> None:
        if _PRCTL is not None:
            _PRCTL(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(137)

    return setup


def kill_group(pgid: int) -> None:
    """SIGKILL every process of group ``pgid`` (gone already: nothing to do)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)

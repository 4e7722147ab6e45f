"""Measuring a child process for the benchmarks: wall time, CPU time and peak memory of that process alone."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """Run ``cmd``; its wall time and CPU time (user + system) in seconds and its peak RSS in MB (``wait4``).

    CPU time is reported beside wall time because it barely moves when other work shares the machine. A
    failing command ends the benchmark with the end of its standard error (kept in a file, so that a chatty
    child can never fill a pipe nobody reads while it is waited for)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"failed: {' '.join(cmd)}\n{errors.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

"""Studio jobs: long work (publish, an edit, a transcript rebuild) recorded on disk with its live progress.

A job is a small JSON file in ``.studio/jobs/`` (:meth:`cerdas.workspace.Workspace.studio_job`), rewritten
atomically when its state changes (progress at most once a second). The copy in memory is what the pages
watch live. A studio that starts finds jobs that were queued or running when it stopped and marks them
``interrupted``: the producer runs them again (publish is idempotent, so that finishes the work).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from cerdas.fsutil import atomic_path
from cerdas.workspace import Workspace

JobStatus = Literal["queued", "running", "done", "failed", "interrupted"]
FINISHED: tuple[JobStatus, ...] = ("done", "failed", "interrupted")
KEEP_JOBS = 200
MAX_LOG = 200
SAVE_EVERY = 1.0


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class StageState:
    """One stage of a job as the page shows it."""

    name: str
    status: str = "pending"  # pending, running, ran, current, skipped, failed
    summary: str = ""
    label: str = ""  # what the progress bar measures ("Transkripsi")
    progress: float | None = None  # 0..1 while measured
    seconds: float | None = None  # how long its work took, once it ran


@dataclass
class Job:
    """A unit of work the studio runs in the background, one at a time per workspace."""

    id: str
    kind: str  # publish, revise, transcript
    title: str  # what the producer sees ("Publish: <episode title>")
    params: dict[str, Any]
    status: JobStatus = "queued"
    slug: str = ""
    created: str = field(default_factory=_now)
    started: str = ""
    finished: str = ""
    stage: str = ""
    progress: float | None = None
    stages: list[StageState] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    waiting: str = ""  # why a queued job has not started (another cerdas command holds the workspace)
    retry_of: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Job:
        stages = [StageState(**s) for s in raw.get("stages", [])]
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__ and k != "stages"}
        return cls(**known, stages=stages)

    def public(self) -> dict[str, Any]:
        """What the API answers (``params`` stay on the server: they hold workspace paths)."""
        data = self.to_dict()
        data.pop("params")
        data["finished_ok"] = self.status == "done"
        data["can_retry"] = self.status in ("failed", "interrupted")
        return data


class JobStore:
    """Jobs in memory, mirrored to ``.studio/jobs/``; every change bumps a counter the live views wait on."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._version = 0
        self._saved_at: dict[str, float] = {}

    def load(self) -> list[Job]:
        """Read the jobs on disk; those a stopped studio left queued or running become ``interrupted``."""
        folder = self.ws.studio_jobs_dir
        found = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                job = Job.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue  # a damaged record is not worth stopping the studio for
            if job.status in ("queued", "running"):
                job.status, job.finished = "interrupted", _now()
                job.error = job.error or "the studio stopped while this job was waiting or running"
                for stage in job.stages:
                    if stage.status == "running":
                        stage.status = "failed"
                self._write(job)
            found.append(job)
        with self._lock:
            for job in found:
                self._jobs[job.id] = job
        return found

    def new(self, kind: str, title: str, params: dict[str, Any], slug: str = "", retry_of: str = "") -> Job:
        job_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        job = Job(job_id, kind, title, params, slug=slug, retry_of=retry_of)
        with self._changed:
            self._jobs[job.id] = job
            self._bump()
        self._write(job)
        self._prune()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        """Every job, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: (j.created, j.id), reverse=True)

    def snapshot(self, job_id: str) -> tuple[int, dict[str, Any] | None]:
        with self._lock:
            job = self._jobs.get(job_id)
            return self._version, (job.public() if job else None)

    def wait(self, version: int, timeout: float) -> int:
        """Block until something changed after ``version`` (or ``timeout``); the current version."""
        with self._changed:
            if self._version == version:
                self._changed.wait(timeout)
            return self._version

    def update(self, job: Job, force_save: bool = True, **changes: Any) -> None:
        """Change a job (under the store's lock) and save it (progress: at most once a second)."""
        with self._changed:
            for key, value in changes.items():
                setattr(job, key, value)
            self._bump()
        if force_save or time.monotonic() - self._saved_at.get(job.id, 0.0) >= SAVE_EVERY:
            self._write(job)

    def edit(self, job: Job, change: Any, force_save: bool = False) -> None:
        """Run ``change(job)`` under the lock (lists inside the job), then save like :meth:`update`."""
        with self._changed:
            change(job)
            self._bump()
        if force_save or time.monotonic() - self._saved_at.get(job.id, 0.0) >= SAVE_EVERY:
            self._write(job)

    def _bump(self) -> None:
        self._version += 1
        self._changed.notify_all()

    def _write(self, job: Job) -> None:
        with self._lock:
            text = json.dumps(job.to_dict(), ensure_ascii=False, indent=1)
            self._saved_at[job.id] = time.monotonic()
        try:
            self.ws.studio_jobs_dir.mkdir(parents=True, exist_ok=True)
            with atomic_path(self.ws.studio_job(job.id)) as tmp:  # renamed whole, but not fsynced: a job's
                tmp.write_text(text + "\n", encoding="utf-8")  # state is rewritten often and only informs
        except OSError:
            pass  # a full disk must not stop the job itself; the live view still has it

    def _prune(self) -> None:
        with self._lock:
            old = sorted(self._jobs.values(), key=lambda j: j.created)[:-KEEP_JOBS]
            old = [j for j in old if j.status in FINISHED]
            for job in old:
                self._jobs.pop(job.id, None)
        for job in old:
            self.ws.studio_job(job.id).unlink(missing_ok=True)


def append_log(job: Job, line: str) -> None:
    job.log.append(line)
    del job.log[:-MAX_LOG]

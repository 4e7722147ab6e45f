"""The job runner: one worker thread per studio runs queued jobs in order, one at a time, through the same
stages as ``cerdas publish``. A :class:`JobReporter` (the library's :class:`~cerdas.report.Reporter`) and a
thin wrapper around each stage feed the job's live state: which stage runs, its progress bar, the summaries.

The workspace lock is the one ``cerdas publish`` takes: while another cerdas command holds it, the job waits
(``waiting`` says so) and starts when the lock is free.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from cerdas.episode import Episode
from cerdas.errors import CerdasError, LockedError
from cerdas.facts import StageName
from cerdas.pipeline import Context, Stage, StageOutput, StageReport
from cerdas.report import Progress
from cerdas.studio.jobs import Job, JobStore, StageState, _now, append_log

LOCK_RETRY = 1.0
Handler = Callable[[Job, "JobReporter"], list[StageReport]]


class JobProgress:
    """One progress bar of the running stage."""

    def __init__(self, reporter: JobReporter, label: str, total: float) -> None:
        self.reporter, self.label, self.total = reporter, label, total
        reporter.set_progress(label, 0.0 if total > 0 else None)

    def update(self, done: float) -> None:
        if self.total > 0:
            self.reporter.set_progress(self.label, min(max(done / self.total, 0.0), 1.0))

    def close(self) -> None:
        self.reporter.set_progress("", None)


class JobReporter:
    """The library's reporter for a job: messages go to the job's log, progress to its running stage."""

    def __init__(self, store: JobStore, job: Job) -> None:
        self.store, self.job = store, job
        self._started = time.monotonic()

    def info(self, message: str) -> None:
        self.store.edit(self.job, lambda j: append_log(j, message))

    def warn(self, message: str) -> None:
        def change(job: Job) -> None:
            job.warnings.append(message)
            append_log(job, f"Warning: {message}")

        self.store.edit(self.job, change, force_save=True)

    def progress(self, label: str, total: float, unit: str = "s") -> Progress:
        return JobProgress(self, label, total)

    def set_progress(self, label: str, fraction: float | None) -> None:
        def change(job: Job) -> None:
            job.progress = fraction
            for stage in job.stages:
                if stage.name == job.stage:
                    stage.label, stage.progress = label, fraction

        self.store.edit(self.job, change)

    def stage_started(self, name: str, slug: str) -> None:
        self._started = time.monotonic()

        def change(job: Job) -> None:
            job.stage, job.slug, job.progress = name, slug or job.slug, None
            for stage in job.stages:
                if stage.name == name:
                    stage.status = "running"

        self.store.edit(self.job, change, force_save=True)

    def stage_finished(self, name: str, summary: str) -> None:
        seconds = round(time.monotonic() - self._started, 2)

        def change(job: Job) -> None:
            job.progress = None
            for stage in job.stages:
                if stage.name == name:
                    stage.status, stage.summary, stage.progress, stage.label = "ran", summary, None, ""
                    stage.seconds = seconds

        self.store.edit(self.job, change, force_save=True)


def tracked(stage: Stage, reporter: JobReporter) -> Stage:
    """``stage`` unchanged, except that starting and finishing its work shows in the job."""

    class Tracked:
        name: ClassVar[StageName] = stage.name

        def check(self, ctx: Context) -> None:
            stage.check(ctx)

        def skip_reason(self, episode: Episode, ctx: Context) -> str | None:
            return stage.skip_reason(episode, ctx)

        def always_runs(self, episode: Episode, ctx: Context) -> bool:
            return stage.always_runs(episode, ctx)

        def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
            return stage.inputs(episode, ctx)

        def run(self, episode: Episode, ctx: Context) -> StageOutput:
            reporter.stage_started(stage.name, episode.slug)
            output = stage.run(episode, ctx)
            reporter.stage_finished(stage.name, output.summary)
            return output

    return Tracked()


class JobRunner:
    """Runs queued jobs in order on one worker thread (``handlers`` maps a job's kind to its work)."""

    def __init__(self, store: JobStore, handlers: dict[str, Handler]) -> None:
        self.store, self.handlers = store, handlers
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="cerdas-studio-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)

    def submit(self, job: Job) -> Job:
        self._queue.put(job.id)
        return job

    def _work(self) -> None:
        while not self._stop.is_set():
            job_id = self._queue.get()
            job = self.store.get(job_id) if job_id else None
            if job is not None and job.status == "queued":
                self.run(job)

    def run(self, job: Job) -> None:
        """Run one job to its end: done, or failed with the library's one-line reason."""
        reporter = JobReporter(self.store, job)
        handler = self.handlers[job.kind]
        self.store.update(job, status="running", started=_now(), error="", waiting="")
        while True:
            try:
                reports = handler(job, reporter)
            except LockedError as exc:
                if self._stop.is_set():
                    return
                self.store.update(job, status="queued", waiting=str(exc))
                time.sleep(LOCK_RETRY)
                self.store.update(job, status="running", waiting="")
                continue
            except CerdasError as exc:
                self._fail(job, str(exc))
            except Exception as exc:  # a bug must not kill the worker: the job says what broke
                self._fail(job, f"unexpected error: {exc.__class__.__name__}: {exc}")
            else:
                self._finish(job, reports)
            return

    def _finish(self, job: Job, reports: list[StageReport]) -> None:
        by_name = {r.name: r for r in reports}

        def change(j: Job) -> None:
            for stage in j.stages:
                report = by_name.get(stage.name)  # type: ignore[call-overload]
                if report is not None and stage.status != "ran":
                    stage.status, stage.summary = report.status, report.summary
            j.status, j.finished, j.stage, j.progress, j.waiting = "done", _now(), "", None, ""

        self.store.edit(job, change, force_save=True)

    def _fail(self, job: Job, message: str) -> None:
        def change(j: Job) -> None:
            for stage in j.stages:
                if stage.status == "running":
                    stage.status, stage.progress = "failed", None
            j.status, j.finished, j.error, j.progress, j.waiting = "failed", _now(), message, None, ""
            append_log(j, f"Error: {message}")

        self.store.edit(job, change, force_save=True)


def stage_states(names: list[str]) -> list[StageState]:
    return [StageState(name) for name in names]

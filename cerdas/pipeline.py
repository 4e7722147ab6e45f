"""The publish pipeline: an explicit ordered list of stages over one :class:`Episode`.

Each stage declares the inputs it depends on; their fingerprint, with the presence of the outputs the stage
recorded last time, decides whether it runs. The journal (``episode.toml``) is saved after every stage, so a
failure leaves every finished stage recorded and the failed one as it was.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from typing import Any, Protocol

from cerdas.episode import Episode, StageRecord, now_iso, save_episode
from cerdas.errors import CerdasError, StageError
from cerdas.fsutil import fingerprint
from cerdas.report import NullReporter, Reporter
from cerdas.settings import Settings
from cerdas.workspace import Workspace


@dataclass
class Context:
    """What every stage may use; passed explicitly, never global."""

    workspace: Workspace
    settings: Settings
    reporter: Reporter = field(default_factory=NullReporter)
    force: bool = False
    dry_run: bool = False
    youtube: bool = True


@dataclass
class StageOutput:
    """What a stage produced: workspace-relative output paths and measured facts."""

    outputs: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    summary: str = ""


class Stage(Protocol):
    """One step of ``publish``. ``inputs`` must be cheap: it runs even when the stage is skipped."""

    name: str

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]: ...

    def run(self, episode: Episode, ctx: Context) -> StageOutput: ...


class OptionalStage(Stage, Protocol):
    """A stage that can be switched off for a run (YouTube without credentials, say)."""

    def skip_reason(self, episode: Episode, ctx: Context) -> str | None: ...


@dataclass
class StageReport:
    name: str
    status: str  # "ran", "skipped", "current", "would run"
    summary: str = ""


def is_current(stage: Stage, episode: Episode, ctx: Context) -> tuple[bool, str]:
    """Whether the stage's recorded run still holds, and the fingerprint of its inputs now."""
    fp = fingerprint({"stage": stage.name, **stage.inputs(episode, ctx)})
    rec = episode.stages.get(stage.name)
    if rec is None or rec.fingerprint != fp:
        return False, fp
    ws = ctx.workspace
    return all(ws.resolve(p).exists() for p in rec.outputs.values()), fp


def run_stage(stage: Stage, episode: Episode, ctx: Context, save: bool = True) -> StageReport:
    """Run one stage if its inputs changed (or ``ctx.force``), record it and save the journal."""
    skip = getattr(stage, "skip_reason", None)
    reason = skip(episode, ctx) if skip is not None else None
    if reason:
        return StageReport(stage.name, "skipped", reason)
    current, fp = is_current(stage, episode, ctx)
    if current and not ctx.force:
        return StageReport(stage.name, "current", episode.stages[stage.name].data.get("summary", ""))
    if ctx.dry_run:
        return StageReport(stage.name, "would run")
    try:
        result = stage.run(episode, ctx)
    except CerdasError:
        raise
    except OSError as exc:
        reason = "no space left on the device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise StageError(f"stage '{stage.name}' failed: {reason}", exc.filename or episode.slug) from exc
    # Inputs may legitimately change while a stage runs (a stage that fills in metadata): re-fingerprint.
    fp = fingerprint({"stage": stage.name, **stage.inputs(episode, ctx)})
    data = dict(result.data)
    if result.summary:
        data["summary"] = result.summary
    episode.stages[stage.name] = StageRecord(fp, now_iso(), result.outputs, data)
    if save:
        save_episode(ctx.workspace, episode)
    return StageReport(stage.name, "ran", result.summary)


def run_pipeline(stages: list[Stage], episode: Episode, ctx: Context) -> list[StageReport]:
    """Run ``stages`` in order; the first error stops the run (finished stages stay recorded)."""
    reports = []
    for stage in stages:
        report = run_stage(stage, episode, ctx, save=not ctx.dry_run)
        reports.append(report)
        if report.status in ("ran", "would run", "current"):
            ctx.reporter.info(f"{stage.name}: {report.status}{' - ' + report.summary if report.summary else ''}")
        else:
            ctx.reporter.info(f"{stage.name}: skipped ({report.summary})")
    return reports

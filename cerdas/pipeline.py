"""The publish pipeline: an explicit ordered list of stages over one :class:`Episode`.

The stage contract (:class:`Stage`, with defaults in :class:`BaseStage`):

* ``check(ctx)``: everything the stage can verify before any work (the Whisper model, the YouTube sign-in).
  ``publish`` runs every stage's check before it takes the workspace lock, so a missing prerequisite stops
  publish before a single file is written.
* ``skip_reason(episode, ctx)``: why the stage does not apply to this run (``--no-youtube``), or None.
* ``inputs(episode, ctx)``: what the stage's result depends on. Must be cheap: it runs even when skipped.
* ``always_runs(episode, ctx)``: the stage runs even though its inputs are unchanged (an unfinished upload).
* ``run(episode, ctx)``: do the work and return :class:`StageOutput` (outputs, typed facts, a summary).

The decision to run lives in one place, :func:`run_stage`: a stage runs when it is not skipped and its inputs'
fingerprint changed, an output it recorded is gone, it always runs, or ``ctx.force``. The journal
(``episode.toml``) is saved after every finished stage, so a failure leaves every finished stage recorded and the
failed one as it was. Stages never change the :class:`Context`.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from cerdas.env import Environment
from cerdas.episode import Episode, StageRecord, now_iso, save_episode
from cerdas.errors import CerdasError, StageError
from cerdas.facts import NoFacts, StageFacts, StageName, StageStatus
from cerdas.fsutil import fingerprint
from cerdas.report import NullReporter, Reporter
from cerdas.settings import Settings
from cerdas.workspace import Workspace


@dataclass(frozen=True)
class Context:
    """What every stage may use; passed explicitly, never global, never changed by a stage."""

    workspace: Workspace
    settings: Settings
    reporter: Reporter = field(default_factory=NullReporter)
    env: Environment = field(default_factory=Environment)
    force: bool = False
    dry_run: bool = False
    youtube: bool = True


@dataclass
class StageOutput:
    """What a stage produced: workspace-relative output paths, its typed facts and a one-line summary."""

    outputs: dict[str, str] = field(default_factory=dict)
    facts: StageFacts = field(default_factory=NoFacts)
    summary: str = ""


class Stage(Protocol):
    """One step of ``publish`` (see the module docstring for the contract)."""

    name: ClassVar[StageName]

    def check(self, ctx: Context) -> None: ...

    def skip_reason(self, episode: Episode, ctx: Context) -> str | None: ...

    def always_runs(self, episode: Episode, ctx: Context) -> bool: ...

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]: ...

    def run(self, episode: Episode, ctx: Context) -> StageOutput: ...


class BaseStage:
    """The defaults of the stage contract: nothing to check, never skipped, runs only when its inputs changed."""

    def check(self, ctx: Context) -> None:
        return None

    def skip_reason(self, episode: Episode, ctx: Context) -> str | None:
        return None

    def always_runs(self, episode: Episode, ctx: Context) -> bool:
        return False


@dataclass
class StageReport:
    name: StageName
    status: StageStatus
    summary: str = ""
    facts: StageFacts | None = None


def is_current(stage: Stage, episode: Episode, ctx: Context) -> tuple[bool, str]:
    """Whether the stage's recorded run still holds, and the fingerprint of its inputs now."""
    fp = fingerprint({"stage": stage.name, **stage.inputs(episode, ctx)})
    rec = episode.stages.get(stage.name)
    if rec is None or rec.fingerprint != fp:
        return False, fp
    ws = ctx.workspace
    return all(ws.resolve(p).exists() for p in rec.outputs.values()), fp


def run_stage(stage: Stage, episode: Episode, ctx: Context, save: bool = True) -> StageReport:
    """Run one stage if it applies and is not current (or ``ctx.force``), record it and save the journal."""
    reason = stage.skip_reason(episode, ctx)
    if reason:
        return StageReport(stage.name, "skipped", reason)
    current, fp = is_current(stage, episode, ctx)
    if current and not ctx.force and not stage.always_runs(episode, ctx):
        rec = episode.stages[stage.name]
        return StageReport(stage.name, "current", rec.summary, rec.facts)
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
    episode.stages[stage.name] = StageRecord(fp, now_iso(), result.outputs, result.facts, result.summary)
    if save:
        save_episode(ctx.workspace, episode)
    return StageReport(stage.name, "ran", result.summary, result.facts)


def check_stages(stages: list[Stage], ctx: Context) -> None:
    """Every stage's own check, in order (before any work; raises the first problem)."""
    for stage in stages:
        stage.check(ctx)


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

"""The ``search`` stage of ``publish``."""

from __future__ import annotations

from typing import Any, ClassVar

from cerdas.episode import Episode
from cerdas.facts import StageName
from cerdas.pipeline import BaseStage, Context, StageOutput
from cerdas.search.entries import episode_inputs
from cerdas.search.upkeep import update_index


class SearchStage(BaseStage):
    """``publish``'s last stage: (re)index this episode when its metadata or transcript changed."""

    name: ClassVar[StageName] = "search"

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        return episode_inputs(ctx.workspace, episode)

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        ws = ctx.workspace
        report = update_index(ws, [episode], ctx.reporter)
        if report.rebuilt:
            summary = f"index built: {len(report.indexed)} episodes, {report.segments} transcript segments"
        elif report.indexed:
            summary = f"{report.segments} transcript segments indexed"
        else:
            summary = "already in the index"
        return StageOutput(outputs={"index": ws.relative(ws.index_path)}, summary=summary)

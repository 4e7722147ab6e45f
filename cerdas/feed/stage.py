"""The ``feed`` stage of ``publish``: rebuild ``feed/`` whenever anything it shows changed."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

from cerdas import __version__, urls
from cerdas.episode import Episode, list_episodes
from cerdas.errors import CerdasError
from cerdas.facts import FeedFacts, StageName
from cerdas.feed.build import SITE_FORMAT, build_site
from cerdas.fsutil import fingerprint
from cerdas.pipeline import BaseStage, Context, StageOutput
from cerdas.settings import Settings
from cerdas.transcribe.formats import KINDS
from cerdas.workspace import Workspace

# ---------------------------------------------------------------- the publish stage


def _file_state(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _package_hash() -> str:
    digest = hashlib.sha256()
    for folder in ("templates", "static"):
        for entry in sorted(files("cerdas.feed").joinpath(folder).iterdir(), key=lambda e: e.name):
            if entry.is_file():
                digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()[:16]


FEED_INPUT_STAGES = ("tag", "transcribe", "youtube")
"""The stages whose results the feed and the pages show."""


def site_inputs(
    ws: Workspace, settings: Settings, current: Episode | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Everything the built ``feed/`` depends on, for the stage fingerprint: every episode's metadata and
    results, the transcript files, the show settings and artwork, which scheduled episodes are due, the code."""
    now = now or datetime.now(UTC)
    episodes = list_episodes(ws, current)
    state = []
    for ep in episodes:
        meta = ep.to_dict()
        meta["stages"] = {
            name: [rec.fingerprint, rec.outputs, rec.to_dict()["data"]]
            for name, rec in ep.stages.items()
            if name in FEED_INPUT_STAGES
        }
        meta.pop("created", None)
        try:
            due = ep.published_at() <= now
        except CerdasError:
            due = None
        state.append(
            {
                "meta": meta,
                "due": due,
                "transcripts": [_file_state(ws.transcript(ep.slug, k)) for k in KINDS],
                "cover": _file_state(ws.resolve(ep.cover)) if ep.cover else None,
            }
        )
    return {
        "format": [SITE_FORMAT, __version__, _package_hash()],
        "show": asdict(settings.show),
        "artwork": _file_state(settings.artwork_path),
        "episodes": fingerprint(state),
    }


class FeedStage(BaseStage):
    """Publish stage ``feed``: rebuild ``feed/`` (feed + site) from all episodes whenever anything they show changed."""

    name: ClassVar[StageName] = "feed"

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        return site_inputs(ctx.workspace, ctx.settings, current=episode)

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        result = build_site(ctx.workspace, ctx.settings, current=episode, reporter=ctx.reporter)
        sel = result.selection
        note = ""
        if episode.slug in sel.drafts:
            note = "; this episode is a draft, not in the feed"
        elif any(slug == episode.slug for slug, _ in sel.scheduled):
            when = next(w for s, w in sel.scheduled if s == episode.slug)
            note = f"; this episode appears from {when.isoformat()} (run 'cerdas feed' then)"
        public = [i.slug for i in sel.public]
        ws = ctx.workspace
        return StageOutput(
            # stored as written under the workspace, also when feed/ is a link to the web server's folder
            outputs={"feed": f"{ws.feed_dir.name}/{urls.feed_rel()}", "site": f"{ws.feed_dir.name}/index.html"},
            facts=FeedFacts(episodes=len(public), public=episode.slug in public),
            summary=result.summary() + note,
        )

"""The ``feed`` stage of ``publish``: rebuild ``feed/`` whenever anything it shows changed."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

from cerdas import __version__, urls
from cerdas.episode import Episode, list_episodes, now_iso, save_episode
from cerdas.errors import CerdasError, StageError
from cerdas.facts import FeedFacts, FeedProblem, StageName
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
    broken: dict[str, CerdasError] = {}
    episodes = list_episodes(ws, current, broken)
    state: list[Any] = [[slug, str(error)] for slug, error in sorted(broken.items())]
    for ep in episodes:
        meta = ep.to_dict()
        meta.pop("feed_problem", None)  # the build's own verdict, not what it shows
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

    def always_runs(self, episode: Episode, ctx: Context) -> bool:
        """An episode the last build left out is tried again by every publish."""
        return episode.feed_problem is not None

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        ws = ctx.workspace
        try:
            result = build_site(ws, ctx.settings, current=episode, reporter=ctx.reporter)
        except CerdasError as exc:
            # the feed stage failed: say so in the journal (cerdas episodes shows "feed failed"), keeping the
            # metadata this publish checked; every earlier stage is recorded already
            episode.feed_problem = FeedProblem(_reason(exc), now_iso())
            save_episode(ws, episode)
            raise
        for slug, reason in result.left_out.items():
            if slug != episode.slug:
                ctx.reporter.warn(f"episode {slug!r} was left out of the feed: {reason}")
        if episode.slug in result.left_out:
            save_episode(ws, episode)  # with its feed_problem
            raise StageError(
                f"this episode was left out of the feed: {result.left_out[episode.slug]} "
                "(the rest of the feed was published)",
                ws.episode_file(episode.slug),
            )
        sel = result.selection
        note = ""
        if episode.slug in sel.drafts:
            note = "; this episode is a draft, not in the feed"
        elif any(slug == episode.slug for slug, _ in sel.scheduled):
            when = next(w for s, w in sel.scheduled if s == episode.slug)
            note = f"; this episode appears from {when.isoformat()} (run 'cerdas feed' then)"
        public = [i.slug for i in sel.public]
        return StageOutput(
            # stored as written under the workspace, also when feed/ is a link to the web server's folder
            outputs={"feed": f"{ws.feed_dir.name}/{urls.feed_rel()}", "site": f"{ws.feed_dir.name}/index.html"},
            facts=FeedFacts(episodes=len(public), public=episode.slug in public),
            summary=result.summary() + note,
        )


def _reason(exc: CerdasError) -> str:
    """An error's text without the file it names (the journal says which episode)."""
    text = str(exc)
    return text.removeprefix(f"{exc.path}: ") if exc.path is not None else text

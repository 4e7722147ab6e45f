"""``cerdas youtube``: sign in, show the channel and token state, upload/render/forget one episode."""

from __future__ import annotations

import json
import webbrowser
from pathlib import Path
from typing import Any

import click

from cerdas.cli.core import cli, environment, library_context


@cli.group()
def youtube() -> None:
    """Upload episodes to the office's YouTube channel (publish does it too, unless --no-youtube)."""


@youtube.command()
@click.option(
    "--client-secrets",
    type=click.Path(dir_okay=False, path_type=Path),
    help="OAuth client file (default: youtube.client_secrets or CERDAS_YOUTUBE_CLIENT_SECRETS).",
)
@click.option("--no-browser", is_flag=True, help="Only print the address; open it in any browser yourself.")
@click.option(
    "--timeout", default=300, show_default=True, type=click.IntRange(min=10), help="Seconds to wait for the browser."
)
@click.option(
    "--analytics", is_flag=True, help="Also allow YouTube Analytics (watch time and view duration in reports)."
)
@click.pass_context
def login(ctx: click.Context, client_secrets: Path | None, no_browser: bool, timeout: int, analytics: bool) -> None:
    """Sign in with Google (installed-app flow, loopback redirect) and save the token outside the workspace."""
    from cerdas.youtube import auth

    context = library_context(ctx)

    def show(url: str) -> None:
        click.echo("Open this address in a browser, sign in with the channel's account and allow access:", err=True)
        click.echo(f"  {url}", err=True)
        if not no_browser:
            webbrowser.open(url, new=1)

    path = auth.login(
        context.settings, context.env, show, timeout=float(timeout), secrets=client_secrets, analytics=analytics
    )
    click.echo(f"Signed in. Token saved to {path} (mode 0600).")
    if not context.settings.youtube.enabled:
        click.echo("Set 'enabled = true' under [youtube] in cerdas.toml so that publish uploads.")


@youtube.command()
@click.pass_context
def logout(ctx: click.Context) -> None:
    """Delete the saved token (revoke access at myaccount.google.com/permissions too, if wanted)."""
    from cerdas.youtube import auth

    path = auth.logout(environment(ctx))
    click.echo(f"Removed {path}." if path else "No saved token.")


@youtube.command()
@click.option("--offline", is_flag=True, help="Do not contact YouTube; only read the token file.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_context
def status(ctx: click.Context, offline: bool, as_json: bool) -> None:
    """Show the token's state, the channel it uploads to, and each episode's video (exit status 1 when the
    sign-in has a problem)."""
    from cerdas.episode import list_episodes
    from cerdas.errors import CerdasError, shown
    from cerdas.youtube import auth
    from cerdas.youtube.errors import YouTubeError

    context = library_context(ctx)
    out: dict[str, Any] = {"enabled": context.settings.youtube.enabled}
    broken: dict[str, CerdasError] = {}
    try:
        out["token"] = auth.token_state(context.env, check_online=not offline)
        if not offline:
            channel = auth.connect(context.env, context.workspace.root).youtube.my_channel()
            out["channel"] = (
                {
                    "id": channel.get("id"),
                    "title": channel.get("snippet", {}).get("title"),
                    "videos": channel.get("statistics", {}).get("videoCount"),
                }
                if channel
                else None
            )
    except YouTubeError as exc:
        out["problem"] = str(exc)
    out["episodes"] = [
        {
            "slug": e.slug,
            "video_id": e.youtube.video_id if e.youtube else None,
            "url": e.youtube.url if e.youtube else None,
            "state": e.youtube.state if e.youtube else None,
        }
        for e in list_episodes(context.workspace, broken=broken)
    ]
    if broken:
        out["unreadable"] = {slug: str(error) for slug, error in sorted(broken.items())}
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        if "problem" in out or broken:
            ctx.exit(1)
        return
    click.echo(f"YouTube on publish: {'yes' if out['enabled'] else 'no (youtube.enabled = false)'}")
    token = out.get("token")
    if isinstance(token, dict):
        state = "valid" if token.get("valid") else ("expired, refreshable" if token.get("refreshable") else "expired")
        click.echo(f"Token: {token['token_file']} ({state}; expires {token.get('expiry') or '?'})")
    channel = out.get("channel")
    if isinstance(channel, dict):
        click.echo(f"Channel: {channel['title']} ({channel['id']}), {channel['videos']} videos")
    for ep in out["episodes"]:
        line = f"  {ep['slug']:<40} {ep.get('url') or 'not on YouTube'} {ep.get('state') or ''}".rstrip()
        click.echo(shown(line))
    for error in out.get("unreadable", {}).values():
        click.secho(f"Error: {error}", err=True, fg="red")
    if "problem" in out:
        click.secho(f"Error: {out['problem']}", err=True, fg="red")
    if "problem" in out or broken:
        ctx.exit(1)


@youtube.command()
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Show what would be uploaded and the metadata; change nothing.")
@click.option("--force", is_flag=True, help="Run even when the recorded run is current (never uploads twice).")
@click.pass_context
def upload(ctx: click.Context, slug: str, dry_run: bool, force: bool) -> None:
    """Upload episode SLUG now (resumes an interrupted upload; afterwards only updates what changed)."""
    from cerdas.episode import load_episode, save_episode
    from cerdas.errors import CerdasError
    from cerdas.facts import YouTubeFacts
    from cerdas.media.ffmpeg import FFmpeg
    from cerdas.pipeline import run_stage
    from cerdas.youtube.stage import YouTubeStage, plan

    context = library_context(ctx, dry_run=dry_run, force=force)
    ws = context.workspace
    episode = load_episode(ws, slug)
    if dry_run:
        for line in plan(episode, context):
            click.echo(line)
        return
    stage = YouTubeStage(FFmpeg.from_env(context.env), explicit=True)
    stage.check(context)  # the sign-in, before the lock
    with ws.lock():
        report = run_stage(stage, episode, context)
        save_episode(ws, episode)
    click.echo(f"youtube {report.status}: {report.summary}")
    if episode.youtube is not None and episode.youtube.url:
        click.echo(episode.youtube.url)
    facts = episode.facts(YouTubeFacts)
    if facts is not None and facts.state == "waiting":
        # the upload stopped (quota, YouTube unreachable): what was confirmed is kept, the command failed
        raise CerdasError(
            f"the upload stopped: {report.summary.removeprefix('stopped: ')}; run "
            f"'cerdas youtube upload {slug}' again to continue",
            ws.youtube_journal(slug),
        )


@youtube.command()
@click.argument("slug")
@click.pass_context
def render(ctx: click.Context, slug: str) -> None:
    """Render (or mux) episode SLUG's video file without uploading it."""
    from cerdas.episode import load_episode
    from cerdas.media.ffmpeg import FFmpeg
    from cerdas.youtube.stage import prepare_video
    from cerdas.youtube.upload import Journal

    context = library_context(ctx)
    ws = context.workspace
    with ws.lock():
        episode = load_episode(ws, slug)
        journal = Journal.load(ws.youtube_journal(slug))
        if journal.video_id:
            click.echo(f"Note: video {journal.video_id} is already on YouTube; this file will not be uploaded.")
        path = prepare_video(episode, context, journal, FFmpeg.from_env(context.env))
    click.echo(f"{ws.relative(path)} ({path.stat().st_size / 1e6:.1f} MB)")


@youtube.command()
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_context
def forget(ctx: click.Context, slug: str, yes: bool) -> None:
    """Forget SLUG's upload record (the video on YouTube is NOT deleted); the next publish uploads again."""
    from cerdas.episode import load_episode, save_episode

    context = library_context(ctx)
    ws = context.workspace
    with ws.lock():
        episode = load_episode(ws, slug)
        video = episode.video_id
        if video and not yes:
            click.confirm(
                f"Forget video {video}? Delete it on YouTube yourself, or the episode will be there twice", abort=True
            )
        ws.youtube_journal(slug).unlink(missing_ok=True)
        episode.youtube = None
        episode.stages.pop("youtube", None)
        save_episode(ws, episode)
    click.echo(f"Forgot the YouTube record of {slug}.")

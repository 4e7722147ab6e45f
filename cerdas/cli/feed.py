"""``cerdas`` commands for the feed area; registered on :data:`cerdas.cli.core.cli`."""

from __future__ import annotations

from urllib.parse import urlparse

import click

from cerdas.cli.core import _context, cli


@cli.command()
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only check the built feed/ against Apple's and Podcast Index's rules; change nothing.",
)
@click.pass_context
def feed(ctx: click.Context, check_only: bool) -> None:
    """Rebuild feed/ (feed.xml and the site) from every episode, or check it (--check).

    A rebuild that fails the check leaves the published feed/ as it was. Scheduled episodes appear at the first
    rebuild after their time: run this from cron (e.g. every 15 minutes) to publish them on time.
    """
    from cerdas.feed.build import rebuild
    from cerdas.feed.rules import FeedCheckError, check_feed

    context = _context(ctx)
    ws = context.workspace
    if check_only:
        violations = check_feed(ws.feed_dir, context.settings)
        for violation in violations:
            click.echo(str(violation))
        errors = sum(v.level == "error" for v in violations)
        if errors:
            raise click.ClickException(f"{ws.feed_dir / 'feed.xml'}: {errors} error(s); podcast apps may refuse it")
        click.echo(f"{ws.feed_dir / 'feed.xml'}: passes ({len(violations)} warning(s))")
        return
    try:
        result = rebuild(ws, context.settings, reporter=context.reporter)
    except FeedCheckError as exc:
        for violation in exc.violations:
            click.echo(str(violation))
        raise
    click.echo(f"Feed rebuilt: {ws.feed_dir / 'feed.xml'}: {result.summary()}")
    for slug, when in result.selection.scheduled:
        click.echo(f"  scheduled   {slug} from {when.isoformat()}")


@cli.command()
@click.option(
    "--port",
    "-p",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="TCP port (0 picks a free one).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets phones on the office network subscribe.",
)
@click.pass_context
def serve(ctx: click.Context, port: int, host: str) -> None:
    """Serve feed/ over HTTP to preview the site and subscribe from a podcast app (Ctrl-C stops)."""
    from cerdas.errors import CerdasError
    from cerdas.feed.serve import make_server

    context = _context(ctx)
    folder = context.workspace.feed_dir
    if not (folder / "feed.xml").is_file():
        raise CerdasError("no feed.xml yet; run 'cerdas feed' or 'cerdas publish' first", folder)
    server = make_server(folder, host, port, quiet=False)
    bound = server.server_address[1]
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    click.echo(f"Serving {folder} at http://{shown}:{bound}/ (feed: http://{shown}:{bound}/feed.xml)")
    feed_host = urlparse(context.settings.base_url).hostname or ""
    if host not in ("127.0.0.1", "localhost") and feed_host in ("localhost", "127.0.0.1"):
        click.secho(
            "Warning: show.base_url points at localhost, so apps on other machines cannot fetch the audio; "
            "set it to this machine's address and run 'cerdas feed'",
            err=True,
            fg="yellow",
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()

"""``cerdas feed``: rebuild or check the published ``feed/`` folder."""

from __future__ import annotations

import click

from cerdas.cli.core import cli, library_context


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

    context = library_context(ctx)
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
    if result.left_out:
        # one broken episode never blocks the others: they were published; each left out is one line, and the
        # exit status says that something needs fixing
        for slug, reason in sorted(result.left_out.items()):
            shown = reason if reason.startswith(str(ws.root)) else f"{ws.episode_file(slug)}: {reason}"
            click.secho(f"Error: left out of the feed: {shown}", err=True, fg="red")
        ctx.exit(1)

"""``cerdas serve``: preview ``feed/`` over HTTP, or let phones on the office network subscribe."""

from __future__ import annotations

from urllib.parse import urlparse

import click

from cerdas.cli.core import cli, library_context


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
    import logging

    from cerdas.errors import CerdasError
    from cerdas.feed.serve import make_server

    logging.basicConfig(level=logging.INFO, format="%(message)s")  # one line per request on stderr

    context = library_context(ctx)
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

"""``cerdas studio``: the producer's web app; ``cerdas studio password`` and ``cerdas studio token``."""

from __future__ import annotations

from pathlib import Path

import click

from cerdas.cli.core import cli as root
from cerdas.cli.core import environment, workspace_of


@root.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (other than this "
              "machine only with a password: 'cerdas studio password').")  # fmt: skip
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="TCP port (0 picks a free one).")  # fmt: skip
@click.option("--open", "open_browser", is_flag=True, help="Open the studio in the web browser.")
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TLS certificate (PEM): serve HTTPS, so the session cookie is Secure.")  # fmt: skip
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The certificate's private key (PEM).")  # fmt: skip
@click.pass_context
def studio(
    ctx: click.Context, host: str, port: int, open_browser: bool, certfile: Path | None, keyfile: Path | None
) -> None:
    """Serve Cerdas Studio, the web app to publish episodes and correct transcripts (Ctrl-C stops)."""
    if ctx.invoked_subcommand is not None:
        return
    import webbrowser

    from cerdas.studio.app import serve
    from cerdas.studio.state import StudioConfig

    if (certfile is None) != (keyfile is None):
        raise click.UsageError("--certfile and --keyfile go together")
    workspace = workspace_of(ctx)
    workspace.settings()  # a broken cerdas.toml stops here, with its one-line reason
    config = StudioConfig(workspace, environment(ctx), host, port, https=certfile is not None)

    def announce(url: str) -> None:
        click.echo(f"Cerdas Studio for {workspace.root}: {url}", nl=True)
        click.echo("Ctrl-C stops it.", err=True)
        if open_browser:
            webbrowser.open(url.replace("://0.0.0.0:", "://localhost:"))

    serve(config, announce, certfile, keyfile)


@studio.command()
@click.option("--remove", is_flag=True, help="Forget the password (the studio is then for this machine only).")
@click.pass_context
def password(ctx: click.Context, remove: bool) -> None:
    """Set the studio's password (stored as a salted scrypt hash in your config folder, never in the workspace)."""
    from cerdas.errors import WorkspaceError
    from cerdas.studio.auth import MIN_PASSWORD, remove_password, set_password
    from cerdas.workspace import find_workspace

    env = environment(ctx)
    if remove:
        click.echo("Password removed." if remove_password(env) else "No password was set.")
        return
    try:
        root_dir = (ctx.obj.get("workspace") or find_workspace()).root
    except WorkspaceError:  # outside a workspace is fine: the password is the user's, not a show's
        root_dir = None
    secret = click.prompt(
        f"New studio password (at least {MIN_PASSWORD} characters)", hide_input=True, confirmation_prompt=True
    )
    path = set_password(env, secret, root_dir)
    click.echo(f"Password set ({path}). Restart 'cerdas studio' for it to apply.")


@studio.command()
@click.option("--revoke-all", is_flag=True, help="Remove every API token made so far.")
@click.pass_context
def token(ctx: click.Context, revoke_all: bool) -> None:
    """Make an API token for scripts (sent as 'Authorization: Bearer TOKEN'); it is shown once."""
    from cerdas.studio.auth import new_token, revoke_tokens

    env = environment(ctx)
    if revoke_all:
        click.echo(f"{revoke_tokens(env)} token(s) revoked.")
        return
    click.echo(new_token(env))

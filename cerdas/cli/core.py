"""The ``cerdas`` group: the one error boundary, the terminal reporter and the library context.

Each command (in the module of its area) parses its arguments, calls one library function and prints what it
returns. A :class:`~cerdas.errors.CerdasError` becomes ``Error: <one line>`` and exit status 1; usage errors
exit 2. The process environment is read once here (:class:`~cerdas.env.Environment`) and carried in the context.

Commands import the library inside their function body: ``cerdas --help`` then starts in a tenth of a second
instead of loading Whisper and Google's client (half a second more). No import cycle hides behind this.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

import click

from cerdas import __version__
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.pipeline import Context
from cerdas.report import NullReporter, Progress
from cerdas.workspace import Workspace, find_workspace


class TerminalProgress:
    """A one-line progress bar on stderr (redrawn in place on a terminal, every 10 % otherwise)."""

    def __init__(self, label: str, total: float, unit: str, stream: TextIO) -> None:
        self.label, self.total, self.unit, self.stream = label, max(total, 0.0), unit, stream
        self.tty = stream.isatty()
        self.last_step = -1
        self.last_draw = 0.0
        self.started = time.monotonic()

    def _fmt(self, value: float) -> str:
        if self.unit == "B":
            return f"{value / 1e6:.1f} MB"
        return f"{int(value // 60)}:{int(value % 60):02d}"

    def update(self, done: float) -> None:
        fraction = min(done / self.total, 1.0) if self.total > 0 else 0.0
        if self.tty:
            now = time.monotonic()
            if now - self.last_draw < 0.1 and fraction < 1.0:
                return
            self.last_draw = now
            filled = int(fraction * 30)
            self.stream.write(
                f"\r{self.label:<20} [{'#' * filled}{'.' * (30 - filled)}] {fraction * 100:5.1f}% "
                f"{self._fmt(done)}/{self._fmt(self.total)}"
            )
            self.stream.flush()
        else:
            step = int(fraction * 10)
            if step > self.last_step:
                self.last_step = step
                self.stream.write(f"{self.label}: {step * 10}%\n")

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()


class ClickReporter:
    """Messages to stderr (stdout stays for results); ``quiet`` hides info and progress."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def warn(self, message: str) -> None:
        click.secho(f"Warning: {message}", err=True, fg="yellow")

    def progress(self, label: str, total: float, unit: str = "s") -> Progress:
        if self.quiet:
            return NullReporter().progress(label, total, unit)
        return TerminalProgress(label, total, unit, sys.stderr)


class CerdasGroup(click.Group):
    """The one error boundary: library errors become one line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CerdasError as exc:
            raise click.ClickException(str(exc)) from exc


def environment(ctx: click.Context) -> Environment:
    """The environment the group read at start."""
    env: Environment = ctx.ensure_object(dict)["env"]
    return env


def reporter(ctx: click.Context) -> ClickReporter:
    """The terminal reporter (``--quiet`` respected)."""
    rep: ClickReporter = ctx.ensure_object(dict)["reporter"]
    return rep


def workspace_of(ctx: click.Context) -> Workspace:
    """``--workspace``, else the nearest folder upwards holding ``cerdas.toml``."""
    ws: Workspace = ctx.ensure_object(dict).get("workspace") or find_workspace()
    return ws


def library_context(ctx: click.Context, **flags: Any) -> Context:
    """Find the workspace, read its settings once and build the library context."""
    workspace = workspace_of(ctx)
    return Context(
        workspace=workspace, settings=workspace.settings(), reporter=reporter(ctx), env=environment(ctx), **flags
    )


@click.group(cls=CerdasGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cerdas")
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder (default: the nearest folder upwards holding cerdas.toml).",
)
@click.option("--quiet", "-q", is_flag=True, help="Only results and errors; no progress.")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, quiet: bool) -> None:
    """Cerdas: produce and publish a podcast from a raw interview recording."""
    obj = ctx.ensure_object(dict)
    obj["reporter"] = ClickReporter(quiet)
    obj["env"] = Environment.from_environ()
    if workspace is not None:
        if not (workspace / "cerdas.toml").is_file() and ctx.invoked_subcommand != "init":
            raise click.BadParameter(f"{workspace} holds no cerdas.toml", param_hint="--workspace")
        obj["workspace"] = Workspace(workspace.resolve())

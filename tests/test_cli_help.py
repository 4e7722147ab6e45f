"""Every registered command and sub-command has working ``--help`` (sqlite-utils style: the test walks the
registry, so a command another area adds later is covered without editing this file)."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from cerdas.cli.main import cli


def _walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _walk(command, (*path, name))


COMMANDS = list(_walk(cli))


def test_the_core_commands_are_registered() -> None:
    assert {("init",), ("publish",), ("episodes",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(p) or "cerdas")
def test_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ")
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    summary = command.get_short_help_str(limit=200)
    assert summary and summary[0].isupper(), f"'cerdas {' '.join(path)}' needs a one-line description"
    assert summary.split(".")[0] in " ".join(result.stdout.split())
    # every option explains itself
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"'cerdas {' '.join(path)}' option {param.opts[0]} has no help text"
    # -h works as well as --help
    assert CliRunner().invoke(cli, [*path, "-h"]).exit_code == 0

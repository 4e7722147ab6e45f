"""Shared fixtures: a fresh workspace per test and a Click runner that calls the real CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cerdas.cli.main import cli
from cerdas.workspace import Workspace, init_workspace

pytest_plugins = ["tests.browser"]  # the headless-Chromium fixtures: browser, served


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A workspace made by ``cerdas init`` (placeholder artwork, default settings)."""
    return init_workspace(
        tmp_path / "show", "Podcast Uji", "Podcast untuk pengujian.", "Inspektorat Uji", "uji@example.go.id"
    )


@pytest.fixture
def run_cli(workspace: Workspace) -> Callable[..., Result]:
    """Invoke ``cerdas -w <workspace> ARGS...``; stdout and stderr are kept apart."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["-w", str(workspace.root), *args], catch_exceptions=False)

    return run

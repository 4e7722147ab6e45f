"""The shape of the house (docs/ARCHITECTURE.md): no import cycle, every module importable first, small modules
and functions, the library reading no environment variable, every command documented in the README."""

from __future__ import annotations

import ast
import random
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cerdas.cli.main import cli
from cerdas.env import Environment

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cerdas"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
LONG_ON_PURPOSE = "Long on purpose:"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, bool]]:
    """The cerdas modules ``path`` imports, each with whether the import is at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name in modules and name.startswith("cerdas"):
                found.append((name, id(node) in top))
    return found


def test_the_import_graph_has_no_cycle() -> None:
    modules = _modules()
    graph = {name: {m for m, _ in _imports(path, modules) if m != name} for name, path in modules.items()}
    for name in graph:  # a package's __init__ is imported with each of its modules
        parent = name.rsplit(".", 1)[0]
        if parent in graph and parent != name:
            graph[name].add(parent)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_library_imports_are_at_module_level() -> None:
    """Only the command line imports inside functions (so that ``cerdas --help`` starts fast)."""
    modules = _modules()
    inside = [
        f"{name} imports {imported} inside a function"
        for name, path in modules.items()
        if not name.startswith("cerdas.cli")
        for imported, top in _imports(path, modules)
        if not top
    ]
    assert inside == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_module_imports_in_any_order(seed: int) -> None:
    names = [n for n in _modules() if not n.endswith("__main__")]
    random.Random(seed).shuffle(names)
    code = "import importlib\nfor name in " + repr(names) + ":\n    importlib.import_module(name)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_modules_and_functions_stay_small() -> None:
    big = []
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            big.append(f"{name}: {len(text.splitlines())} lines")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                body = "\n".join(lines[node.lineno - 1 : node.end_lineno])
                if length > MAX_FUNCTION_LINES and LONG_ON_PURPOSE not in body:
                    big.append(f"{name}.{node.name}: {length} lines (split it, or say why beside it)")
    assert big == []


def test_the_library_reads_no_environment_variable() -> None:
    """Only :mod:`cerdas.env` and the ``python -m`` entry points read ``os.environ``; the rest takes an
    :class:`~cerdas.env.Environment`."""
    readers = []
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        for needle in ("os.environ.get(", "os.getenv(", "os.environ["):
            if needle in text and name != "cerdas.env":
                readers.append(f"{name}: {needle}")
    assert readers == []


def test_the_environment_is_read_once_with_every_variable() -> None:
    env = Environment.from_environ(
        {
            "HOME": "/home/staf",
            "XDG_CACHE_HOME": "/cache",
            "CERDAS_FFMPEG": "/opt/ffmpeg",
            "CERDAS_YOUTUBE_ENDPOINT": "http://127.0.0.1:8765/",
            "CERDAS_YOUTUBE_BACKOFF": "0.01",
            "NO_COLOR": "1",
        }
    )
    assert env.model_dir == Path("/cache/cerdas/models")
    assert env.youtube_token == Path("/home/staf/.config/cerdas/youtube-token.json")
    assert env.config_dir == Path("/home/staf/.config/cerdas")
    assert (env.ffmpeg, env.ffprobe) == ("/opt/ffmpeg", "ffprobe")
    assert env.youtube_endpoint == "http://127.0.0.1:8765/" and env.youtube_backoff == "0.01" and env.no_color
    explicit = Environment.from_environ({"HOME": "/h", "CERDAS_MODEL_DIR": "/m", "CERDAS_YOUTUBE_TOKEN": "/t.json"})
    assert explicit.model_dir == Path("/m") and explicit.youtube_token == Path("/t.json")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in sorted(group.commands.items()):
        out.append((*prefix, name))
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
    return out


def test_every_command_is_in_the_readme() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    missing = []
    for path in _commands(cli):
        top = f"cerdas {path[0]}"
        if len(path) == 1:
            found = top in readme
        else:  # `cerdas youtube login|status|upload` names every subcommand of a group
            alternatives = [part.split()[0].replace("\\", "").strip("`") for part in readme.split(f"{top} ")[1:]]
            found = any(path[1] in chunk.split("|") for chunk in alternatives)
        if not found:
            missing.append("cerdas " + " ".join(path))
    assert missing == []

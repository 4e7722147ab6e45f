"""Issue 13's fuzz test: generated episodes with hostile metadata, and hand-edited journals, through the real
command line, and the invariants that must hold whatever they hold:

* no traceback; exit status 0, 1 or 2, and a failure says so in ``Error:`` lines free of control characters;
* nothing written outside the workspace;
* ``feed/`` valid (no check error) and holding every healthy episode;
* no stray process (ffmpeg, Pagefind) and no temporary file left behind.

Hypothesis generates the cases with a fixed seed (``derandomize``), so CI runs the same examples every time within
about a minute; ``CERDAS_FUZZ_EXAMPLES=500`` asks for more (and ``CERDAS_FUZZ_SEED=random`` for new ones).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cerdas.cli.main import cli
from cerdas.feed.rules import check_feed
from cerdas.workspace import Workspace, init_workspace
from tests.audio_support import leftovers
from tests.feed_support import disable_whisper, image, make_episode, set_show
from tests.media import uneven_speech

EXAMPLES = int(os.environ.get("CERDAS_FUZZ_EXAMPLES", "60"))
settings.register_profile(
    "cerdas-fuzz",
    max_examples=EXAMPLES,
    derandomize=os.environ.get("CERDAS_FUZZ_SEED", "") != "random",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

pytestmark = pytest.mark.slow

# -- what a hostile producer or committer types ---------------------------------------------------------------

NASTY = [
    "",
    " ",
    "<script>alert(1)</script>",
    "<b onclick=x>tebal</b> <a href='javascript:alert(1)'>klik</a>",
    "\x1b]0;diretas\x07",
    "\x00\x07\x0b\x1b[2J\x7f\x9b",
    "a" * 300,
    "kata " * 900,
    "../../../outside/x",
    "/etc/passwd",
    "Ibu Ratna\u202e",
    "'; DROP TABLE fts; --",
    '"]]>&amp;<![CDATA[',
]
URLS = [
    "https://ok.example/bab",
    "javascript:alert(1)",
    "data:text/html,<script>x</script>",
    "mailto:tim@kantor.example",
    "mailto:javascript:x",
    "http://user:pw@h.example/",
    "http://h.example:99999/",
    " https://a.example",
    "//evil.example/x",
    "file:///etc/passwd",
]
texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
)
starts = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32), st.integers(-5, 20), st.none(), st.sampled_from(["1"])
)
chapter_items = st.fixed_dictionaries(
    {"startTime": starts},
    optional={
        "title": st.one_of(texts, st.none(), st.integers(), st.just({"x": 1})),
        "url": st.sampled_from(URLS),
        "img": st.sampled_from(URLS),
        "toc": st.booleans(),
    },
)
chapter_docs = st.one_of(
    st.builds(lambda items: {"version": "1.2.0", "chapters": items}, st.lists(chapter_items, max_size=4)),
    st.sampled_from([{"chapters": {"x": 1}}, {"chapters": None}, [1, 2], "teks"]),
)
COVERS = ("png", "jpg", "gif", "webp", "small", "not-an-image", "fifo", "none")


@dataclass(frozen=True)
class Publish:
    title: str
    description: str | None
    guests: list[str]
    chapters: Any
    cover: str


@dataclass(frozen=True)
class Edit:
    values: dict[str, Any]
    special: str  # "", "garbage", "fifo", "symlink", "vtt"


publishes = st.builds(
    Publish,
    title=st.one_of(st.just("Episode Uji"), texts),
    description=st.one_of(st.none(), texts),
    guests=st.lists(texts, max_size=3),
    chapters=st.one_of(st.none(), chapter_docs),
    cover=st.sampled_from(COVERS),
)
JOURNAL_KEYS = [
    "title",
    "slug",
    "cover",
    "pub_date",
    "created",
    "number",
    "season",
    "episode_type",
    "guests",
    "description",
    "chapters",
    "source",
    "guid",
    "draft",
    "stages.tag.outputs.mp3",
    "youtube.video_id",
    "feed_problem.reason",
]
values = st.one_of(
    texts,
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(texts, max_size=2),
    st.lists(chapter_items.map(lambda c: {"start": c["startTime"], "title": c.get("title")}), max_size=2).map(
        lambda items: [{k: v for k, v in item.items() if v is not None} for item in items]
    ),
    st.sampled_from(["episodes/dasar/cover.png", "2025-13-45", "2025-06-01T08:00:00+07:00", "full", "trailer"]),
)
edits = st.builds(
    Edit,
    values=st.dictionaries(st.sampled_from(JOURNAL_KEYS), values, min_size=1, max_size=4),
    special=st.sampled_from(["", "", "", "garbage", "fifo", "symlink", "vtt"]),
)
actions = st.one_of(publishes, edits)


# -- the world each example runs in --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with one episode published through the whole pipeline ('dasar') and one healthy episode that
    no example touches ('tetap'), plus the recording."""
    root = tmp_path_factory.mktemp("fuzz-base")
    ws = init_workspace(root / "show", "Podcast Uji", "Uji.", "Inspektorat Uji", "uji@example.go.id")
    disable_whisper(ws)
    set_show(ws, base_url="https://podcast.example.go.id/")  # 'feed --check' refuses localhost once public
    recording = uneven_speech(root / "rekaman.wav", seconds=4)
    make_episode(ws, "tetap", "Tetap Sehat", number=1, pub_date="2025-01-01T08:00:00+07:00")
    result = _run(ws, "publish", str(recording), "--title", "Dasar", "--slug", "dasar", "--no-youtube")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def world(base: Path, tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


def _run(ws: Workspace, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args], catch_exceptions=True)


def _fresh(base: Path, into: Path) -> tuple[Workspace, Path]:
    if into.exists():
        shutil.rmtree(into)
    shutil.copytree(base, into, symlinks=True)
    (into / "outside").mkdir()
    (into / "outside" / "victim.json").write_text("punya orang lain", encoding="utf-8")
    return Workspace(into / "show"), into / "inputs"


def _cover(kind: str, folder: Path) -> Path | None:
    path = folder / f"sampul.{kind}"
    if kind == "none":
        return None
    if kind in ("png", "jpg", "gif", "webp"):
        return image(path, fmt={"jpg": "JPEG"}.get(kind, kind.upper()))
    if kind == "small":
        return image(path.with_suffix(".png"), (10, 10))
    if kind == "fifo":
        os.mkfifo(path)
        return path
    path.write_bytes(b"bukan gambar")
    return path


def _publish(ws: Workspace, inputs: Path, action: Publish, recording: Path) -> list[Result]:
    inputs.mkdir(exist_ok=True)
    args = ["publish", str(recording), "--title", action.title, "--slug", "dasar", "--no-youtube"]
    if action.description is not None:
        args += ["--description", action.description]
    for guest in action.guests:
        args += ["--guest", guest]
    if action.chapters is not None:
        chapters = inputs / "bab.json"
        chapters.write_text(json.dumps(action.chapters), encoding="utf-8")
        args += ["--chapters", str(chapters)]
    cover = _cover(action.cover, inputs)
    if cover is not None:
        args += ["--cover", str(cover)]
    return [_run(ws, *args)]


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    for part in parents:
        nxt = data.setdefault(part, {})
        if not isinstance(nxt, dict):
            data[part] = nxt = {}
        data = nxt
    data[last] = value


def _edit(ws: Workspace, action: Edit) -> list[Result]:
    path = ws.episode_file("dasar")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for key, value in action.values.items():
        _set(data, key, value)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    if action.special == "garbage":
        path.write_bytes(b"\xff\xfe slug = [[[")
    elif action.special == "fifo":
        path.unlink()
        os.mkfifo(path)
    elif action.special == "symlink":
        path.unlink()
        path.symlink_to(ws.root.parent / "outside" / "victim.json")
    elif action.special == "vtt":
        ws.transcripts_dir.mkdir(exist_ok=True)
        ws.transcript("dasar", "vtt").write_text(
            "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Tamu\x1b]0;x\x07>Gratifikasi\x00 \x1b[2J\n", encoding="utf-8"
        )
        ws.transcript("dasar", "json").write_text('{"segments": [{"startTime": NaN}]}', encoding="utf-8")
    return [_run(ws, "feed"), _run(ws, "episodes"), _run(ws, "search", "gratifikasi")]


# -- the invariants --------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _children_alive() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            before, after = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = after.split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and re.search(r"ffmpeg|ffprobe|pagefind", before):
            found.append(before)
    return found


def _outside(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() and not p.is_fifo() else b""
        for p in root.rglob("*")
        if "show" not in p.relative_to(root).parts[:1] and "inputs" not in p.relative_to(root).parts[:1]
    }


def _check(results: list[Result], ws: Workspace, root: Path, outside_before: dict[str, bytes]) -> None:
    for result in results:
        exc = result.exception
        assert exc is None or isinstance(exc, SystemExit), f"traceback: {exc!r}\n{result.output}"
        assert result.exit_code in (0, 1, 2), result.output
        if result.exit_code:
            errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
            assert errors, result.output
            assert not any(_CONTROL.search(line) for line in errors), errors
    assert _outside(root) == outside_before, "something was written outside the workspace"
    errors = [str(v) for v in check_feed(ws.feed_dir, ws.settings()) if v.level == "error"]
    assert errors == [], errors
    feed = (ws.feed_dir / "feed.xml").read_text(encoding="utf-8")
    assert "/audio/tetap.mp3" in feed, "a healthy episode went missing from the feed"
    assert not _CONTROL.search(feed)
    assert _children_alive() == []
    assert leftovers(ws.root) == [] and not list(ws.root.glob(".feed.*"))


@settings(settings.get_profile("cerdas-fuzz"))
@given(action=actions)
def test_hostile_episodes_never_break_the_invariants(world: Path, base: Path, action: Publish | Edit) -> None:
    root = world / "example"
    ws, inputs = _fresh(base, root)
    outside_before = _outside(root)
    if isinstance(action, Publish):
        results = _publish(ws, inputs, action, root / "rekaman.wav")
        if results[0].exit_code == 0:
            assert "/audio/dasar.mp3" in (ws.feed_dir / "feed.xml").read_text(encoding="utf-8")
    else:
        results = _edit(ws, action)
    _check(results, ws, root, outside_before)

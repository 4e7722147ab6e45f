"""Issue 13: every file Cerdas reads is hostile, one bad episode never blocks the others. One test (or more) per
finding of the issue, each through the real command line on real files; the fuzz test is test_fuzz_hostile.py."""

from __future__ import annotations

import json
import os
import stat
import struct
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner, Result
from lxml import html as lxml_html

from cerdas.cli.main import cli
from cerdas.episode import Chapter, load_episode
from cerdas.errors import CerdasError
from cerdas.feed.rules import check_feed
from cerdas.fsutil import atomic_write_text
from cerdas.workspace import Workspace
from tests.audio_support import leftovers, snapshot
from tests.feed_support import disable_whisper, image, make_episode, write_transcript
from tests.media import uneven_speech

PRIVATE = b"\x89PNG rahasia kantor: gaji pegawai"


def _edit(ws: Workspace, folder: str, **values: object) -> None:
    """Hand-edit an episode's journal as someone committing to the shared repository would."""
    path = ws.episode_file(folder)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for key, value in values.items():
        target = data
        *parents, last = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def _in_feed(ws: Workspace) -> list[str]:
    import re

    return sorted(re.findall(r"/audio/([a-z0-9-]+)\.mp3", (ws.feed_dir / "feed.xml").read_text(encoding="utf-8")))


def _one_error_line(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert lines and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.fixture
def two(workspace: Workspace) -> Workspace:
    """Two healthy published episodes (journal + MP3, as the tag stage leaves them), at a real address (a
    localhost base_url is an error for 'feed --check' once episodes are public)."""
    from tests.workspace_support import set_keys

    set_keys(workspace, "show", base_url="https://podcast.example.go.id/")
    make_episode(workspace, "baik", "Baik", number=1, pub_date="2025-01-01T08:00:00+07:00")
    make_episode(workspace, "korban", "Korban", number=2, pub_date="2025-02-01T08:00:00+07:00")
    return workspace


# -- 1. a slug inside episode.toml that leaves the workspace -------------------------------------------------


def test_1_a_journal_slug_cannot_write_outside_and_the_rest_is_published(
    two: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.json").write_text("punya orang lain", encoding="utf-8")
    before = snapshot(tmp_path / "outside")
    _edit(two, "korban", slug="../../../outside/victim")
    result = run_cli("feed")
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "korban/episode.toml" in line and "'slug'" in line
    assert snapshot(outside) == before and sorted(p.name for p in tmp_path.iterdir()) == ["outside", "show"]
    assert _in_feed(two) == ["baik"]  # the healthy episode is published
    assert run_cli("episodes").exit_code == 1  # the damaged journal is named, not skipped silently
    _edit(two, "korban", slug="korban")
    assert run_cli("feed").exit_code == 0 and _in_feed(two) == ["baik", "korban"]


def test_1_slug_and_folder_must_agree(two: Workspace) -> None:
    _edit(two, "korban", slug="baik")
    with pytest.raises(CerdasError, match=r"'slug' is 'baik' but the episode's folder is 'korban'"):
        load_episode(two, "korban")


# -- 2. the journal can publish any readable file ------------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        {"cover": "PRIVATE"},
        {"cover": "../../../private.png"},
        {"stages.tag.outputs.mp3": "PRIVATE"},
        {"source": "../../private.png"},
    ],
)
def test_2_a_journal_path_cannot_publish_a_private_file(
    two: Workspace, run_cli: Callable[..., Result], tmp_path: Path, edit: dict[str, str]
) -> None:
    private = tmp_path / "private.png"
    private.write_bytes(PRIVATE)
    _edit(two, "korban", **{k: str(private) if v == "PRIVATE" else v for k, v in edit.items()})
    result = run_cli("feed")
    assert result.exit_code == 1 and "korban/episode.toml" in _one_error_line(result)
    assert _in_feed(two) == ["baik"]
    assert not any(PRIVATE in p.read_bytes() for p in two.feed_dir.rglob("*") if p.is_file())
    assert run_cli("feed", "--check").exit_code == 0


def test_2_a_cover_linked_out_of_the_episode_folder_is_not_published(
    two: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    private = image(tmp_path / "private.png")
    link = two.cover("korban", ".png")
    link.symlink_to(private)
    _edit(two, "korban", cover="episodes/korban/cover.png")
    result = run_cli("feed")
    assert result.exit_code == 1 and "link out of the episode's folder" in _one_error_line(result)
    assert not list(two.feed_dir.glob("covers/*")) and _in_feed(two) == ["baik"]


def test_2_a_transcript_or_mp3_that_is_a_link_is_not_published(
    two: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    private = tmp_path / "private.txt"
    private.write_bytes(PRIVATE)
    write_transcript(two, "korban")
    (two.transcripts_dir / "korban.txt").unlink()
    (two.transcripts_dir / "korban.txt").symlink_to(private)
    mp3 = two.published_audio("baik")
    mp3.unlink()
    mp3.symlink_to(private)
    result = run_cli("feed")
    assert result.exit_code == 1 and _in_feed(two) == []
    assert not any(PRIVATE in p.read_bytes() for p in two.feed_dir.rglob("*") if p.is_file())


# -- 3. one bad episode blocks every publish; a fixed re-publish does not help --------------------------------


@pytest.mark.parametrize(
    ("edit", "shown"),
    [
        ({"title": 5}, "'title' must be text"),
        ({"number": "x"}, "'number' must be a whole number"),
        ({"pub_date": "kemarin"}, "'pub_date' is not an ISO 8601 date"),
        ({"description": "kata " * 1000}, "4000"),
        ({"episode_type": "film"}, "'episode_type' must be one of"),
        ({"chapters": [{"start": 1.0, "title": "x", "url": "javascript:alert(1)"}]}, "'url' must be an http(s)"),
        ({"cover": "episodes/korban/cover.gif"}, "the cover is GIF"),
        ({"cover": "episodes/korban/cover.webp"}, "the cover is WEBP"),
    ],
)
def test_3_one_bad_episode_is_left_out_and_the_rest_published(
    two: Workspace, run_cli: Callable[..., Result], edit: dict[str, object], shown: str
) -> None:
    image(two.episode_dir("korban") / "cover.gif", (1400, 1400), mode="RGB", fmt="GIF")
    image(two.episode_dir("korban") / "cover.webp", (1400, 1400), mode="RGB", fmt="WEBP")
    _edit(two, "korban", **edit)
    result = run_cli("feed")
    assert result.exit_code == 1 and shown in _one_error_line(result)
    assert _in_feed(two) == ["baik"]
    assert not [v for v in check_feed(two.feed_dir, two.settings()) if v.level == "error"]


def test_3_control_characters_in_a_journal_are_removed_not_fatal(
    two: Workspace, run_cli: Callable[..., Result]
) -> None:
    _edit(
        two,
        "korban",
        guests=["Ibu\x0b Ratna\x1b[31m"],
        chapters=[{"start": 0.0, "title": "Bab\x00 satu"}, {"start": 5.0, "title": "Bab dua\x07"}],
    )
    assert run_cli("feed").exit_code == 0 and _in_feed(two) == ["baik", "korban"]
    for path in two.feed_dir.rglob("*"):
        if path.suffix in (".xml", ".html", ".json"):
            text = path.read_text(encoding="utf-8")
            assert not any(c in text for c in "\x00\x07\x0b\x1b"), path
    assert "Ibu Ratna[31m" in (two.feed_dir / "feed.xml").read_text(encoding="utf-8")


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    return uneven_speech(tmp_path / "rekaman.wav", seconds=6)


def test_3_publish_refuses_before_any_work_and_a_fixed_publish_repairs(
    workspace: Workspace, run_cli: Callable[..., Result], recording: Path, tmp_path: Path
) -> None:
    disable_whisper(workspace)
    gif = image(tmp_path / "sampul.gif", fmt="GIF")
    refused = run_cli("publish", str(recording), "--title", "Satu", "--cover", str(gif), "--no-youtube")
    assert refused.exit_code == 1 and "the cover is GIF" in _one_error_line(refused) and "sampul.gif" in refused.stderr
    assert not workspace.episode_dir("satu").exists()
    ok = run_cli("publish", str(recording), "--title", "Satu", "--guest", "Ibu\x0bRatna", "--no-youtube")
    assert ok.exit_code == 0, ok.output
    assert "--guest: control characters removed" in ok.stderr
    assert load_episode(workspace, "satu").guests == ["IbuRatna"]
    # someone commits a WebP cover to the journal: the feed leaves the episode out, 'episodes' says why
    image(workspace.episode_dir("satu") / "cover.webp", fmt="WEBP")
    _edit(workspace, "satu", cover="episodes/satu/cover.webp")
    assert run_cli("feed").exit_code == 1
    assert "feed failed: the cover is WEBP" in run_cli("episodes").stdout
    assert run_cli("episodes", "--json").stdout.count('"state": "feed failed"') == 1
    png = image(tmp_path / "sampul.png")
    fixed = run_cli("publish", str(recording), "--title", "Satu", "--cover", str(png), "--no-youtube")
    assert fixed.exit_code == 0, fixed.output
    assert _in_feed(workspace) == ["satu"] and "feed failed" not in run_cli("episodes").stdout
    assert load_episode(workspace, "satu").cover == "episodes/satu/cover.png"


# -- 4. stored script through chapter URLs ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:document.title='x'", "data:text/html,<script>x</script>", " javascript:x"])
def test_4_chapter_links_follow_the_link_rule(
    workspace: Workspace, run_cli: Callable[..., Result], recording: Path, tmp_path: Path, url: str
) -> None:
    disable_whisper(workspace)
    doc = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Buka", "url": url}]}
    chapters = tmp_path / "bab.json"
    chapters.write_text(json.dumps(doc), encoding="utf-8")
    result = run_cli("publish", str(recording), "--title", "Satu", "--chapters", str(chapters), "--no-youtube")
    assert result.exit_code == 1 and "bab.json" in _one_error_line(result) and "'url'" in result.stderr
    assert not workspace.episode_dir("satu").exists()


def test_4_a_page_never_links_to_javascript_whatever_the_journal_says(workspace: Workspace) -> None:
    from datetime import UTC, datetime

    from cerdas.feed.build import build_site
    from cerdas.feed.pages import environment, render_episode
    from cerdas.feed.rss import select_episodes

    make_episode(workspace, "satu", "Satu", chapters=[Chapter(0.0, "Buka", url="https://a.example/")])
    item = select_episodes(workspace, workspace.settings()).public[0]
    item.episode.chapters = [Chapter(0.0, "Buka", url="javascript:alert(1)")]  # past every check
    page = lxml_html.fromstring(render_episode(environment(), workspace.settings(), item, [], datetime.now(UTC)))
    assert not [h for h in page.xpath("//a/@href") if not h.startswith(("https:", "http:", "#", "../"))]
    assert build_site(workspace, workspace.settings()).left_out == {}


# -- 5. reading the token follows a link and chmods its target -------------------------------------------------


def test_5_reading_the_token_never_follows_a_link_nor_changes_a_mode(workspace: Workspace, tmp_path: Path) -> None:
    somefile = tmp_path / "somefile"
    somefile.write_text('{"refresh_token": "x"}', encoding="utf-8")
    somefile.chmod(0o644)
    token = tmp_path / "tok"
    token.symlink_to(somefile)
    result = CliRunner(env={"CERDAS_YOUTUBE_TOKEN": str(token)}).invoke(
        cli, ["-w", str(workspace.root), "youtube", "status", "--offline"]
    )
    assert result.exit_code == 1 and "symbolic link" in _one_error_line(result)
    assert stat.S_IMODE(somefile.stat().st_mode) == 0o644


def test_5_the_token_is_written_as_a_new_0600_file_replacing_a_link(tmp_path: Path) -> None:
    from cerdas.youtube.auth import save_token

    target = tmp_path / "elsewhere"
    target.write_text("tetap", encoding="utf-8")
    target.chmod(0o644)
    token = tmp_path / "cfg" / "token.json"
    token.parent.mkdir()
    token.symlink_to(target)
    save_token(token, '{"refresh_token": "baru"}')
    assert not token.is_symlink() and stat.S_IMODE(token.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == "tetap" and stat.S_IMODE(target.stat().st_mode) == 0o644


# -- 6. a crash leaves processes and files behind ----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_6_kill_9_during_loudness_leaves_no_process_and_the_next_run_no_file(
    workspace: Workspace, tmp_path: Path
) -> None:
    disable_whisper(workspace)
    source = uneven_speech(tmp_path / "panjang.wav", seconds=150)
    cerdas = str(Path(sys.executable).parent / "cerdas")  # the installed program, as a producer runs it
    args = [cerdas, "-w", str(workspace.root), "publish", str(source)]
    args += ["--title", "Panjang", "--no-youtube"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    work = workspace.work_dir("panjang")
    ffmpegs: list[int] = []
    for _ in range(1200):  # until the loudness stage runs its pipe of ffmpeg processes
        if list(work.glob(".cerdas-level-*/levelled.wav")) and len(ffmpegs := _children(proc.pid)) >= 2:
            break
        subprocess.run(["sleep", "0.05"], check=True)
    assert ffmpegs, "the loudness stage never started"
    proc.kill()
    proc.wait()
    for _ in range(100):
        if not any(_alive(pid) for pid in ffmpegs):
            break
        subprocess.run(["sleep", "0.05"], check=True)
    assert not any(_alive(pid) for pid in ffmpegs), "ffmpeg outlived cerdas"
    assert list(work.glob(".cerdas-level-*")), "the killed run left its folder (the next one must remove it)"
    again = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert leftovers(workspace.root) == []


def test_6_the_next_write_removes_temporaries_a_killed_run_left(workspace: Workspace) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = workspace.transcripts_dir / f".satu.srt.{dead.pid}-abc123.tmp.srt"
    stale.write_text("setengah", encoding="utf-8")
    running = workspace.transcripts_dir / f".satu.srt.{os.getpid()}-def456.tmp.srt"  # a live writer's: kept
    running.write_text("sedang ditulis", encoding="utf-8")
    atomic_write_text(workspace.transcript("satu", "srt"), "1\n")
    assert not stale.exists() and running.exists()
    running.unlink()
    assert leftovers(workspace.root) == []


# -- 7. tracebacks where a one-line error is promised -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('{"chapters": {"x": 1}}', "'chapters' must be a list"),
        ('{"chapters": [{"startTime": NaN, "title": "a"}]}', "seconds from 0"),
        ('{"chapters": [{"startTime": -5, "title": "a"}]}', "seconds from 0"),
        ('{"chapters": [{"startTime": Infinity, "title": "a"}]}', "seconds from 0"),
        ('{"chapters": [{"startTime": 0, "title": {"x": 1}}]}', "'title' must be text"),
        ('{"chapters": ["x"]}', "is not a JSON object"),
        ("[1, 2]", "is not 'HH:MM:SS title'"),
    ],
)
def test_7_bad_chapters_are_one_line_before_any_work(
    workspace: Workspace, run_cli: Callable[..., Result], recording: Path, tmp_path: Path, text: str, shown: str
) -> None:
    chapters = tmp_path / "bab.json"
    chapters.write_text(text, encoding="utf-8")
    result = run_cli("publish", str(recording), "--title", "Satu", "--chapters", str(chapters), "--no-youtube")
    assert result.exit_code == 1 and shown in _one_error_line(result) and "bab.json" in result.stderr
    assert not workspace.episode_dir("satu").exists()


def test_7_null_chapter_titles_get_a_name(tmp_path: Path) -> None:
    from cerdas.chapters import load_chapters

    path = tmp_path / "bab.json"
    path.write_text('{"chapters": [{"startTime": 0, "title": null}]}', encoding="utf-8")
    assert [c.title for c in load_chapters(path)] == ["Bab 1"]


def test_7_a_token_that_is_not_utf8_is_one_line(workspace: Workspace, tmp_path: Path) -> None:
    token = tmp_path / "tok.json"
    token.write_bytes(b'{"refresh_token": "\xff\xfe"}')
    token.chmod(0o600)
    result = CliRunner(env={"CERDAS_YOUTUBE_TOKEN": str(token)}).invoke(
        cli, ["-w", str(workspace.root), "youtube", "status", "--offline"]
    )
    assert result.exit_code == 1 and "not UTF-8" in _one_error_line(result)


def test_7_a_search_index_that_is_a_folder_is_one_line(two: Workspace, run_cli: Callable[..., Result]) -> None:
    two.index_path.mkdir()
    for args in (("search", "korban"), ("index",), ("index", "--rebuild")):
        result = run_cli(*args)
        assert result.exit_code == 1 and "search.sqlite3: is not a file" in _one_error_line(result), args


def test_7_a_wav_claiming_65535_channels_says_so(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    data = bytes(4000)
    fmt = struct.pack("<IHHIIHH", 16, 1, 65535, 44100, (44100 * 65535 * 2) & 0xFFFFFFFF, 0xFFFE, 16)
    wav = tmp_path / "aneh.wav"
    wav.write_bytes(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + fmt + b"data")
    with wav.open("ab") as fh:
        fh.write(struct.pack("<I", len(data)) + data)
    line = _one_error_line(run_cli("publish", str(wav), "--title", "Aneh", "--no-youtube"))
    assert "Too many channels" in line and "Last message repeated" not in line


# -- 8. special files as side inputs ------------------------------------------------------------------------------


def test_8_special_files_as_chapters_or_cover_are_refused_at_once(
    workspace: Workspace, run_cli: Callable[..., Result], recording: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "bab.fifo"
    os.mkfifo(fifo)
    for option, path, words in (
        ("--chapters", "/dev/zero", "is a device"),
        ("--chapters", str(fifo), "is a named pipe"),
        ("--chapters", str(tmp_path), "directory"),
        ("--cover", str(fifo), "named pipe"),
        ("--cover", "/dev/zero", "device"),
    ):
        result = run_cli("publish", str(recording), "--title", "Satu", option, path, "--no-youtube")
        assert result.exit_code in (1, 2) and words in result.stderr, (option, path, result.output)
    assert not workspace.episode_dir("satu").exists()


def test_8_a_named_pipe_as_a_journal_does_not_hang_the_feed(two: Workspace, run_cli: Callable[..., Result]) -> None:
    two.episode_file("korban").unlink()
    os.mkfifo(two.episode_file("korban"))
    result = run_cli("feed")
    assert result.exit_code == 1 and "named pipe" in _one_error_line(result) and _in_feed(two) == ["baik"]


# -- 9. control bytes reach the terminal and the site -------------------------------------------------------------


def test_9_control_bytes_reach_neither_the_terminal_nor_the_pages(
    two: Workspace, run_cli: Callable[..., Result]
) -> None:
    write_transcript(two, "korban")
    vtt = two.transcript("korban", "vtt")
    vtt.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n"
        "<v Tamu\x1b]0;diretas\x07>Gratifikasi\x1b]0;judul\x07 dilaporkan\x00.\n",
        encoding="utf-8",
    )
    _edit(two, "korban", title="Korban\x1b[2J", description="Catatan\x00 <b>penting</b>\x1b]0;x\x07")
    assert run_cli("transcribe", "korban", "--from-vtt").exit_code == 0
    for args in (("search", "gratifikasi", "--color"), ("search", "gratifikasi", "--json"), ("episodes",)):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
        assert not any(c in result.output.replace("\x1b[1;33m", "").replace("\x1b[0m", "") for c in "\x00\x07"), args
        assert "]0;" in result.output or args[0] == "episodes" or "\x1b]" not in result.output
    assert run_cli("feed").exit_code == 0
    for path in two.feed_dir.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".vtt", ".srt", ".json", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert "\x00" not in text and "\x1b" not in text and "\x07" not in text, path


# -- 12. smaller ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url", ["http://user:pass@podcast.example/", "http://podcast.example:99999/", "javascript:alert(1)//"]
)
def test_12_base_url_without_credentials_and_with_a_valid_port(
    workspace: Workspace, run_cli: Callable[..., Result], base_url: str
) -> None:
    from tests.workspace_support import set_keys

    set_keys(workspace, "show", base_url=base_url)
    result = run_cli("episodes")
    assert result.exit_code == 1 and "'show.base_url'" in _one_error_line(result)


def test_12_an_error_naming_a_file_with_a_newline_is_one_line(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    odd = tmp_path / "rekaman\nbaru\x1b[31m.wav"
    odd.write_bytes(b"bukan audio")
    result = run_cli("publish", str(odd), "--title", "Satu", "--no-youtube")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and "\x1b" not in result.stderr and "rekaman\\nbaru" in result.stderr

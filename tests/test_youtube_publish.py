"""`cerdas publish` with YouTube, end to end through the CLI against the emulator (real client, real ffmpeg)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from cerdas.devtools.emulator.server import Emulator
from cerdas.devtools.emulator.state import SCOPE
from cerdas.episode import load_episode
from cerdas.facts import YouTubeFacts
from cerdas.workspace import Workspace
from cerdas.youtube.upload import Journal
from tests import youtube_support as support
from tests.workspace_support import facts
from tests.youtube_support import PLAYLIST, configure, only_episode, sha256, tone, write_transcript

emulator, token_file, youtube_env = support.emulator, support.token_file, support.youtube_env

CHAPTERS = "00:00:00 Pembukaan\n00:00:04 Cerita\n00:00:08 Penutup\n"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return tone(tmp_path / "rekaman.wav", 12.0)


def _publish(run_cli: Callable[..., Result], source: Path, *extra: str, title: str = "Menolak Gratifikasi") -> Result:
    return run_cli("publish", str(source), "--title", title, "--guest", "Ibu Ratna", *extra)


def _mp4(ws: Workspace, slug: str) -> Path:
    return ws.episode_dir(slug) / f"{slug}.mp4"


def _counts(emu: Emulator) -> dict[str, int]:
    ops: dict[str, int] = {}
    for entry in emu.state.log:
        ops[entry["op"]] = ops.get(entry["op"], 0) + 1
    return ops


def _assert_once(emu: Emulator, ws: Workspace, slug: str) -> str:
    """Exactly one video (bytes = the rendered file), one caption track, a thumbnail, one playlist item."""
    state = emu.state.summary()
    [(video_id, video)] = state["videos"].items()
    assert video["sha256"] == sha256(_mp4(ws, slug))
    assert [c["videoId"] for c in state["captions"]] == [video_id]
    assert list(state["thumbnails"]) == [video_id]
    assert [i["videoId"] for i in state["playlist_items"] if i["playlistId"] == PLAYLIST] == [video_id]
    return str(video_id)


@pytest.mark.slow
def test_publish_uploads_once_with_captions_thumbnail_playlist(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path, tmp_path: Path
) -> None:
    configure(workspace, privacy="unlisted")
    chapters = tmp_path / "bab.txt"
    chapters.write_text(CHAPTERS, encoding="utf-8")
    write_transcript(workspace, "menolak-gratifikasi")
    result = _publish(run_cli, source, "--chapters", str(chapters), "--description", "Catatan <b>penting</b>.")
    assert result.exit_code == 0, result.output
    episode = only_episode(workspace)
    video_id = _assert_once(youtube_env, workspace, episode.slug)
    assert episode.youtube is not None and episode.youtube.video_id == video_id
    assert episode.youtube.url == f"https://www.youtube.com/watch?v={video_id}"
    assert facts(episode, YouTubeFacts).video_id == video_id
    resource = youtube_env.state.videos[video_id].resource
    snippet, status = resource["snippet"], resource["status"]
    assert snippet["title"] == "Menolak Gratifikasi"
    assert snippet["categoryId"] == "25" and snippet["defaultLanguage"] == "id"
    assert snippet["defaultAudioLanguage"] == "id"
    assert status["privacyStatus"] == "unlisted" and status["selfDeclaredMadeForKids"] is False
    description = snippet["description"]
    assert "Catatan penting." in description and "<" not in description
    assert "0:00 Pembukaan\n0:04 Cerita\n0:08 Penutup" not in description  # 4 s chapters: YouTube would refuse
    assert "Narasumber: Ibu Ratna" in description
    assert "feed.xml" in description and f"episodes/{episode.slug}/" in description
    assert "Ibu Ratna" in snippet["tags"]
    caption = youtube_env.state.captions[next(iter(youtube_env.state.captions))]
    assert caption["snippet"]["language"] == "id"
    assert youtube_env.state.caption_bodies[caption["id"]].decode().startswith("WEBVTT")
    journal = Journal.load(workspace.episode_dir(episode.slug) / "youtube.json")
    assert journal.complete and journal.playlist_item_id
    # the feed stage that follows shows the link (an unlisted video; a private one it leaves out)
    page = (workspace.feed_dir / "episodes" / episode.slug / "index.html").read_text(encoding="utf-8")
    assert video_id in page

    used = youtube_env.state.quota_used
    requests = len(youtube_env.state.log)
    again = _publish(run_cli, source, "--chapters", str(chapters), "--description", "Catatan <b>penting</b>.")
    assert again.exit_code == 0, again.output
    assert len(youtube_env.state.log) == requests and youtube_env.state.quota_used == used
    forced = _publish(
        run_cli, source, "--chapters", str(chapters), "--description", "Catatan <b>penting</b>.", "--force"
    )
    assert forced.exit_code == 0, forced.output
    _assert_once(youtube_env, workspace, episode.slug)
    assert _counts(youtube_env)["videos.insert"] == 1


@pytest.mark.slow
def test_a_fresh_clone_without_the_upload_journal_never_uploads_again(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    """youtube.json stays out of git (it holds the session address): a colleague's clone has only episode.toml."""
    configure(workspace)
    write_transcript(workspace, "menolak-gratifikasi")
    assert _publish(run_cli, source).exit_code == 0
    episode = only_episode(workspace)
    assert "episodes/*/youtube.json" in (workspace.root / ".gitignore").read_text(encoding="utf-8")
    workspace.youtube_journal(episode.slug).unlink()
    again = _publish(run_cli, source, "--force")
    assert again.exit_code == 0, again.output
    _assert_once(youtube_env, workspace, episode.slug)
    assert _counts(youtube_env)["videos.insert"] == 1
    assert Journal.load(workspace.youtube_journal(episode.slug)).video_id == episode.video_id


@pytest.mark.slow
def test_title_change_updates_the_video_not_a_new_one(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    configure(workspace)
    assert _publish(run_cli, source).exit_code == 0
    renamed = _publish(run_cli, source, title="Menolak Gratifikasi: Kisah Nyata")
    assert renamed.exit_code == 0, renamed.output
    [video] = youtube_env.state.videos.values()
    assert video.resource["snippet"]["title"] == "Menolak Gratifikasi: Kisah Nyata"
    counts = _counts(youtube_env)
    assert counts["videos.insert"] == 1 and counts["videos.update"] == 1


@pytest.mark.slow
def test_no_youtube_and_unconfigured_are_skipped(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    result = _publish(run_cli, source)  # youtube.enabled = false (the template's default)
    assert result.exit_code == 0, result.output
    assert "youtube     skipped" in result.stdout
    assert "not configured" in result.stderr
    configure(workspace)
    skipped = _publish(run_cli, source, "--no-youtube")
    assert skipped.exit_code == 0 and "--no-youtube" in skipped.stderr
    assert not youtube_env.state.log
    assert not only_episode(workspace).youtube


@pytest.mark.slow
def test_quota_stop_keeps_publish_green_and_next_run_continues(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    configure(workspace)
    write_transcript(workspace, "menolak-gratifikasi")
    youtube_env.state.reset_quota(used=9_000)  # an earlier upload used most of today's quota
    first = _publish(run_cli, source)
    assert first.exit_code == 0, first.output
    assert "midnight Pacific" in first.stderr and "quotaExceeded" in first.stderr
    assert "feed" in first.stdout and not youtube_env.state.videos
    assert (workspace.feed_dir / "feed.xml").is_file()
    youtube_env.state.reset_quota(used=10_000 - 1600 - 10)  # the next day, enough for the video but no captions
    second = _publish(run_cli, source)
    assert second.exit_code == 0, second.output
    assert len(youtube_env.state.videos) == 1 and not youtube_env.state.captions
    assert only_episode(workspace).video_id
    youtube_env.state.reset_quota()
    third = _publish(run_cli, source)
    assert third.exit_code == 0, third.output
    _assert_once(youtube_env, workspace, only_episode(workspace).slug)
    assert _counts(youtube_env)["videos.insert"] == 2  # the first was refused for quota; one video exists


@pytest.mark.slow
def test_post_upload_faults_end_with_everything_once(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    configure(workspace)
    write_transcript(workspace, "menolak-gratifikasi")
    emu = youtube_env
    emu.add_fault("captions.insert", "video_not_found", nth=1, times=2)
    emu.add_fault("captions.insert", "drop_after", nth=3, times=2)  # stored, answer lost: the retry gets 409
    emu.add_fault("thumbnails.set", "video_not_found", nth=1, times=2)
    emu.add_fault("thumbnails.set", "status", nth=3, times=1, status=500)
    emu.add_fault("playlistItems.insert", "video_not_found", nth=1)
    emu.add_fault("playlistItems.insert", "drop_after", nth=2, times=2)  # YouTube would add it twice: we look first
    result = _publish(run_cli, source)
    assert result.exit_code == 0, result.output
    _assert_once(emu, workspace, only_episode(workspace).slug)
    assert any(e["status"] == 409 for e in emu.state.ops("captions.insert"))


@pytest.mark.slow
def test_transcript_added_later_becomes_captions(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    configure(workspace)
    first = _publish(run_cli, source)
    assert first.exit_code == 0 and "no captions" in first.stderr
    assert not youtube_env.state.captions
    write_transcript(workspace, "menolak-gratifikasi")
    assert _publish(run_cli, source).exit_code == 0
    write_transcript(workspace, "menolak-gratifikasi", support.VTT.replace("gratifikasi", "gratifikasi (koreksi)"))
    assert _publish(run_cli, source).exit_code == 0
    _assert_once(youtube_env, workspace, only_episode(workspace).slug)
    [body] = youtube_env.state.caption_bodies.values()
    assert "koreksi" in body.decode()
    assert _counts(youtube_env)["captions.update"] == 1


@pytest.mark.slow
def test_missing_token_stops_before_any_work(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path, token_file: Path
) -> None:
    configure(workspace)
    secret = json.loads(token_file.read_text())
    token_file.unlink()
    result = _publish(run_cli, source)
    assert result.exit_code == 1
    assert "cerdas youtube login" in result.output
    assert not list(workspace.episodes_dir.glob("*/episode.toml"))
    token_file.write_text(json.dumps({**secret, "scopes": ["https://www.googleapis.com/auth/youtube.readonly"]}))
    token_file.chmod(0o600)  # as Cerdas writes a token (one others can read is refused first)
    wrong = _publish(run_cli, source)
    assert wrong.exit_code == 1 and "youtube.force-ssl" in wrong.output
    assert secret["refresh_token"] not in wrong.output and secret["token"] not in wrong.output
    assert not youtube_env.state.log


@pytest.mark.slow
def test_revoked_token_asks_for_login_and_never_shows_it(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path, token_file: Path
) -> None:
    configure(workspace)
    youtube_env.write_token(token_file, expired=True)
    secret = json.loads(token_file.read_text())
    youtube_env.state.revoke()
    result = _publish(run_cli, source)
    assert result.exit_code == 1
    assert "expired or was revoked" in result.output and "cerdas youtube login" in result.output
    assert secret["refresh_token"] not in result.output
    assert not youtube_env.state.videos


@pytest.mark.slow
def test_artwork_that_is_not_an_image_fails_before_upload(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    configure(workspace)
    assert _publish(run_cli, source, "--no-youtube").exit_code == 0
    episode = only_episode(workspace)
    (workspace.root / "artwork.png").write_text("not a picture")
    result = run_cli("youtube", "upload", episode.slug)
    assert result.exit_code == 1 and "not a readable image" in result.output
    assert not youtube_env.state.log


def test_bad_youtube_settings_are_named(workspace: Workspace, run_cli: Callable[..., Result]) -> None:
    for key, value, words in (
        ("category_id", 99, "youtube.category_id"),
        ("privacy", "secret", "youtube.privacy"),
        ("chunk_kib", 100, "youtube.chunk_kib"),
    ):
        text = workspace.config.read_text()
        support.set_keys(workspace, "youtube", **{key: value})
        result = run_cli("episodes")
        assert result.exit_code == 1 and words in result.output
        workspace.config.write_text(text)


@pytest.mark.slow
def test_upload_dry_run_and_status(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    configure(workspace)
    assert _publish(run_cli, source, "--no-youtube").exit_code == 0
    slug = only_episode(workspace).slug
    plan = run_cli("youtube", "upload", slug, "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert "render the artwork video" in plan.stdout and "upload it as private" in plan.stdout
    assert "title: Menolak Gratifikasi" in plan.stdout
    assert not youtube_env.state.log and not _mp4(workspace, slug).exists()
    done = run_cli("youtube", "upload", slug)
    assert done.exit_code == 0, done.output
    assert "youtube ran" in done.stdout and "https://www.youtube.com/watch?v=" in done.stdout
    status = run_cli("youtube", "status", "--json")
    assert status.exit_code == 0, status.output
    info = json.loads(status.stdout)
    assert info["channel"]["title"] == youtube_env.state.channel_title
    assert info["token"]["scopes"] == [SCOPE] and info["token"]["valid"]
    assert info["episodes"][0]["video_id"] == next(iter(youtube_env.state.videos))
    secret = json.loads(Path(info["token"]["token_file"]).read_text())
    assert secret["token"] not in status.output and secret["refresh_token"] not in status.output


@pytest.mark.slow
def test_kill_9_mid_upload_then_resume_in_new_process(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, tmp_path: Path
) -> None:
    configure(workspace, waveform=False)
    long_source = tone(tmp_path / "panjang.wav", 45.0)
    assert _publish(run_cli, long_source, "--no-youtube").exit_code == 0
    slug = only_episode(workspace).slug
    write_transcript(workspace, slug)
    assert run_cli("youtube", "render", slug).exit_code == 0
    size = _mp4(workspace, slug).stat().st_size
    assert size > 3 * 256 * 1024, size
    youtube_env.add_fault("upload.chunk", "slow", nth=1, times=10_000, delay=0.4)
    env = dict(os.environ)
    cmd = [
        sys.executable,
        "-c",
        "from cerdas.cli.main import main; main()",
        "-w",
        str(workspace.root),
        "-q",
        "youtube",
        "upload",
        slug,
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    journal_file = workspace.episode_dir(slug) / "youtube.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal_file.exists() and Journal.load(journal_file).confirmed_bytes >= 2 * 256 * 1024:
            break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = Journal.load(journal_file)
    assert killed_at.session_uri and not killed_at.video_id and 0 < killed_at.confirmed_bytes < size
    youtube_env.state.faults.clear()
    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    _assert_once(youtube_env, workspace, slug)
    assert _counts(youtube_env)["videos.insert"] == 1
    assert youtube_env.state.ops("upload.query"), "the new process asked YouTube where to continue"
    episode = load_episode(workspace, slug)
    assert episode.video_id == next(iter(youtube_env.state.videos))


@pytest.mark.slow
def test_video_recording_is_uploaded_with_its_picture_and_the_normalised_audio(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, tmp_path: Path
) -> None:
    configure(workspace)
    wav = tone(tmp_path / "suara.wav", 8.0)
    video = tmp_path / "rekaman.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=10",
            "-i",
            str(wav),
            "-t",
            "8",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            str(video),
        ],
        check=True,
    )
    result = _publish(run_cli, video, title="Rekaman Video")
    assert result.exit_code == 0, result.output
    episode = only_episode(workspace)
    uploaded = _mp4(workspace, episode.slug)
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(uploaded)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    streams = {s["codec_type"]: s for s in probe["streams"]}
    assert streams["video"]["width"] == 320 and streams["audio"]["codec_name"] == "aac"
    [stored] = youtube_env.state.summary()["videos"].values()
    assert stored["sha256"] == sha256(uploaded)


@pytest.mark.slow
def test_upload_that_stopped_exits_non_zero_with_the_reason(
    workspace: Workspace,
    run_cli: Callable[..., Result],
    youtube_env: Emulator,
    source: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Finding 11: `cerdas youtube upload` exited 0 when the upload stopped (the endpoint down)."""
    import socket

    configure(workspace)
    assert _publish(run_cli, source, "--no-youtube").exit_code == 0
    slug = only_episode(workspace).slug
    with socket.socket() as probe:  # a port nothing listens on: YouTube is unreachable
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("CERDAS_YOUTUBE_ENDPOINT", f"http://127.0.0.1:{closed}/")
    result = run_cli("youtube", "upload", slug)
    assert result.exit_code == 1, result.output
    [line] = [ln for ln in result.stderr.splitlines() if ln.startswith("Error:")]
    assert "youtube.json: the upload stopped" in line and f"cerdas youtube upload {slug}" in line
    monkeypatch.setenv("CERDAS_YOUTUBE_ENDPOINT", youtube_env.url)
    assert run_cli("youtube", "upload", slug).exit_code == 0  # the next run finishes it


def test_transcribe_from_vtt_brings_captions_feed_site_and_search_up_to_date(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    configure(workspace)
    slug = "menolak-gratifikasi"
    write_transcript(workspace, slug)
    assert _publish(run_cli, source).exit_code == 0
    assert "Bawaslu" not in run_cli("search", "gratifikasi").stdout
    write_transcript(workspace, slug, support.VTT.replace("tentang gratifikasi.", "tentang gratifikasi dan Bawaslu."))
    result = run_cli("transcribe", slug, "--from-vtt")
    assert result.exit_code == 0, result.output
    for stage in ("youtube", "feed", "search"):
        assert f"  {stage:<11} ran" in result.stdout, result.stdout
    [body] = youtube_env.state.caption_bodies.values()
    assert "Bawaslu" in body.decode() and _counts(youtube_env)["captions.update"] == 1
    assert "Bawaslu" in (workspace.feed_dir / "transcripts" / f"{slug}.vtt").read_text(encoding="utf-8")
    assert "Bawaslu" in (workspace.feed_dir / "episodes" / slug / "index.html").read_text(encoding="utf-8")
    assert "[Bawaslu]" in run_cli("search", "bawaslu").stdout
    again = run_cli("transcribe", slug, "--from-vtt", "--no-youtube")  # nothing changed: nothing redone
    assert "  youtube     skipped   --no-youtube" in again.stdout and "  feed        current" in again.stdout
    assert _counts(youtube_env)["captions.update"] == 1


def test_speakers_reach_youtube_as_a_name_line_at_each_change(
    workspace: Workspace, run_cli: Callable[..., Result], youtube_env: Emulator, source: Path
) -> None:
    configure(workspace)
    slug = "menolak-gratifikasi"
    voiced = (
        "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n<v Silvia Rahmadina>Selamat datang di Podcast Cerdas.\n\n"
        "00:00:03.000 --> 00:00:06.000\n<v Silvia Rahmadina>Hari ini tentang gratifikasi.\n\n"
        "00:00:06.000 --> 00:00:09.000\n<v Ibu Ratna>Terima kasih atas undangannya.\n"
    )
    write_transcript(workspace, slug, voiced)
    assert _publish(run_cli, source).exit_code == 0
    [body] = youtube_env.state.caption_bodies.values()
    text = body.decode()
    assert "<v" not in text
    assert "Silvia Rahmadina:\nSelamat datang" in text and "Ibu Ratna:\nTerima kasih" in text
    assert text.count("Silvia Rahmadina:") == 1  # once per turn, not per caption
    # YouTube is told only when what it would show changes
    assert _publish(run_cli, source).exit_code == 0
    assert _counts(youtube_env).get("captions.update", 0) == 0

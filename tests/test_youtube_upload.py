"""The resumable upload against the emulator with the real client library over HTTP: every fault at several
points of the upload ends with exactly one video whose bytes hash equal to the file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cerdas.devtools.emulator.server import Emulator
from cerdas.env import Environment
from cerdas.youtube import auth
from cerdas.youtube.client import YouTubeClient
from cerdas.youtube.errors import QuotaStop, YouTubeError
from cerdas.youtube.upload import Backoff, GaveUp, Journal, upload_video
from tests import youtube_support as support
from tests.youtube_support import random_file, sha256

emulator, token_file, yt_env = support.emulator, support.token_file, support.yt_env

CHUNK = 256 * 1024
SIZE = 5 * CHUNK + 12_345  # six chunks, the last one short
BODY = {
    "snippet": {"title": "Uji unggah", "categoryId": "25", "defaultLanguage": "id"},
    "status": {"privacyStatus": "private", "selfDeclaredMadeForKids": False},
}


def _client(env: Environment) -> YouTubeClient:
    return auth.connect(env).youtube


def _fast() -> Backoff:
    return Backoff(base=0.005, cap=0.05, max_failures=8)


def _upload(tmp_path: Path, env: Environment, journal: Journal | None = None) -> tuple[str, Path, Journal]:
    path = tmp_path / "video.mp4"
    if not path.exists():
        random_file(path, SIZE)
    journal = journal or Journal(tmp_path / "youtube.json", file_size=SIZE)
    video_id = upload_video(_client(env), journal, path, BODY, CHUNK, _fast())
    return video_id, path, journal


def _one_video(emu: Emulator, path: Path, video_id: str) -> None:
    summary = emu.state.summary()
    assert list(summary["videos"]) == [video_id]
    assert summary["videos"][video_id]["sha256"] == sha256(path)
    assert summary["videos"][video_id]["size"] == path.stat().st_size


def test_happy_path_journal_records_session_progress_and_id(
    emulator: Emulator, yt_env: Environment, tmp_path: Path
) -> None:
    video_id, path, _ = _upload(tmp_path, yt_env)
    _one_video(emulator, path, video_id)
    saved = Journal.load(tmp_path / "youtube.json")
    assert saved.video_id == video_id and saved.confirmed_bytes == SIZE
    assert (tmp_path / "youtube.json").stat().st_mode & 0o777 == 0o600
    chunks = emulator.state.ops("upload.chunk")
    assert len(chunks) == 6 and all(c["status"] in (200, 308) for c in chunks)
    # the session was opened (and journaled) before the first byte went out
    assert [e["op"] for e in emulator.state.log][:2] == ["videos.insert", "upload.chunk"]
    assert emulator.state.quota_used == 1600


FAULTS = [
    ("videos.insert", "status", 1, 2, 503),
    ("videos.insert", "drop_after", 1, 2, 0),
    ("videos.insert", "rate_limit", 1, 1, 0),
    ("upload.chunk", "status", 1, 1, 500),
    ("upload.chunk", "status", 3, 2, 503),
    ("upload.chunk", "status", 6, 1, 502),
    ("upload.chunk", "status", 2, 1, 429),
    ("upload.chunk", "rate_limit", 4, 2, 0),
    ("upload.chunk", "drop_before", 1, 3, 0),
    ("upload.chunk", "drop_before", 4, 3, 0),
    ("upload.chunk", "drop_after", 2, 2, 0),
    ("upload.chunk", "drop_after", 6, 2, 0),
    ("upload.chunk", "unauthorized", 1, 1, 0),
    ("upload.chunk", "unauthorized", 5, 1, 0),
    ("upload.chunk", "unauthorized", 6, 1, 0),
]


@pytest.mark.parametrize(
    ("op", "kind", "nth", "times", "status"), FAULTS, ids=[f"{f[0]}-{f[1]}{f[4] or ''}-n{f[2]}x{f[3]}" for f in FAULTS]
)
def test_fault_ends_with_one_intact_video(
    emulator: Emulator, yt_env: Environment, tmp_path: Path, op: str, kind: str, nth: int, times: int, status: int
) -> None:
    fault = emulator.add_fault(op, kind, nth=nth, times=times, status=status or 503)
    video_id, path, journal = _upload(tmp_path, yt_env)
    assert fault.fired == times
    _one_video(emulator, path, video_id)
    assert journal.video_id == video_id


def test_status_query_failing_too(emulator: Emulator, yt_env: Environment, tmp_path: Path) -> None:
    emulator.add_fault("upload.chunk", "drop_before", nth=3, times=2)
    emulator.add_fault("upload.query", "status", nth=1, times=2, status=503)
    video_id, path, _ = _upload(tmp_path, yt_env)
    _one_video(emulator, path, video_id)
    assert len(emulator.state.ops("upload.query")) >= 3


def test_timeout_on_a_slow_chunk_is_retried(
    emulator: Emulator, yt_env: Environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.add_fault("upload.chunk", "slow", nth=3, times=1, delay=1.5)
    video_id, path, _ = _upload(tmp_path, replace(yt_env, youtube_timeout="0.5"))
    _one_video(emulator, path, video_id)


def test_refreshed_token_is_saved_again_0600(
    emulator: Emulator, yt_env: Environment, tmp_path: Path, token_file: Path
) -> None:
    before = token_file.read_text()
    emulator.add_fault("upload.chunk", "unauthorized", nth=2)
    _upload(tmp_path, yt_env)
    after = token_file.read_text()
    assert after != before and '"refresh_token"' in after
    assert token_file.stat().st_mode & 0o777 == 0o600


def test_resume_in_new_client_from_confirmed_byte(emulator: Emulator, yt_env: Environment, tmp_path: Path) -> None:
    """A first 'process' stops after three chunks; a fresh client resumes from the journal, sending no byte twice."""
    path = random_file(tmp_path / "video.mp4", SIZE)
    journal = Journal(tmp_path / "youtube.json", file_size=SIZE)
    emulator.add_fault("upload.chunk", "status", nth=4, times=99, status=503)
    with pytest.raises(GaveUp):
        upload_video(_client(yt_env), journal, path, BODY, CHUNK, Backoff(base=0.001, cap=0.001, max_failures=2))
    saved = Journal.load(tmp_path / "youtube.json")
    assert saved.session_uri and saved.confirmed_bytes == 3 * CHUNK and not saved.video_id
    emulator.state.faults.clear()
    stored_before = sum(e["bytes"] for e in emulator.state.ops("upload.chunk") if e["status"] == 308)
    video_id = upload_video(_client(yt_env), saved, path, BODY, CHUNK, _fast())
    _one_video(emulator, path, video_id)
    assert len(emulator.state.ops("videos.insert")) == 1
    sent_after = [e for e in emulator.state.ops("upload.chunk") if e["status"] in (200, 308)][3:]
    assert stored_before + sum(e["bytes"] for e in sent_after) == SIZE


def test_expired_session_starts_a_new_one(emulator: Emulator, yt_env: Environment, tmp_path: Path) -> None:
    path = random_file(tmp_path / "video.mp4", SIZE)
    journal = Journal(tmp_path / "youtube.json", file_size=SIZE)
    emulator.add_fault("upload.chunk", "status", nth=3, times=99, status=503)
    with pytest.raises(GaveUp):
        upload_video(_client(yt_env), journal, path, BODY, CHUNK, Backoff(base=0.001, cap=0.001, max_failures=1))
    emulator.state.faults.clear()
    emulator.state.sessions.clear()  # YouTube forgot the session (they last about a week)
    video_id = upload_video(_client(yt_env), journal, path, BODY, CHUNK, _fast())
    _one_video(emulator, path, video_id)
    assert len(emulator.state.ops("videos.insert")) == 2


def test_lost_final_answer_and_expired_session_never_uploads_twice(
    emulator: Emulator, yt_env: Environment, tmp_path: Path
) -> None:
    """The last chunk is stored but its answer lost; by the next run the session is gone: the video is found
    among the channel's uploads instead of being uploaded again."""
    path = random_file(tmp_path / "video.mp4", SIZE)
    journal = Journal(tmp_path / "youtube.json", file_size=SIZE)
    emulator.add_fault("upload.chunk", "drop_after", nth=6, times=99)
    emulator.add_fault("upload.query", "drop_before", nth=1, times=99)
    with pytest.raises(GaveUp):
        upload_video(_client(yt_env), journal, path, BODY, CHUNK, Backoff(base=0.001, cap=0.001, max_failures=2))
    assert len(emulator.state.videos) == 1 and not journal.video_id
    emulator.state.faults.clear()
    emulator.state.sessions.clear()
    video_id = upload_video(_client(yt_env), journal, path, BODY, CHUNK, _fast())
    _one_video(emulator, path, video_id)
    assert len(emulator.state.ops("videos.insert")) == 1


def test_quota_exceeded_is_not_retried(emulator: Emulator, yt_env: Environment, tmp_path: Path) -> None:
    emulator.state.reset_quota(used=9_000)
    with pytest.raises(QuotaStop, match="midnight Pacific"):
        _upload(tmp_path, yt_env)
    assert len(emulator.state.ops("videos.insert")) == 1 and not emulator.state.videos


def test_upload_limit_is_a_quota_stop(emulator: Emulator, yt_env: Environment, tmp_path: Path) -> None:
    emulator.add_fault("videos.insert", "upload_limit")
    with pytest.raises(QuotaStop, match="uploadLimitExceeded"):
        _upload(tmp_path, yt_env)


def test_gives_up_after_bounded_attempts(emulator: Emulator, yt_env: Environment, tmp_path: Path) -> None:
    emulator.add_fault("upload.chunk", "status", nth=1, times=1000, status=503)
    emulator.add_fault("upload.query", "status", nth=1, times=1000, status=503)
    with pytest.raises(GaveUp, match="attempts"):
        _upload(tmp_path, yt_env)
    assert len(emulator.state.ops("upload.chunk")) <= 10


def test_journal_with_video_id_never_uploads(emulator: Emulator, yt_env: Environment, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "youtube.json", video_id="abcdefghijk")
    video_id, _, _ = _upload(tmp_path, yt_env, journal)
    assert video_id == "abcdefghijk" and not emulator.state.log


def test_emulator_enforces_youtube_limits(emulator: Emulator, yt_env: Environment) -> None:
    """Our metadata limits are YouTube's: the emulator refuses what YouTube would."""
    yt = _client(yt_env)
    bad = {"snippet": {"title": "x" * 101, "categoryId": "25"}, "status": {"privacyStatus": "private"}}
    upload = yt.insert_video(bad, Path(__file__), CHUNK)
    with pytest.raises(YouTubeError) as info:
        upload.start()
    assert info.value.reason == "invalidTitle" and info.value.status == 400
    upload.close()


def test_a_journal_session_elsewhere_never_receives_the_upload(
    emulator: Emulator, yt_env: Environment, tmp_path: Path
) -> None:
    """A hand-edited youtube.json must not send the video (and the sign-in with every chunk) to another host."""
    from cerdas.errors import CerdasError

    journal = Journal(tmp_path / "youtube.json", file_size=SIZE, session_uri="http://127.0.0.9:1/upload?id=x")
    journal.save()
    with pytest.raises(CerdasError, match=r"youtube\.json: the upload session in this journal is not on YouTube's"):
        _upload(tmp_path, yt_env, Journal.load(tmp_path / "youtube.json"))
    assert not emulator.state.videos


@pytest.mark.parametrize("text", ["[1, 2]", '{"video_id": 5}', '{"confirmed_bytes": "x"}', "{bukan json"])
def test_a_damaged_upload_journal_is_one_line(tmp_path: Path, text: str) -> None:
    from cerdas.errors import CerdasError

    path = tmp_path / "youtube.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CerdasError, match=r"youtube\.json: the YouTube upload journal is damaged"):
        Journal.load(path)

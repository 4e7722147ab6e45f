"""The studio's JSON API over real HTTP against ``cerdas studio`` (uvicorn, a free port on 127.0.0.1): publish by
upload, the transcript and chapters round trips with their version checks, refusals that leave nothing behind,
and jobs that survive a restart as "interrupted" and finish when run again."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3

from cerdas.cli.main import cli
from cerdas.episode import load_episode
from cerdas.transcribe.formats import load_json
from cerdas.workspace import Workspace, init_workspace
from tests.media import silence, uneven_speech
from tests.studio_support import StudioClient, StudioProcess, leftovers, running_studio, start_studio, stop_studio
from tests.workspace_support import set_keys

VTT = """WEBVTT

00:00:00.000 --> 00:00:03.000
Selamat datang di Podcast Cerdas.

00:00:03.000 --> 00:00:06.000
Hari ini kita membahas kratifikasi.

00:00:06.000 --> 00:00:09.500
Terima kasih sudah mendengarkan.
"""


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tmp = tmp_path_factory.mktemp("studio-api")
    ws = init_workspace(tmp / "show", "Podcast Uji", "Podcast untuk pengujian.", "Inspektorat Uji", "uji@example.go.id")
    set_keys(ws, "whisper", enabled=False, vocabulary=["Gratifikasi", "WBBM"])
    set_keys(ws, "show", hosts=["Rina"])
    return ws


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return uneven_speech(tmp_path_factory.mktemp("media") / "rekaman wawancara.wav", seconds=10)


@pytest.fixture(scope="module")
def studio(show: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudioProcess]:
    with running_studio(show, tmp_path_factory.mktemp("home")) as running:
        yield running


@pytest.fixture(scope="module")
def client(studio: StudioProcess) -> Iterator[StudioClient]:
    c = studio.client()
    yield c
    c.close()


@pytest.fixture(scope="module")
def published(client: StudioClient, recording: Path, show: Workspace) -> str:
    """One episode published through the API, with a transcript laid down as the transcribe stage would."""
    answer = client.publish(
        recording, "Gratifikasi <b>&</b> kita", guests="Budi Santoso\n", chapters="00:00:00 Pembuka"
    )
    assert answer.status_code == 202, answer.text
    job = client.wait(answer.json()["job"]["id"])
    assert job["status"] == "done", job
    slug: str = job["slug"]
    show.transcript(slug, "vtt").write_text(VTT, encoding="utf-8")
    return slug


def test_publish_by_upload_answers_with_a_job_and_keeps_the_recording_under_a_server_name(
    client: StudioClient, published: str, show: Workspace
) -> None:
    job = client.get("/api/jobs").json()[-1]
    assert job["kind"] == "publish" and job["slug"] == published
    assert [s["status"] for s in job["stages"]] == ["ran", "ran", "ran", "skipped", "skipped", "ran", "ran"]
    episodes = client.get("/api/episodes").json()
    [episode] = [e for e in episodes if e["slug"] == published]
    assert episode["title"] == "Gratifikasi <b>&</b> kita" and episode["guests"] == ["Budi Santoso"]
    assert episode["state"] == "published" and episode["page_url"].endswith(f"episodes/{published}/")
    assert episode["chapters"] == [{"start": 0.0, "title": "Pembuka"}]
    stored = load_episode(show, published)
    assert stored.source.startswith("recordings/") and "rekaman" not in stored.source  # never the client's name
    assert show.resolve(stored.source).is_file()
    assert not any(show.studio_uploads_dir.iterdir())  # nothing waiting or half-received
    assert (show.feed_dir / "episodes" / published / "index.html").is_file()


def test_transcript_round_trip_with_speakers_and_a_stale_save_refused(
    client: StudioClient, published: str, show: Workspace
) -> None:
    data = client.get(f"/api/episodes/{published}/transcript").json()
    assert [c["text"] for c in data["cues"]][1] == "Hari ini kita membahas kratifikasi."
    assert data["speakers"][:2] == ["Budi Santoso", "Rina"] and data["vocabulary"] == ["Gratifikasi", "WBBM"]
    cues: list[dict[str, Any]] = data["cues"]
    cues[1]["text"] = "Hari ini kita membahas gratifikasi dan WBBM."
    cues[1]["speaker"] = "Budi Santoso"
    cues[0]["speaker"] = "Rina"
    answer = client.put(f"/api/episodes/{published}/transcript", json={"version": data["version"], "cues": cues})
    assert answer.status_code == 202, answer.text
    assert answer.json()["version"] != data["version"]
    job = client.wait(answer.json()["job"]["id"])
    assert job["status"] == "done", job
    statuses = {s["name"]: s["status"] for s in job["stages"]}
    assert statuses["transcribe"] == "ran" and statuses["feed"] == "ran" and statuses["search"] == "ran"
    assert statuses["ingest"] == statuses["loudness"] == statuses["tag"] == "current"  # nothing re-encoded
    vtt = show.transcript(published, "vtt").read_text(encoding="utf-8")
    assert "<v Budi Santoso>Hari ini kita membahas gratifikasi dan WBBM." in vtt
    segments = load_json(show.transcript(published, "json"))
    assert segments[1].speaker == "Budi Santoso" and "gratifikasi dan WBBM" in segments[1].text
    assert "Budi Santoso: Hari ini" in show.transcript(published, "srt").read_text(encoding="utf-8")
    page = (show.feed_dir / "episodes" / published / "index.html").read_text(encoding="utf-8")
    assert "gratifikasi dan WBBM" in page
    found = CliRunner().invoke(cli, ["-w", str(show.root), "search", "WBBM", "--json"], catch_exceptions=False)
    assert found.exit_code == 0 and any(
        json.loads(line)["episode"] == published for line in found.stdout.split("\n") if line
    )
    stale = client.put(f"/api/episodes/{published}/transcript", json={"version": data["version"], "cues": cues})
    assert stale.status_code == 409 and "changed elsewhere" in stale.json()["detail"]
    listed = next(e for e in client.get("/api/episodes").json() if e["slug"] == published)
    assert listed["transcript"] == "corrected"


def test_a_hand_edit_makes_the_studio_version_stale(client: StudioClient, published: str, show: Workspace) -> None:
    data = client.get(f"/api/episodes/{published}/transcript").json()
    path = show.transcript(published, "vtt")
    path.write_text(path.read_text(encoding="utf-8").replace("Terima kasih", "Terima kasih banyak"), encoding="utf-8")
    answer = client.put(
        f"/api/episodes/{published}/transcript", json={"version": data["version"], "cues": data["cues"]}
    )
    assert answer.status_code == 409
    assert "Terima kasih banyak" in path.read_text(encoding="utf-8")  # the hand edit was not overwritten


def test_bad_cues_are_refused_with_one_line(client: StudioClient, published: str) -> None:
    data = client.get(f"/api/episodes/{published}/transcript").json()
    cues = data["cues"]
    cues[0]["text"] = "a --> b"
    answer = client.put(f"/api/episodes/{published}/transcript", json={"version": data["version"], "cues": cues})
    assert answer.status_code == 400 and answer.json()["detail"] == "cue 1: the text must not contain '-->'"
    answer = client.put(f"/api/episodes/{published}/transcript", json={"version": data["version"]})
    assert answer.status_code == 422 and "cues" in answer.json()["detail"]
    assert client.get("/api/episodes/tidak-ada/transcript").status_code == 404


def test_chapters_reach_the_id3_tags(client: StudioClient, published: str, show: Workspace) -> None:
    data = client.get(f"/api/episodes/{published}/chapters").json()
    chapters = [{"start": 0, "title": "Pembuka"}, {"start": 4.5, "title": "Cara melapor <gratifikasi>"}]
    answer = client.put(f"/api/episodes/{published}/chapters", json={"version": data["version"], "chapters": chapters})
    assert answer.status_code == 202, answer.text
    job = client.wait(answer.json()["job"]["id"])
    assert job["status"] == "done", job
    tags = ID3(show.published_audio(published))
    titles = [frame.sub_frames["TIT2"].text[0] for frame in tags.getall("CHAP")]
    assert titles == ["Pembuka", "Cara melapor <gratifikasi>"]
    stale = client.put(f"/api/episodes/{published}/chapters", json={"version": data["version"], "chapters": []})
    assert stale.status_code == 409
    late = client.get(f"/api/episodes/{published}/chapters").json()
    beyond = [{"start": 999, "title": "Terlambat"}]
    answer = client.put(f"/api/episodes/{published}/chapters", json={"version": late["version"], "chapters": beyond})
    assert answer.status_code == 400 and "after the end of the recording" in answer.json()["detail"]


def test_metadata_edit_retags_and_keeps_what_is_not_sent(client: StudioClient, published: str, show: Workspace) -> None:
    episode = client.get(f"/api/episodes/{published}").json()
    body = {"version": episode["metadata_version"], "title": "Judul baru", "number": 7}
    answer = client.put(f"/api/episodes/{published}/metadata", json=body)
    assert answer.status_code == 202, answer.text
    assert client.wait(answer.json()["job"]["id"])["status"] == "done"
    stored = load_episode(show, published)
    assert (stored.title, stored.number, stored.guests) == ("Judul baru", 7, ["Budi Santoso"])
    assert str(ID3(show.published_audio(published))["TIT2"]) == "Judul baru"
    again = client.put(f"/api/episodes/{published}/metadata", json=body)
    assert again.status_code == 409
    empty = {"version": client.get(f"/api/episodes/{published}").json()["metadata_version"], "title": " "}
    assert (
        client.put(f"/api/episodes/{published}/metadata", json=empty).json()["detail"] == "the episode title is empty"
    )


def test_a_file_ffmpeg_cannot_read_is_refused_and_leaves_nothing(
    client: StudioClient, published: str, show: Workspace, tmp_path: Path
) -> None:
    before = leftovers(show)
    fake = tmp_path / "bukan audio.wav"
    fake.write_text("ini bukan rekaman\n" * 100, encoding="utf-8")
    answer = client.publish(fake, "Tidak jadi")
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert detail.startswith("bukan audio.wav: ") and "\n" not in detail and str(show.root) not in detail
    silent = tmp_path / "sunyi.wav"
    answer = client.post(
        "/api/episodes", files={"file": ("sunyi.wav", b"")}, data={"title": "Kosong"}
    )  # an empty file input: as if no file was chosen
    assert answer.status_code == 400 and "choose a recording" in answer.json()["detail"]
    assert not silent.exists() and leftovers(show) == before
    assert all(e["title"] != "Tidak jadi" for e in client.get("/api/episodes").json())


def test_an_upload_cut_off_half_way_leaves_no_file(
    studio: StudioProcess, client: StudioClient, show: Workspace
) -> None:
    before = leftovers(show)
    boundary = "----cerdas"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nSetengah\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    url = urlsplit(studio.url)
    cookie = "; ".join(f"{k}={v}" for k, v in client.http.cookies.items())
    request = (
        f"POST /api/episodes HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + 4_000_000}\r\nCookie: {cookie}\r\nX-CSRF-Token: {client.csrf}\r\n\r\n"
    ).encode()
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(request + head + b"\0" * 1_500_000)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(p.suffix == ".part" for p in show.studio_uploads_dir.iterdir()):
            time.sleep(0.05)
        assert any(p.suffix == ".part" for p in show.studio_uploads_dir.iterdir())  # it was streaming to disk
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and leftovers(show) != before:
        time.sleep(0.1)
    assert leftovers(show) == before
    assert all(e["title"] != "Setengah" for e in client.get("/api/episodes").json())


def test_the_api_is_documented(client: StudioClient) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/episodes", "get"),
        ("/api/episodes", "post"),
        ("/api/jobs/{job_id}", "get"),
        ("/api/episodes/{slug}/transcript", "get"),
        ("/api/episodes/{slug}/transcript", "put"),
        ("/api/episodes/{slug}/chapters", "put"),
        ("/api/episodes/{slug}/metadata", "put"),
    ]:
        assert method in paths[path], (path, method)
    page = client.get("/api/docs")
    assert page.status_code == 200 and "/api/episodes/{slug}/transcript" in page.text
    assert "cdn" not in page.text.lower()


@pytest.mark.slow
def test_a_job_cut_off_by_a_restart_is_interrupted_and_runs_again(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "show", "Podcast Uji", "Uji.", "Inspektorat Uji", "uji@example.go.id")
    set_keys(ws, "whisper", enabled=False)
    source = uneven_speech(tmp_path / "panjang.wav", seconds=240)
    studio = start_studio(ws, tmp_path / "home")
    client = studio.client()
    job_id = client.publish(source, "Episode panjang").json()["job"]["id"]
    deadline = time.monotonic() + 60
    while client.get(f"/api/jobs/{job_id}").json()["stage"] not in ("loudness", "tag") and time.monotonic() < deadline:
        time.sleep(0.1)
    stop_studio(studio, kill=True)  # the machine went down mid-job
    client.close()
    with running_studio(ws, tmp_path / "home") as again:
        client = again.client()
        job = client.get(f"/api/jobs/{job_id}").json()
        assert job["status"] == "interrupted" and job["can_retry"]
        assert "Terputus" in client.get(f"/jobs/{job_id}").text  # shown as interrupted, in Indonesian
        retried = client.post(f"/api/jobs/{job_id}/retry")
        assert retried.status_code == 202
        done = client.wait(retried.json()["job"]["id"])
        assert done["status"] == "done" and done["retry_of"] == job_id, done
        assert load_episode(ws, done["slug"]).state() == "published"
        client.close()
    assert len(list(ws.episodes_dir.glob("*/episode.toml"))) == 1


def test_without_a_password_there_is_no_login_and_no_csrf_exemption(client: StudioClient) -> None:
    assert client.get("/login?next=/jobs").headers["location"] == "/jobs"
    refused = client.http.put("/api/episodes/x/chapters", json={"version": "v", "chapters": []})
    assert refused.status_code == 403  # this machine only, yet a web page must not drive it (CSRF)


def test_a_recording_the_pipeline_refuses_fails_its_job_and_leaves_nothing(
    client: StudioClient, published: str, show: Workspace, tmp_path: Path
) -> None:
    before, feed = leftovers(show), (show.feed_dir / "feed.xml").read_bytes()
    answer = client.publish(silence(tmp_path / "sunyi.wav", seconds=4), "Rekaman sunyi")
    assert answer.status_code == 202  # ffprobe reads it; only the full decode finds the silence
    job = client.wait(answer.json()["job"]["id"])
    assert job["status"] == "failed" and job["error"].startswith("sunyi.wav: the audio is silent"), job["error"]
    assert [s["status"] for s in job["stages"]][:2] == ["failed", "pending"]
    assert leftovers(show) == before  # the refused recording is not kept
    assert (show.feed_dir / "feed.xml").read_bytes() == feed
    assert all(e["title"] != "Rekaman sunyi" for e in client.get("/api/episodes").json())


def test_a_job_waits_while_a_terminal_command_holds_the_workspace(
    client: StudioClient, published: str, show: Workspace
) -> None:
    data = client.get(f"/api/episodes/{published}/chapters").json()
    body = {"version": data["version"], "chapters": [{"start": 0, "title": "Awal"}]}
    with show.lock():  # as 'cerdas publish' in a terminal would
        job_id = client.put(f"/api/episodes/{published}/chapters", json=body).json()["job"]["id"]
        deadline = time.monotonic() + 20
        job = client.get(f"/api/jobs/{job_id}").json()
        while not job["waiting"] and time.monotonic() < deadline:
            time.sleep(0.1)
            job = client.get(f"/api/jobs/{job_id}").json()
        assert job["status"] == "queued" and "another cerdas command" in job["waiting"]
    done = client.wait(job_id)
    assert done["status"] == "done" and not done["waiting"]
    assert load_episode(show, published).chapters[0].title == "Awal"

"""``cerdas serve``: MIME types, byte ranges, CORS on transcripts, nothing outside feed/ and no dot files."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import Result

from cerdas.feed.serve import parse_range, serving
from cerdas.workspace import Workspace


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "feed"
    files = {
        "feed.xml": b"<?xml version='1.0'?><rss version='2.0'/>",
        "index.html": b"<!doctype html><title>x</title>",
        "audio/satu.mp3": bytes(range(256)) * 40,
        "transcripts/satu.vtt": b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHalo\n",
        "transcripts/satu.srt": b"1\n00:00:00,000 --> 00:00:01,000\nHalo\n",
        "transcripts/satu.json": b'{"version":"1.0.0","segments":[]}',
        "transcripts/satu.txt": b"Halo\n",
        "chapters/satu.json": b'{"version":"1.2.0","chapters":[]}',
        "episodes/satu/index.html": b"<!doctype html><title>satu</title>",
        "artwork.png": b"\x89PNG\r\n\x1a\n",
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (tmp_path / "rahasia.txt").write_text("di luar feed/")
    (root / ".feed.new-1").mkdir()
    (root / ".feed.new-1" / "x.txt").write_text("staging")
    with serving(root) as base:
        yield base, root


def _get(
    base: str, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/audio/satu.mp3", "audio/mpeg"),
        ("/transcripts/satu.vtt", "text/vtt; charset=utf-8"),
        ("/transcripts/satu.srt", "application/x-subrip; charset=utf-8"),
        ("/transcripts/satu.json", "application/json; charset=utf-8"),
        ("/transcripts/satu.txt", "text/plain; charset=utf-8"),
        ("/chapters/satu.json", "application/json; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/episodes/satu/", "text/html; charset=utf-8"),
        ("/artwork.png", "image/png"),
    ],
)
def test_mime_types(site: tuple[str, Path], path: str, mime: str) -> None:
    status, headers, _ = _get(site[0], path)
    assert status == 200
    assert headers["content-type"] == mime


def test_transcripts_are_open_to_other_origins(site: tuple[str, Path]) -> None:
    for kind in ("vtt", "srt", "json", "txt"):
        status, headers, body = _get(site[0], f"/transcripts/satu.{kind}", headers={"Origin": "https://app.example"})
        assert status == 200 and body
        assert headers["access-control-allow-origin"] == "*"
    status, headers, _ = _get(
        site[0],
        "/audio/satu.mp3",
        "OPTIONS",
        {"Origin": "https://app.example", "Access-Control-Request-Headers": "range"},
    )
    assert status == 204
    assert "Range" in headers["access-control-allow-headers"]


def test_range_requests(site: tuple[str, Path]) -> None:
    base, root = site
    data = (root / "audio/satu.mp3").read_bytes()
    status, headers, body = _get(base, "/audio/satu.mp3", headers={"Range": "bytes=100-299"})
    assert status == 206
    assert headers["content-range"] == f"bytes 100-299/{len(data)}"
    assert headers["content-length"] == "200"
    assert body == data[100:300]
    status, headers, body = _get(base, "/audio/satu.mp3", headers={"Range": "bytes=10000-"})
    assert status == 206 and body == data[10000:]
    status, headers, body = _get(base, "/audio/satu.mp3", headers={"Range": "bytes=-16"})
    assert status == 206 and body == data[-16:]
    status, headers, body = _get(base, "/audio/satu.mp3", headers={"Range": "bytes=99999-"})
    assert status == 416 and headers["content-range"] == f"bytes */{len(data)}"
    status, headers, body = _get(base, "/audio/satu.mp3")
    assert status == 200 and headers["accept-ranges"] == "bytes" and body == data
    status, headers, body = _get(base, "/audio/satu.mp3", "HEAD")
    assert status == 200 and headers["content-length"] == str(len(data)) and body == b""


def test_nothing_outside_feed_and_no_dot_files(site: tuple[str, Path]) -> None:
    base = site[0]
    for path in ("/../rahasia.txt", "/%2e%2e/rahasia.txt", "/.feed.new-1/x.txt", "/tidak-ada.mp3"):
        status, _, body = _get(base, path)
        assert status == 404, path
        assert b"staging" not in body and b"di luar" not in body
    status, headers, _ = _get(base, "/episodes/satu")
    assert status == 301 and headers["location"] == "/episodes/satu/"


def test_parse_range() -> None:
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=5-100", 10) == (5, 9)
    assert parse_range("bytes=-3", 10) == (7, 9)
    assert parse_range("bytes=0-1,4-5", 10) is None  # several ranges: the whole file
    assert parse_range("items=1-2", 10) is None
    with pytest.raises(ValueError):
        parse_range("bytes=10-", 10)
    with pytest.raises(ValueError):
        parse_range("bytes=5-2", 10)


def test_serve_without_a_built_feed_says_what_to_do(workspace: Workspace, run_cli: Callable[..., Result]) -> None:
    result = run_cli("serve", "--port", "0")
    assert result.exit_code == 1
    assert "run 'cerdas feed'" in result.stderr


def test_feed_and_serve_have_help(run_cli: Callable[..., Result]) -> None:
    for command in ("feed", "serve"):
        result = run_cli(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout
    assert "--port" in run_cli("serve", "--help").stdout
    assert "--check" in run_cli("feed", "--help").stdout
    publish_help = run_cli("publish", "--help").stdout
    assert "--draft" in publish_help and "--publish-at" in publish_help


def test_idle_connections_are_closed_and_hold_no_thread(tmp_path: Path) -> None:
    """Finding 10: 180 idle sockets used to hold 181 threads, still open after 23 s."""
    import socket
    import threading
    import time

    root = tmp_path / "feed"
    root.mkdir()
    (root / "feed.xml").write_bytes(b"<rss version='2.0'/>")
    with serving(root, idle_timeout=1.0) as base:
        parts = urlsplit(base)
        threads = threading.active_count()
        silent = [socket.create_connection((parts.hostname or "", parts.port or 0), timeout=10) for _ in range(150)]
        trickling = []
        for _ in range(20):  # a slow client that starts a request and never finishes its headers
            sock = socket.create_connection((parts.hostname or "", parts.port or 0), timeout=10)
            sock.sendall(b"GET /feed.xml HTTP/1.1\r\nHost: x\r\n")
            trickling.append(sock)
        assert threading.active_count() <= threads + 1
        started = time.monotonic()
        for sock in silent + trickling:
            assert sock.recv(1024) == b""  # closed by the server
            sock.close()
        assert time.monotonic() - started < 5.0
        status, _, body = _get(base, "/feed.xml")  # and it still serves
        assert status == 200 and body.startswith(b"<rss")

"""``cerdas serve``: the ``feed/`` folder over HTTP, as a static host would serve it.

Right MIME types for the feed and its files, byte ranges (podcast apps and ``<audio>`` seek with them), CORS
open on every file (web players fetch transcripts and chapters from other origins), no directory listings.
The folder is looked up on every request, so a site rebuild that swaps ``feed/`` is served at once.
"""

from __future__ import annotations

import email.utils
import os
import posixpath
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from cerdas.errors import CerdasError

MIME_TYPES: dict[str, str] = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
}
FEED_MIME = "application/rss+xml; charset=utf-8"
"""``feed.xml`` itself: podcast apps and validators expect the RSS type."""

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def content_type(path: Path) -> str:
    """The ``Content-Type`` for a file in ``feed/``."""
    if path.name == "feed.xml":
        return FEED_MIME
    return MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` byte positions (inclusive) for a single ``Range`` header, or ``None`` when the header
    asks for several ranges or is malformed (the whole file is then sent, as RFC 9110 allows).
    Raises :class:`ValueError` when the range cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first_s, last_s = match.groups()
    if not first_s and not last_s:
        return None
    if not first_s:  # suffix range: the last N bytes
        length = int(last_s)
        if length == 0 or size == 0:
            raise ValueError(header)
        return max(size - length, 0), size - 1
    first = int(first_s)
    last = min(int(last_s), size - 1) if last_s else size - 1
    if first >= size or (last_s and int(last_s) < first):
        raise ValueError(header)
    return first, last


class FeedRequestHandler(SimpleHTTPRequestHandler):
    """GET/HEAD of files under ``directory``; ``index.html`` for folders; ranges; open CORS."""

    server_version = "cerdas-serve"

    def __init__(self, *args: Any, directory: str, quiet: bool = True, **kwargs: Any) -> None:
        self.quiet = quiet
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges")
        super().end_headers()

    def do_OPTIONS(self) -> None:
        """CORS pre-flight: a web player may ask before sending ``Range``."""
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _file_for(self) -> Path | None:
        """The file the request path names, or ``None`` (a folder without ``index.html``, outside the root)."""
        root = Path(self.directory).resolve()
        raw = unquote(urlsplit(self.path).path)
        parts = [p for p in posixpath.normpath(raw).split("/") if p and p not in (".", "..")]
        if any(p.startswith(".") for p in parts):  # staging folders, dot files: never public
            return None
        target = root.joinpath(*parts)
        if target.is_dir():
            if not raw.endswith("/"):
                return target  # redirected by send_head
            target = target / "index.html"
        try:
            target.resolve().relative_to(root)
        except ValueError:
            return None
        return target if target.is_file() else None

    def send_head(self) -> BinaryIO | None:
        target = self._file_for()
        if target is not None and target.is_dir():
            parts = urlsplit(self.path)
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", parts.path + "/" + (f"?{parts.query}" if parts.query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            fh = open(target, "rb")  # noqa: SIM115 (the caller closes it after copyfile)
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        stat = os.fstat(fh.fileno())
        size = stat.st_size
        first, last = 0, size - 1
        status = HTTPStatus.OK
        header = self.headers.get("Range")
        if header:
            try:
                span = parse_range(header, size)
            except ValueError:
                fh.close()
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if span is not None:
                first, last = span
                status = HTTPStatus.PARTIAL_CONTENT
        self.send_response(status)
        self.send_header("Content-Type", content_type(target))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.send_header("Cache-Control", "no-cache")
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(max(last - first + 1, 0)))
        self.end_headers()
        fh.seek(first)
        self._remaining = max(last - first + 1, 0)
        return fh

    def copyfile(self, source: Any, outputfile: Any) -> None:
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            shutil.copyfileobj(source, outputfile)
            return
        try:
            while remaining > 0:
                chunk = source.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                outputfile.write(chunk)
                remaining -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the player moved on (a seek closes the previous range request)


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000, quiet: bool = True) -> ThreadingHTTPServer:
    """A threading HTTP server for ``directory`` (port 0 picks a free port; read it from ``server_address``)."""
    folder = str(directory.resolve())

    def handler(*args: Any, **kwargs: Any) -> FeedRequestHandler:
        return FeedRequestHandler(*args, directory=folder, quiet=quiet, **kwargs)

    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise CerdasError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    server.daemon_threads = True
    return server


@contextmanager
def serving(directory: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``directory`` in a background thread for the duration of the block; yields the base URL."""
    server = make_server(directory, host, port)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="cerdas-serve", daemon=True)
    thread.start()
    try:
        bound_host, bound_port = server.server_address[:2]
        yield f"http://{bound_host!s}:{bound_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

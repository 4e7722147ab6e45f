"""``cerdas serve``: the ``feed/`` folder over HTTP, as a static host would serve it.

Right MIME types for the feed and its files, byte ranges (podcast apps and ``<audio>`` seek with them), CORS
open on every file (web players fetch transcripts and chapters from other origins), no directory listings, no
dot files, nothing outside ``feed/``. The folder is looked up on every request, so a site rebuild that swaps
``feed/`` is served at once.

It runs on the ASGI stack the studio uses: a Starlette app on uvicorn. One event loop serves every connection
(an idle one holds a socket, never a thread); files are read in anyio's bounded thread pool; a connection that
has not sent a complete request within :data:`IDLE_TIMEOUT` seconds (a fresh one that never speaks, one that
trickles its headers, a keep-alive one between requests) is closed; at most :data:`MAX_CONNECTIONS` are served
at once (uvicorn answers 503 beyond).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import os
import posixpath
import re
import socket
import stat
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from cerdas.errors import CerdasError

IDLE_TIMEOUT = 10.0
"""Seconds a connection may take to send a complete request (and may stay idle between requests)."""
MAX_CONNECTIONS = 512
CHUNK = 1 << 16

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


CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Length, Content-Range, Accept-Ranges",
}


def file_for(root: Path, raw: str) -> Path | None:
    """The file (or, for a path without its final ``/``, the folder) that request path ``raw`` (decoded) names
    under ``root``, or None: a dot file or folder (staging folders), a folder without ``index.html``, anything
    that resolves outside ``root``, anything but a regular file."""
    root = root.resolve()
    parts = [p for p in posixpath.normpath(raw).split("/") if p and p not in (".", "..")]
    if any(p.startswith(".") for p in parts):
        return None
    target = root.joinpath(*parts)
    if target.is_dir():
        if not raw.endswith("/"):
            return target  # answered with a redirect
        target = target / "index.html"
    try:
        target.resolve().relative_to(root)
        info = target.stat()
    except (ValueError, OSError):
        return None
    return target if stat.S_ISREG(info.st_mode) else None


def _headers(path: Path, info: os.stat_result) -> dict[str, str]:
    return {
        **CORS,
        "Content-Type": content_type(path),
        "Accept-Ranges": "bytes",
        "Last-Modified": email.utils.formatdate(info.st_mtime, usegmt=True),
        "Cache-Control": "no-cache",
    }


async def _span(path: Path, first: int, length: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as fh:
        await fh.seek(first)
        while length > 0:
            chunk = await fh.read(min(length, CHUNK))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk


def make_app(directory: Path) -> Starlette:
    """The ASGI app serving ``directory`` (GET, HEAD, OPTIONS)."""
    root = directory.resolve()

    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":  # CORS pre-flight: a web player may ask before sending Range
            return Response(
                status_code=204,
                headers={
                    **CORS,
                    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                    "Access-Control-Allow-Headers": "Range",
                    "Access-Control-Max-Age": "86400",
                },
            )
        raw = request.scope["path"]
        target = file_for(root, raw)
        if target is not None and target.is_dir():
            query = request.scope.get("query_string", b"").decode("latin-1")
            location = raw + "/" + (f"?{query}" if query else "")
            return Response(status_code=301, headers={**CORS, "Location": location})
        if target is None:
            return PlainTextResponse("File not found", status_code=404, headers=CORS)
        return _file_response(request, target)

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "HEAD", "OPTIONS"])])


def _file_response(request: Request, target: Path) -> Response:
    try:
        info = target.stat()
    except OSError:
        return PlainTextResponse("File not found", status_code=404, headers=CORS)
    size = info.st_size
    headers = _headers(target, info)
    header = request.headers.get("range")
    span = None
    if header:
        try:
            span = parse_range(header, size)
        except ValueError:
            return Response(status_code=416, headers={**CORS, "Content-Range": f"bytes */{size}"})
    if span is None:
        if request.method == "HEAD":
            return Response(status_code=200, headers={**headers, "Content-Length": str(size)})
        return FileResponse(target, headers=headers, stat_result=info)
    first, last = span
    headers.update({"Content-Range": f"bytes {first}-{last}/{size}", "Content-Length": str(last - first + 1)})
    if request.method == "HEAD":
        return Response(status_code=206, headers=headers)
    return StreamingResponse(_span(target, first, last - first + 1), status_code=206, headers=headers)


class IdleClosingH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol that also closes a connection which has not sent a complete request within the
    idle timeout. uvicorn itself times out only a keep-alive connection after a response: a fresh connection
    that never speaks, or trickles its headers, would stay open for good."""

    _deadline: float | None = None

    def _wait(self, seconds: float) -> None:
        self._unset_keepalive_if_required()
        self.timeout_keep_alive_task = self.loop.call_later(max(seconds, 0.0), self.timeout_keep_alive_handler)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline = self.loop.time() + self.timeout_keep_alive
        self._wait(self.timeout_keep_alive)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and self._deadline is not None and not self.transport.is_closing():
            self._wait(self._deadline - self.loop.time())  # the clock started with the request, not this chunk
        elif not waiting:
            self._deadline = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._deadline = self.loop.time() + self.timeout_keep_alive


class FeedServer:
    """``feed/`` served by uvicorn on a socket bound at once (port 0 picks a free one: read :attr:`port`)."""

    def __init__(
        self, directory: Path, host: str, port: int, quiet: bool = True, idle_timeout: float = IDLE_TIMEOUT
    ) -> None:
        self.sock = _bind(host, port)
        self.server_address: tuple[str, int] = self.sock.getsockname()[:2]
        # uvicorn annotates timeout_keep_alive as int; it only hands it to call_later, where a float works
        config = uvicorn.Config(
            make_app(directory),
            http=IdleClosingH11,
            lifespan="off",
            log_config=None,
            access_log=not quiet,
            timeout_keep_alive=idle_timeout,  # type: ignore[arg-type]
            limit_concurrency=MAX_CONNECTIONS,
            timeout_graceful_shutdown=2,
            server_header=False,
        )
        self.server = uvicorn.Server(config)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (or Ctrl-C in the main thread)."""
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
        self.server.run(sockets=[self.sock])

    def shutdown(self) -> None:
        self.server.should_exit = True

    def server_close(self) -> None:
        self.sock.close()


def _bind(host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(256)
    except OSError as exc:
        raise CerdasError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000, quiet: bool = True) -> FeedServer:
    """A server for ``directory`` (port 0 picks a free port; read it from ``server_address``)."""
    return FeedServer(directory, host, port, quiet)


@contextmanager
def serving(
    directory: Path, host: str = "127.0.0.1", port: int = 0, idle_timeout: float = IDLE_TIMEOUT
) -> Iterator[str]:
    """Serve ``directory`` in a background thread for the duration of the block; yields the base URL."""
    server = FeedServer(directory, host, port, idle_timeout=idle_timeout)
    thread = threading.Thread(target=server.serve_forever, name="cerdas-serve", daemon=True)
    thread.start()
    try:
        while not server.server.started and thread.is_alive():
            threading.Event().wait(0.01)
        yield f"http://{server.server_address[0]}:{server.port}/"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()

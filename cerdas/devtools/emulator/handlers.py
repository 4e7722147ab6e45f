"""The HTTP plumbing every route shares: dispatch by operation, faults, auth, Google-format errors."""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

from cerdas.devtools.emulator.faults import Fault
from cerdas.devtools.emulator.state import ANALYTICS_SCOPES, SCOPE, ApiError, EmulatorState, quota_error


class Server(http.server.ThreadingHTTPServer):
    """The HTTP server holding the emulator's state; ``handler`` answers each request."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: EmulatorState, handler: type[_Base]) -> None:
        super().__init__(address, handler)
        self.state = state
        self.base_url = ""


class _Base(http.server.BaseHTTPRequestHandler):
    """The plumbing of every route: the routes themselves are methods ``_h_<operation>`` of the mixins."""

    protocol_version = "HTTP/1.1"
    server: Server

    # -- plumbing --------------------------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def state(self) -> EmulatorState:
        return self.server.state

    @property
    def base(self) -> str:
        return self.server.base_url

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        chunks, left = [], length
        while left > 0:
            data = self.rfile.read(min(left, 1 << 20))
            if not data:
                break
            chunks.append(data)
            left -= len(data)
        return b"".join(chunks)

    def _log(self, status: int) -> None:
        """Record the request before answering (a test reading the log right after the answer sees it)."""
        entry = getattr(self, "_entry", None)
        if entry is None or entry.get("logged"):
            return
        entry["status"] = status
        entry["logged"] = True
        with self.state.lock:
            self.state.log.append({k: v for k, v in entry.items() if k != "logged"})

    def _send(
        self,
        code: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        ctype: str = "application/json; charset=UTF-8",
    ) -> None:
        self._log(code)
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if body or code not in (204, 308):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        self._status = code

    def _json(self, code: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(code, json.dumps(obj).encode("utf-8"), headers)

    def _drop(self) -> None:
        """Close the connection without an answer (the client sees a reset or an empty reply)."""
        self.close_connection = True
        self._status = 0
        self._log(0)
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _op(self, method: str, path: str, query: dict[str, list[str]]) -> str:
        table = {
            ("POST", "/token"): "token",
            ("GET", "/o/oauth2/auth"): "auth",
            ("GET", "/youtube/v3/videos"): "videos.list",
            ("PUT", "/youtube/v3/videos"): "videos.update",
            ("GET", "/youtube/v3/channels"): "channels.list",
            ("GET", "/youtube/v3/captions"): "captions.list",
            ("POST", "/upload/youtube/v3/captions"): "captions.insert",
            ("PUT", "/upload/youtube/v3/captions"): "captions.update",
            ("POST", "/upload/youtube/v3/thumbnails/set"): "thumbnails.set",
            ("GET", "/youtube/v3/playlistItems"): "playlistItems.list",
            ("POST", "/youtube/v3/playlistItems"): "playlistItems.insert",
            ("DELETE", "/youtube/v3/playlistItems"): "playlistItems.delete",
            ("POST", "/upload/youtube/v3/videos"): "videos.insert",
            ("GET", "/v2/reports"): "reports.query",
        }
        if method == "PUT" and path == "/upload/youtube/v3/videos" and "upload_id" in query:
            return "upload.query" if self.headers.get("Content-Range", "").startswith("bytes */") else "upload.chunk"
        if path.startswith("/_emulator/"):
            return "control"
        return table.get((method, path), "unknown")

    def _dispatch(self, method: str) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        op = self._op(method, url.path, query)
        self._status = 0
        body = self._read_body()
        self._entry: dict[str, Any] | None = (
            None
            if op == "control"
            else {
                "op": op,
                "method": method,
                "path": url.path,
                "status": 0,
                "range": self.headers.get("Content-Range", ""),
                "bytes": len(body),
            }
        )
        fault = self.state.take_fault(op) if op != "control" else None
        try:
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
                fault = None
            if fault is not None and fault.kind == "drop_before":
                self._drop()
                return
            if fault is not None and fault.kind != "drop_after":
                raise self._fault_error(fault)
            if op not in ("token", "auth", "control", "unknown"):
                self._check_auth(op)
            handler: Callable[[dict[str, list[str]], bytes], tuple[int, Any, dict[str, str]]] = getattr(
                self, "_h_" + op.replace(".", "_"), self._h_unknown
            )
            code, payload, headers = handler(query, body)
            if fault is not None:  # drop_after: the work is done, the answer is lost
                self._drop()
                return
            if isinstance(payload, bytes):
                self._send(code, payload, headers, ctype=headers.pop("Content-Type", "text/plain"))
            elif payload is None:
                self._send(code, b"", headers)
            else:
                self._json(code, payload, headers)
        except ApiError as err:
            self._json(err.code, err.body())
        except OAuthError as err:
            self._json(400, {"error": err.error, "error_description": err.description})
        finally:
            self._log(self._status)

    def _fault_error(self, fault: Fault) -> ApiError:
        kind = fault.kind
        if kind == "unauthorized":
            self.state.expire_access_tokens()
            return ApiError(401, "authError", "Request had invalid authentication credentials.")
        if kind == "quota":
            return quota_error()
        if kind == "upload_limit":
            return ApiError(
                400,
                "uploadLimitExceeded",
                "The user has exceeded the number of videos they may upload.",
                "youtube.video",
            )
        if kind == "rate_limit":
            return ApiError(403, "rateLimitExceeded", "Rate limit exceeded.", "youtube.quota")
        if kind == "video_not_found":
            return ApiError(404, "videoNotFound", "The video could not be found.", "youtube.video")
        reasons = {
            500: "backendError",
            502: "badGateway",
            503: "backendError",
            504: "backendError",
            429: "rateLimitExceeded",
            400: "badRequest",
            403: "forbidden",
            404: "notFound",
        }
        return ApiError(fault.status, reasons.get(fault.status, "backendError"), f"Injected error {fault.status}.")

    def _check_auth(self, op: str) -> None:
        header = self.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self.state.lock:
            entry = self.state.access_tokens.get(token)
        if entry is None or entry[0] < time.time():
            raise ApiError(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential.",
            )
        if op == "reports.query":
            if not ANALYTICS_SCOPES & set(entry[1]):
                raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.")
        elif SCOPE not in entry[1] and "https://www.googleapis.com/auth/youtube" not in entry[1]:
            raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.")

    def _h_unknown(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        raise ApiError(404, "notFound", f"The emulator does not implement {self.command} {urlparse(self.path).path}.")


class OAuthError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description

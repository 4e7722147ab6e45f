"""A local YouTube Data API v3 emulator: the calls Cerdas makes, as the real google-api-python-client sends them.

It speaks resumable ``videos.insert`` (POST → 200 + ``Location``; PUT chunks with ``Content-Range`` → 308 +
``Range`` until 200 with the video; status queries ``Content-Range: bytes */N``), multipart ``captions.insert``
and ``captions.update``, ``thumbnails.set`` media upload, ``playlistItems.insert``/``list``, ``videos.list``/
``update``, ``channels.list``, ``captions.list``, the OAuth consent redirect and token endpoint (code exchange with
PKCE, refresh), Google-format error bodies and quota accounting (10,000 units a day by default).

Faults are injected per operation (:class:`Fault`): an HTTP status on the n-th request, a connection dropped
before or after the server stores a chunk, a 401 (the access token is then expired, so the client must refresh),
``quotaExceeded``/``uploadLimitExceeded``/``rateLimitExceeded``, ``videoNotFound`` while a new video is "not yet
visible", and slow responses. State is inspectable in-process (:attr:`Emulator.state`) and over HTTP
(``GET /_emulator/state``; ``POST /_emulator/faults``, ``/_emulator/quota``, ``/_emulator/revoke``).

Run it: ``python -m cerdas.devtools.emulator --port 8765 --write-token TOKEN.json`` (``--tls-cert``/``--tls-key``
for HTTPS). Only ever binds to a loopback address by default.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import http.server
import json
import secrets
import socket
import ssl
import string
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlparse

SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
DAILY_QUOTA = 10_000
COSTS = {
    "videos.insert": 1600,
    "videos.update": 50,
    "videos.list": 1,
    "channels.list": 1,
    "captions.insert": 400,
    "captions.update": 450,
    "captions.list": 50,
    "thumbnails.set": 50,
    "playlistItems.insert": 50,
    "playlistItems.list": 1,
    "playlistItems.delete": 50,
}
CATEGORIES = {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}
PRIVACY = {"public", "unlisted", "private"}
CHUNK_GRANULARITY = 256 * 1024
THUMBNAIL_MAX = 2 * 1024 * 1024
CLIENT_ID = "cerdas-emulator.apps.googleusercontent.com"
CLIENT_SECRET = "emulator-client-secret"
FAULT_KINDS = {
    "status",
    "drop_before",
    "drop_after",
    "unauthorized",
    "quota",
    "upload_limit",
    "rate_limit",
    "slow",
    "video_not_found",
}
_ID_CHARS = string.ascii_letters + string.digits + "-_"


def _new_id(n: int = 11) -> str:
    return "".join(secrets.choice(_ID_CHARS) for _ in range(n))


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Fault:
    """Misbehave on matching requests: the ``nth`` one (1-based) and the ``times - 1`` after it.

    ``op``: an operation name (``videos.insert``, ``upload.chunk``, ``upload.query``, ``captions.insert``,
    ``thumbnails.set``, ``playlistItems.insert``, ``token``, ...) or ``any``.
    ``kind``: ``status`` (answer ``status`` with a Google error body), ``drop_before`` (read the request, store
    nothing, close the connection), ``drop_after`` (do the work, then close without answering), ``unauthorized``
    (401 and expire the access token), ``quota``, ``upload_limit``, ``rate_limit``, ``slow`` (wait ``delay``
    seconds, then answer normally), ``video_not_found`` (404 ``videoNotFound``).
    """

    op: str
    kind: str
    nth: int = 1
    times: int = 1
    status: int = 503
    delay: float = 0.0
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (known: {', '.join(sorted(FAULT_KINDS))})")
        if self.nth < 1 or self.times < 1:
            raise ValueError("nth and times must be 1 or more")

    def matches(self, op: str) -> bool:
        return self.op in ("any", op)

    def hit(self) -> bool:
        self.seen += 1
        if self.seen >= self.nth and self.fired < self.times:
            self.fired += 1
            return True
        return False

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``op:kind[:nth[:times[:status-or-delay]]]`` (the command-line form)."""
        parts = text.split(":")
        if len(parts) < 2:
            raise ValueError(f"fault {text!r} is not op:kind[:nth[:times[:value]]]")
        fault = cls(parts[0], parts[1], int(parts[2]) if len(parts) > 2 else 1, int(parts[3]) if len(parts) > 3 else 1)
        if len(parts) > 4:
            if fault.kind == "slow":
                fault.delay = float(parts[4])
            else:
                fault.status = int(parts[4])
        return fault


@dataclass
class UploadSession:
    id: str
    total: int
    mimetype: str
    body: dict[str, Any]
    path: Path | None
    received: int = 0
    video_id: str = ""
    digest: Any = field(default_factory=hashlib.sha256)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class StoredVideo:
    resource: dict[str, Any]
    size: int
    sha256: str
    path: Path | None


class ApiError(Exception):
    """An error answer in Google's format."""

    def __init__(self, code: int, reason: str, message: str, domain: str = "global") -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.domain = code, reason, message, domain

    def body(self) -> dict[str, Any]:
        status = {
            400: "INVALID_ARGUMENT",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            404: "NOT_FOUND",
            409: "ALREADY_EXISTS",
            429: "RESOURCE_EXHAUSTED",
        }.get(self.code, "UNAVAILABLE")
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}],
                "status": status,
            }
        }


def quota_error() -> ApiError:
    return ApiError(
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your "
        '<a href="/youtube/v3/getting-started#quota">quota</a>.',
        "youtube.quota",
    )


class EmulatorState:
    """Everything the emulator knows; tests read it directly (hold :attr:`lock` while reading)."""

    def __init__(self, root: Path, quota_limit: int = DAILY_QUOTA, store_media: bool = True) -> None:
        self.root = root
        self.lock = threading.RLock()
        self.quota_limit = quota_limit
        self.quota_used = 0
        self.store_media = store_media
        self.channel_id = "UC" + "cerdasEmulator" + "0" * 8
        self.channel_title = "Podcast Cerdas (emulator)"
        self.uploads_playlist = "UU" + self.channel_id[2:]
        self.playlists: set[str] = {self.uploads_playlist, "PLcerdasEmulatorShow01"}
        self.videos: dict[str, StoredVideo] = {}
        self.sessions: dict[str, UploadSession] = {}
        self.captions: dict[str, dict[str, Any]] = {}
        self.caption_bodies: dict[str, bytes] = {}
        self.thumbnails: dict[str, dict[str, Any]] = {}
        self.playlist_items: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, tuple[float, tuple[str, ...]]] = {}
        self.refresh_tokens: dict[str, tuple[str, ...]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.consent_error = ""
        self.faults: list[Fault] = []
        self.log: list[dict[str, Any]] = []

    # -- faults and quota ------------------------------------------------------------------------------------
    def add_fault(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, op: str) -> Fault | None:
        with self.lock:
            hit = None
            for fault in self.faults:
                if fault.matches(op) and fault.hit() and hit is None:
                    hit = fault
            return hit

    def charge(self, op: str) -> None:
        cost = COSTS.get(op, 0)
        with self.lock:
            if self.quota_used + cost > self.quota_limit:
                raise quota_error()
            self.quota_used += cost

    def reset_quota(self, used: int = 0, limit: int | None = None) -> None:
        """A new day at YouTube (or set the counters for a test)."""
        with self.lock:
            self.quota_used = used
            if limit is not None:
                self.quota_limit = limit

    # -- tokens ----------------------------------------------------------------------------------------------
    def new_access_token(self, scopes: tuple[str, ...], lifetime: float = 3600.0) -> str:
        token = "ya29.emu-" + secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[token] = (time.time() + lifetime, scopes)
        return token

    def new_refresh_token(self, scopes: tuple[str, ...]) -> str:
        token = "1//emu-" + secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[token] = scopes
        return token

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens = {k: (0.0, v[1]) for k, v in self.access_tokens.items()}

    def revoke(self) -> None:
        """Revoke every refresh and access token (the user removed the app's access)."""
        with self.lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    # -- inspection ------------------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """A JSON-friendly view for tests and scripts."""
        with self.lock:
            return {
                "quota_used": self.quota_used,
                "quota_limit": self.quota_limit,
                "videos": {
                    vid: {
                        "size": v.size,
                        "sha256": v.sha256,
                        "title": v.resource["snippet"].get("title", ""),
                        "privacyStatus": v.resource["status"].get("privacyStatus", ""),
                    }
                    for vid, v in self.videos.items()
                },
                "sessions": {
                    sid: {"total": s.total, "received": s.received, "video_id": s.video_id}
                    for sid, s in self.sessions.items()
                },
                "captions": [dict(c["snippet"], id=cid) for cid, c in self.captions.items()],
                "thumbnails": dict(self.thumbnails),
                "playlist_items": [
                    dict(i["snippet"]["resourceId"], playlistId=i["snippet"]["playlistId"], id=pid)
                    for pid, i in self.playlist_items.items()
                ],
                "requests": len(self.log),
                "faults": [asdict(f) for f in self.faults],
            }

    def ops(self, op: str) -> list[dict[str, Any]]:
        """The logged requests of one operation."""
        with self.lock:
            return [e for e in self.log if e["op"] == op]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

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
        except _OAuthError as err:
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
        if SCOPE not in entry[1] and "https://www.googleapis.com/auth/youtube" not in entry[1]:
            raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.")

    # -- OAuth -----------------------------------------------------------------------------------------------
    def _h_auth(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        q = {k: v[0] for k, v in query.items()}
        redirect = q.get("redirect_uri", "")
        if q.get("client_id") != CLIENT_ID or not redirect.startswith(("http://127.0.0.1", "http://localhost")):
            raise ApiError(400, "invalid_request", "Bad client or redirect URI.")
        params: dict[str, str] = {"state": q.get("state", "")}
        if self.state.consent_error:
            params["error"] = self.state.consent_error
        else:
            code = "4/emu-" + secrets.token_urlsafe(16)
            with self.state.lock:
                self.state.codes[code] = {
                    "challenge": q.get("code_challenge", ""),
                    "redirect_uri": redirect,
                    "scope": q.get("scope", ""),
                }
            params.update(code=code, scope=q.get("scope", ""))
        return 302, None, {"Location": f"{redirect}?{urlencode(params)}"}

    def _h_token(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):  # client_secret_basic, as requests-oauthlib sends it
            user, _, password = base64.b64decode(basic[6:]).decode("utf-8").partition(":")
            form.setdefault("client_id", unquote(user))
            form.setdefault("client_secret", unquote(password))
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            raise _OAuthError("invalid_client", "The OAuth client was not found.")
        grant = form.get("grant_type")
        state = self.state
        if grant == "refresh_token":
            with state.lock:
                scopes = state.refresh_tokens.get(form.get("refresh_token", ""))
            if scopes is None:
                raise _OAuthError("invalid_grant", "Token has been expired or revoked.")
            access = state.new_access_token(scopes)
            return (
                200,
                {"access_token": access, "expires_in": 3599, "scope": " ".join(scopes), "token_type": "Bearer"},
                {},
            )
        if grant == "authorization_code":
            with state.lock:
                entry = state.codes.pop(form.get("code", ""), None)
            if entry is None or entry["redirect_uri"] != form.get("redirect_uri"):
                raise _OAuthError("invalid_grant", "Malformed auth code.")
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if entry["challenge"] and digest != entry["challenge"]:
                raise _OAuthError("invalid_grant", "Invalid code verifier.")
            scopes = tuple(entry["scope"].split())
            return (
                200,
                {
                    "access_token": state.new_access_token(scopes),
                    "refresh_token": state.new_refresh_token(scopes),
                    "expires_in": 3599,
                    "scope": " ".join(scopes),
                    "token_type": "Bearer",
                },
                {},
            )
        raise _OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant}")

    # -- videos ----------------------------------------------------------------------------------------------
    def _h_videos_insert(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        if query.get("uploadType", [""])[0] != "resumable":
            raise ApiError(400, "badRequest", "Only resumable uploads are emulated.")
        meta = json.loads(body or b"{}")
        _validate_video(meta)
        try:
            total = int(self.headers.get("X-Upload-Content-Length", ""))
        except ValueError:
            raise ApiError(400, "badRequest", "X-Upload-Content-Length is required.") from None
        self.state.charge("videos.insert")
        sid = "emu-" + secrets.token_urlsafe(18)
        path = self.state.root / "uploads" / f"{sid}.bin" if self.state.store_media else None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"")
        session = UploadSession(sid, total, self.headers.get("X-Upload-Content-Type", "video/*"), meta, path)
        with self.state.lock:
            self.state.sessions[sid] = session
        part = query.get("part", ["snippet,status"])[0]
        location = f"{self.base}upload/youtube/v3/videos?uploadType=resumable&part={part}&upload_id={sid}"
        return 200, None, {"Location": location, "X-GUploader-UploadID": sid}

    def _session(self, query: dict[str, list[str]]) -> UploadSession:
        sid = query.get("upload_id", [""])[0]
        with self.state.lock:
            session = self.state.sessions.get(sid)
        if session is None:
            raise ApiError(404, "notFound", "The upload session was not found or has expired.")
        return session

    def _progress(self, session: UploadSession) -> tuple[int, Any, dict[str, str]]:
        if session.video_id:
            return 200, self.state.videos[session.video_id].resource, {}
        headers = {"Range": f"bytes=0-{session.received - 1}"} if session.received else {}
        return 308, None, headers

    def _h_upload_query(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        session = self._session(query)
        with session.lock:
            return self._progress(session)

    def _h_upload_chunk(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        session = self._session(query)
        spec = self.headers.get("Content-Range", "")
        try:
            unit, rest = spec.split(" ", 1)
            span, total_text = rest.split("/", 1)
            first, last = (int(x) for x in span.split("-", 1))
            if unit != "bytes" or last - first + 1 != len(body):
                raise ValueError
        except ValueError:
            raise ApiError(400, "badRequest", f"Bad Content-Range {spec!r} for {len(body)} bytes.") from None
        if total_text != "*" and int(total_text) != session.total:
            raise ApiError(400, "badRequest", "The total size does not match X-Upload-Content-Length.")
        final = last + 1 == session.total
        if not final and len(body) % CHUNK_GRANULARITY:
            raise ApiError(400, "badRequest", "Chunks other than the last must be a multiple of 256 KiB.")
        with session.lock:
            if session.video_id:
                return self._progress(session)
            if first > session.received:  # a gap: tell the client what we have
                return self._progress(session)
            skip = session.received - first
            fresh = body[skip:]
            if skip and session.path is not None:
                with open(session.path, "rb") as fh:
                    fh.seek(first)
                    if fh.read(skip) != body[:skip]:
                        raise ApiError(400, "badContent", "Re-sent bytes differ from the bytes already stored.")
            if fresh:
                if session.path is not None:
                    with open(session.path, "ab") as fh:
                        fh.write(fresh)
                session.digest.update(fresh)
                session.received += len(fresh)
            if session.received == session.total:
                self._finish(session)
            return self._progress(session)

    def _finish(self, session: UploadSession) -> None:
        vid = _new_id()
        meta = session.body
        snippet = dict(meta.get("snippet", {}))
        status = dict(meta.get("status", {}))
        resource = {
            "kind": "youtube#video",
            "etag": _new_id(27),
            "id": vid,
            "snippet": {
                **snippet,
                "publishedAt": _now(),
                "channelId": self.state.channel_id,
                "channelTitle": self.state.channel_title,
                "categoryId": str(snippet.get("categoryId", "22")),
                "liveBroadcastContent": "none",
            },
            "status": {
                "uploadStatus": "uploaded",
                "privacyStatus": status.get("privacyStatus", "public"),
                "license": "youtube",
                "embeddable": True,
                "publicStatsViewable": True,
                "selfDeclaredMadeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
                "madeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
                **({"publishAt": status["publishAt"]} if status.get("publishAt") else {}),
            },
            "processingDetails": {"processingStatus": "processing"},
        }
        video_path = None
        if session.path is not None:
            video_path = self.state.root / "videos" / f"{vid}.bin"
            video_path.parent.mkdir(parents=True, exist_ok=True)
            session.path.replace(video_path)
        with self.state.lock:
            self.state.videos[vid] = StoredVideo(resource, session.total, session.digest.hexdigest(), video_path)
            item_id = _new_id(20)
            self.state.playlist_items[item_id] = _playlist_item(
                item_id, self.state.uploads_playlist, vid, snippet.get("title", "")
            )
        session.video_id = vid

    def _video(self, video_id: str) -> StoredVideo:
        with self.state.lock:
            video = self.state.videos.get(video_id)
        if video is None:
            raise ApiError(404, "videoNotFound", "The video could not be found.", "youtube.video")
        return video

    def _h_videos_list(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        self.state.charge("videos.list")
        ids = [i for v in query.get("id", []) for i in v.split(",") if i]
        with self.state.lock:
            items = [self.state.videos[i].resource for i in ids if i in self.state.videos]
        return (
            200,
            {
                "kind": "youtube#videoListResponse",
                "items": items,
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            },
            {},
        )

    def _h_videos_update(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        meta = json.loads(body or b"{}")
        video = self._video(str(meta.get("id", "")))
        parts = query.get("part", [""])[0].split(",")
        if "snippet" in parts and not meta.get("snippet", {}).get("categoryId"):
            raise ApiError(
                400, "invalidCategoryId", "snippet.categoryId is required when updating the snippet.", "youtube.video"
            )
        _validate_video(
            {
                "snippet": meta.get("snippet", video.resource["snippet"]),
                "status": meta.get("status", {}) if "status" in parts else {},
            }
        )
        self.state.charge("videos.update")
        with self.state.lock:
            if "snippet" in parts:
                video.resource["snippet"].update(meta.get("snippet", {}))
            if "status" in parts:
                video.resource["status"].update(meta.get("status", {}))
        return 200, video.resource, {}

    def _h_channels_list(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        self.state.charge("channels.list")
        st = self.state
        with st.lock:
            count = len(st.videos)
        item = {
            "kind": "youtube#channel",
            "id": st.channel_id,
            "snippet": {"title": st.channel_title, "description": "Emulated channel", "customUrl": "@cerdas"},
            "contentDetails": {"relatedPlaylists": {"uploads": st.uploads_playlist}},
            "statistics": {"videoCount": str(count), "subscriberCount": "0", "viewCount": "0"},
        }
        return 200, {"kind": "youtube#channelListResponse", "items": [item]}, {}

    # -- captions --------------------------------------------------------------------------------------------
    def _multipart(self, body: bytes) -> tuple[dict[str, Any], bytes]:
        ctype = self.headers.get("Content-Type", "")
        if "boundary=" not in ctype:
            raise ApiError(400, "badRequest", "Expected a multipart/related body.")
        boundary = ctype.split("boundary=", 1)[1].split(";")[0].strip().strip('"').encode()
        parts = []
        for raw in body.split(b"--" + boundary)[1:]:
            if raw.startswith(b"--"):
                break
            raw = raw[2:] if raw.startswith(b"\r\n") else raw[1:] if raw.startswith(b"\n") else raw
            sep = b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n"
            _headers, _, content = raw.partition(sep)
            content = (
                content[:-2] if content.endswith(b"\r\n") else content[:-1] if content.endswith(b"\n") else content
            )
            parts.append(content)
        if len(parts) != 2:
            raise ApiError(400, "badRequest", "Expected metadata and media parts.")
        return json.loads(parts[0] or b"{}"), parts[1]

    @staticmethod
    def _check_caption(media: bytes) -> None:
        try:
            text = media.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "invalidCaptionFormat", "Captions must be UTF-8.", "youtube.caption") from None
        if "-->" not in text:
            raise ApiError(400, "invalidCaptionFormat", "The caption track is not SRT or WebVTT.", "youtube.caption")

    def _h_captions_insert(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        meta, media = self._multipart(body)
        snippet = meta.get("snippet", {})
        self._video(str(snippet.get("videoId", "")))
        self._check_caption(media)
        with self.state.lock:
            for cap in self.state.captions.values():
                s = cap["snippet"]
                if (s["videoId"], s["language"], s["name"]) == (
                    snippet["videoId"],
                    snippet.get("language"),
                    snippet.get("name", ""),
                ):
                    raise ApiError(
                        409,
                        "captionExists",
                        "The video already has a caption track with this language and name.",
                        "youtube.caption",
                    )
        self.state.charge("captions.insert")
        cid = "AUieDa" + _new_id(30)
        resource = {
            "kind": "youtube#caption",
            "etag": _new_id(27),
            "id": cid,
            "snippet": {
                "videoId": snippet["videoId"],
                "language": snippet.get("language", ""),
                "name": snippet.get("name", ""),
                "trackKind": "standard",
                "isDraft": bool(snippet.get("isDraft", False)),
                "status": "serving",
                "lastUpdated": _now(),
            },
        }
        with self.state.lock:
            self.state.captions[cid] = resource
            self.state.caption_bodies[cid] = media
        return 200, resource, {}

    def _h_captions_update(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        meta, media = self._multipart(body)
        cid = str(meta.get("id", ""))
        with self.state.lock:
            resource = self.state.captions.get(cid)
        if resource is None:
            raise ApiError(404, "captionNotFound", "The caption track could not be found.", "youtube.caption")
        self._check_caption(media)
        self.state.charge("captions.update")
        with self.state.lock:
            resource["snippet"]["lastUpdated"] = _now()
            self.state.caption_bodies[cid] = media
        return 200, resource, {}

    def _h_captions_list(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        video_id = query.get("videoId", [""])[0]
        self._video(video_id)
        self.state.charge("captions.list")
        with self.state.lock:
            items = [c for c in self.state.captions.values() if c["snippet"]["videoId"] == video_id]
        return 200, {"kind": "youtube#captionListResponse", "items": items}, {}

    # -- thumbnails ------------------------------------------------------------------------------------------
    def _h_thumbnails_set(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        video_id = query.get("videoId", [""])[0]
        self._video(video_id)
        ctype = self.headers.get("Content-Type", "")
        if len(body) > THUMBNAIL_MAX:
            raise ApiError(400, "mediaBodyTooBig", "The thumbnail is larger than 2 MB.", "youtube.thumbnail")
        if not (body.startswith(b"\xff\xd8\xff") or body.startswith(b"\x89PNG\r\n\x1a\n")):
            raise ApiError(400, "invalidImage", "The thumbnail image is not a JPEG or PNG.", "youtube.thumbnail")
        self.state.charge("thumbnails.set")
        with self.state.lock:
            old = self.state.thumbnails.get(video_id, {})
            self.state.thumbnails[video_id] = {
                "sha256": hashlib.sha256(body).hexdigest(),
                "size": len(body),
                "mimetype": ctype,
                "sets": int(old.get("sets", 0)) + 1,
            }
        url = f"https://i.ytimg.com/vi/{video_id}/default.jpg"
        return (
            200,
            {"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": url, "width": 120, "height": 90}}]},
            {},
        )

    # -- playlists -------------------------------------------------------------------------------------------
    def _h_playlistItems_list(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        playlist = query.get("playlistId", [""])[0]
        video_id = query.get("videoId", [""])[0]
        if playlist not in self.state.playlists:
            raise ApiError(404, "playlistNotFound", "The playlist could not be found.", "youtube.playlistItem")
        self.state.charge("playlistItems.list")
        with self.state.lock:
            items = [
                i
                for i in self.state.playlist_items.values()
                if i["snippet"]["playlistId"] == playlist
                and (not video_id or i["snippet"]["resourceId"]["videoId"] == video_id)
            ]
        items = sorted(items, key=lambda i: i["snippet"]["position"], reverse=playlist.startswith("UU"))
        return (
            200,
            {
                "kind": "youtube#playlistItemListResponse",
                "items": items[:50],
                "pageInfo": {"totalResults": len(items), "resultsPerPage": 50},
            },
            {},
        )

    def _h_playlistItems_insert(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        meta = json.loads(body or b"{}")
        snippet = meta.get("snippet", {})
        playlist = str(snippet.get("playlistId", ""))
        if playlist not in self.state.playlists or playlist.startswith("UU"):
            raise ApiError(404, "playlistNotFound", "The playlist could not be found.", "youtube.playlistItem")
        video_id = str(snippet.get("resourceId", {}).get("videoId", ""))
        video = self._video(video_id)
        self.state.charge("playlistItems.insert")
        item_id = _new_id(20)
        with self.state.lock:  # YouTube itself happily adds the same video twice: idempotency is the client's job
            item = _playlist_item(item_id, playlist, video_id, video.resource["snippet"].get("title", ""))
            item["snippet"]["position"] = sum(
                1 for i in self.state.playlist_items.values() if i["snippet"]["playlistId"] == playlist
            )
            self.state.playlist_items[item_id] = item
        return 200, item, {}

    def _h_playlistItems_delete(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        item_id = query.get("id", [""])[0]
        with self.state.lock:
            item = self.state.playlist_items.get(item_id)
        if item is None or item["snippet"]["playlistId"].startswith("UU"):
            raise ApiError(404, "playlistItemNotFound", "The playlist item could not be found.", "youtube.playlistItem")
        self.state.charge("playlistItems.delete")
        with self.state.lock:
            del self.state.playlist_items[item_id]
        return 204, None, {}

    # -- control ---------------------------------------------------------------------------------------------
    def _h_control(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        path = urlparse(self.path).path
        data = json.loads(body or b"{}") if body else {}
        if path == "/_emulator/state":
            return 200, self.state.summary(), {}
        if path == "/_emulator/faults" and self.command == "POST":
            fault = self.state.add_fault(
                Fault(**{k: v for k, v in data.items() if k in ("op", "kind", "nth", "times", "status", "delay")})
            )
            return 200, asdict(fault), {}
        if path == "/_emulator/quota" and self.command == "POST":
            self.state.reset_quota(int(data.get("used", 0)), data.get("limit"))
            return 200, {"quota_used": self.state.quota_used, "quota_limit": self.state.quota_limit}, {}
        if path == "/_emulator/revoke" and self.command == "POST":
            self.state.revoke()
            return 200, {"revoked": True}, {}
        raise ApiError(404, "notFound", f"No control endpoint {path}.")

    def _h_unknown(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        raise ApiError(404, "notFound", f"The emulator does not implement {self.command} {urlparse(self.path).path}.")


class _OAuthError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


def _playlist_item(item_id: str, playlist: str, video_id: str, title: str) -> dict[str, Any]:
    return {
        "kind": "youtube#playlistItem",
        "etag": _new_id(27),
        "id": item_id,
        "snippet": {
            "playlistId": playlist,
            "title": title,
            "position": 0,
            "publishedAt": _now(),
            "resourceId": {"kind": "youtube#video", "videoId": video_id},
        },
    }


def _validate_video(meta: dict[str, Any]) -> None:
    """YouTube's own checks on video metadata (what makes a real insert fail with 400)."""
    snippet = meta.get("snippet", {})
    status = meta.get("status", {})
    title = str(snippet.get("title", ""))
    if not title.strip() or len(title) > 100 or "<" in title or ">" in title:
        raise ApiError(400, "invalidTitle", "The request metadata specifies an invalid video title.", "youtube.video")
    description = str(snippet.get("description", ""))
    if len(description.encode("utf-8")) > 5000 or "<" in description or ">" in description:
        raise ApiError(
            400, "invalidDescription", "The request metadata specifies an invalid video description.", "youtube.video"
        )
    tags = [str(t) for t in snippet.get("tags", []) or []]
    if sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0) > 500:
        raise ApiError(400, "invalidTags", "The request metadata specifies invalid video keywords.", "youtube.video")
    if "categoryId" in snippet and str(snippet["categoryId"]) not in CATEGORIES:
        raise ApiError(
            400,
            "invalidCategoryId",
            "The snippet.categoryId property specifies an invalid category ID.",
            "youtube.video",
        )
    privacy = status.get("privacyStatus", "public")
    if privacy not in PRIVACY:
        raise ApiError(400, "invalidVideoMetadata", "The request metadata is invalid.", "youtube.video")
    if status.get("publishAt"):
        if privacy != "private":
            raise ApiError(400, "invalidPublishAt", "publishAt requires privacyStatus private.", "youtube.video")
        try:
            when = datetime.fromisoformat(str(status["publishAt"]).replace("Z", "+00:00"))
        except ValueError:
            raise ApiError(400, "invalidPublishAt", "publishAt is not an ISO 8601 time.", "youtube.video") from None
        if when.tzinfo is None or when < datetime.now(UTC) - timedelta(minutes=1):
            raise ApiError(400, "invalidPublishAt", "publishAt must be a future time with a zone.", "youtube.video")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: EmulatorState) -> None:
        super().__init__(address, _Handler)
        self.state = state
        self.base_url = ""


class Emulator:
    """The emulator in a background thread: ``with Emulator(tmp) as emu: ... emu.url ...``."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[Path, Path] | None = None,
        quota_limit: int = DAILY_QUOTA,
        store_media: bool = True,
    ) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.state = EmulatorState(root, quota_limit=quota_limit, store_media=store_media)
        self._server = _Server((host, port), self.state)
        scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
        self.url = f"{scheme}://{shown}:{self._server.server_address[1]}/"
        self._server.base_url = self.url
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> Emulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="youtube-emulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_fault(
        self, op: str, kind: str, nth: int = 1, times: int = 1, status: int = 503, delay: float = 0.0
    ) -> Fault:
        return self.state.add_fault(Fault(op, kind, nth, times, status, delay))

    def token_info(self, scopes: tuple[str, ...] = (SCOPE,), expired: bool = False) -> dict[str, Any]:
        """Google-auth "authorized user" JSON for a fresh sign-in (``token_uri`` points here)."""
        access = self.state.new_access_token(scopes, lifetime=-10.0 if expired else 3600.0)
        expiry = datetime.now(UTC) + (timedelta(seconds=-10) if expired else timedelta(hours=1))
        return {
            "token": access,
            "refresh_token": self.state.new_refresh_token(scopes),
            "token_uri": self.url + "token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": list(scopes),
            "universe_domain": "googleapis.com",
            "account": "",
            "expiry": expiry.replace(tzinfo=None).isoformat() + "Z",
        }

    def write_token(self, path: Path, scopes: tuple[str, ...] = (SCOPE,), expired: bool = False) -> Path:
        """Write a token file (mode 0600) as ``cerdas youtube login`` would have."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.token_info(scopes, expired)), encoding="utf-8")
        path.chmod(0o600)
        return path

    def client_secrets(self) -> dict[str, Any]:
        """An installed-app OAuth client file whose endpoints are this emulator."""
        return {
            "installed": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "auth_uri": self.url + "o/oauth2/auth",
                "token_uri": self.url + "token",
                "redirect_uris": ["http://localhost"],
            }
        }

    def video_sha256(self) -> list[str]:
        with self.state.lock:
            return [v.sha256 for v in self.state.videos.values()]


def main(argv: list[str] | None = None) -> int:
    """``python -m cerdas.devtools.emulator``: serve until interrupted."""
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m cerdas.devtools.emulator", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument("--state", type=Path, help="folder for uploaded bytes (default: a temporary folder)")
    parser.add_argument("--write-token", type=Path, help="write a token file for this emulator (mode 0600)")
    parser.add_argument("--write-client-secrets", type=Path, help="write an OAuth client file for this emulator")
    parser.add_argument("--port-file", type=Path, help="write the URL here once listening")
    parser.add_argument("--quota", type=int, default=DAILY_QUOTA, help="daily quota units (default 10000)")
    parser.add_argument("--no-store", action="store_true", help="hash uploads without keeping their bytes")
    parser.add_argument("--fault", action="append", default=[], help="op:kind[:nth[:times[:status-or-delay]]]")
    parser.add_argument("--tls-cert", type=Path)
    parser.add_argument("--tls-key", type=Path)
    args = parser.parse_args(argv)
    root = args.state or Path(tempfile.mkdtemp(prefix="cerdas-youtube-emulator-"))
    tls = (args.tls_cert, args.tls_key) if args.tls_cert and args.tls_key else None
    emu = Emulator(root, host=args.host, port=args.port, tls=tls, quota_limit=args.quota, store_media=not args.no_store)
    for text in args.fault:
        emu.state.add_fault(Fault.parse(text))
    if args.write_token:
        emu.write_token(args.write_token)
    if args.write_client_secrets:
        args.write_client_secrets.write_text(json.dumps(emu.client_secrets()), encoding="utf-8")
    if args.port_file:
        args.port_file.write_text(emu.url + "\n", encoding="utf-8")
    sys.stderr.write(f"YouTube emulator listening on {emu.url} (state in {root})\n")
    sys.stderr.flush()
    with contextlib.suppress(KeyboardInterrupt):
        emu.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

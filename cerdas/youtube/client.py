"""The one adapter around Google's client libraries (googleapiclient, google-auth, google-auth-oauthlib).

Everything else in Cerdas talks to YouTube through :class:`YouTubeClient` and :class:`ResumableUpload` and sees
only Cerdas errors (:mod:`cerdas.youtube.errors`). Every call is made once (``num_retries=0``): the caller owns
the one retry loop (see :mod:`cerdas.youtube.upload`).

``CERDAS_YOUTUBE_ENDPOINT`` (``http://127.0.0.1:PORT/`` or ``https://...``) points the real client at the local
emulator: the shipped discovery document is used with its root URLs replaced, so the production code path is the
one that talks to Google. ``CERDAS_YOUTUBE_CA_CERTS`` names a CA bundle to trust (the emulator's test certificate).
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import google_auth_httplib2
import httplib2
from google.auth.exceptions import RefreshError
from google.auth.exceptions import TransportError as AuthTransportError
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import InstalledAppFlow
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest, MediaFileUpload, MediaInMemoryUpload

from cerdas import env as env_names
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.youtube.errors import AuthError, QuotaStop, SessionGone, TransientError, YouTubeError, quota_message

SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
ANALYTICS_SCOPE = "https://www.googleapis.com/auth/yt-analytics.readonly"  # cerdas youtube login --analytics
STATISTICS_BATCH = 50  # ids per videos.list call (the API's maximum)
STATISTICS_FIELDS = (("views", "viewCount"), ("likes", "likeCount"), ("comments", "commentCount"))
ENDPOINT_ENV = env_names.YOUTUBE_ENDPOINT
CA_CERTS_ENV = env_names.YOUTUBE_CA_CERTS
TIMEOUT_ENV = env_names.YOUTUBE_TIMEOUT
DEFAULT_TIMEOUT = 120.0

QUOTA_REASONS = frozenset({"quotaExceeded", "uploadLimitExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "backendError", "internalError"})
SCOPE_REASONS = frozenset({"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"})
LOGIN_HINT = "run `cerdas youtube login`"


def endpoint_of(env: Environment) -> str | None:
    """The API root to use instead of Google's (the emulator), or None."""
    value = env.youtube_endpoint
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise CerdasError(f"{ENDPOINT_ENV} must be an http(s) URL like http://127.0.0.1:8765/, not {value!r}")
    return value.rstrip("/") + "/"


def timeout_of(env: Environment) -> float:
    """Seconds one request may take (``CERDAS_YOUTUBE_TIMEOUT``, else 120)."""
    raw = env.youtube_timeout
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError as exc:
        raise CerdasError(f"{TIMEOUT_ENV} must be a number of seconds, not {raw!r}") from exc


# -- errors ---------------------------------------------------------------------------------------------------
def _error_parts(exc: HttpError) -> tuple[int, str, str]:
    status = int(getattr(exc.resp, "status", 0) or 0)
    reason, message = "", ""
    details = getattr(exc, "error_details", None)
    if isinstance(details, list) and details and isinstance(details[0], dict):
        reason = str(details[0].get("reason", ""))
        message = str(details[0].get("message", ""))
    try:
        body = json.loads(exc.content.decode("utf-8") if isinstance(exc.content, bytes) else exc.content)
        err = body.get("error", {}) if isinstance(body, dict) else {}
        if isinstance(err, dict):
            message = str(err.get("message", message))
            errors = err.get("errors") or []
            if not reason and errors and isinstance(errors[0], dict):
                reason = str(errors[0].get("reason", ""))
            reason = reason or str(err.get("status", ""))
    except (ValueError, AttributeError, UnicodeDecodeError):
        pass
    return status, reason, " ".join(message.split())[:300]


def translate(exc: BaseException, what: str) -> YouTubeError:
    """Turn whatever the client libraries raised into one of our errors (messages never carry a token)."""
    if isinstance(exc, YouTubeError):
        return exc
    if isinstance(exc, HttpError):
        status, reason, message = _error_parts(exc)
        if reason in QUOTA_REASONS:
            return QuotaStop(quota_message(reason), status=status, reason=reason)
        if status >= 500 or status == 429 or (status == 403 and reason in RATE_REASONS):
            return TransientError(f"{what}: YouTube answered {status} {reason}".strip(), status=status, reason=reason)
        if status == 401:
            return AuthError(
                f"{what}: YouTube refused the sign-in (401 {reason}); {LOGIN_HINT}", status=status, reason=reason
            )
        if status == 403 and reason in SCOPE_REASONS:
            return AuthError(
                f"{what}: the sign-in lacks the youtube.force-ssl scope; {LOGIN_HINT}", status=status, reason=reason
            )
        return YouTubeError(f"{what}: YouTube answered {status} {reason}: {message}", status=status, reason=reason)
    if isinstance(exc, RefreshError) and getattr(exc, "retryable", False):
        return TransientError(f"{what}: the token server is failing; will retry", reason="refresh")
    if isinstance(exc, RefreshError):
        return AuthError(f"{what}: the YouTube sign-in has expired or was revoked; {LOGIN_HINT}", reason="refresh")
    if isinstance(exc, AuthTransportError | OSError | http.client.HTTPException | httplib2.HttpLib2Error):
        return TransientError(f"{what}: connection failed ({exc.__class__.__name__})", reason="transport")
    raise exc


def _count(value: object) -> int | None:
    return int(str(value)) if str(value).isdigit() else None


# -- credentials ----------------------------------------------------------------------------------------------
class _SavingCredentials(Credentials):
    """Credentials that hand their new JSON to a callback after every refresh (the library refreshes in memory)."""

    on_refresh: Callable[[str], None] | None = None

    def refresh(self, request: Any) -> None:
        super().refresh(request)
        if self.on_refresh is not None:
            self.on_refresh(self.to_json())


def credentials_from_info(info: dict[str, Any], on_refresh: Callable[[str], None] | None = None) -> Credentials:
    """Build credentials from google-auth "authorized user" JSON; ``on_refresh`` receives the refreshed JSON."""
    try:
        creds = _SavingCredentials.from_authorized_user_info(info)
    except (ValueError, KeyError, TypeError) as exc:
        raise AuthError(
            f"the token is not google-auth authorized-user JSON ({exc.__class__.__name__}); {LOGIN_HINT}"
        ) from exc
    # google-auth always refreshes at Google, whatever the file says (a tampered file must not send the refresh
    # token elsewhere). We honour the file's token_uri only on this machine: that is the emulator.
    token_uri = str(info.get("token_uri", ""))
    if urlparse(token_uri).hostname in ("127.0.0.1", "localhost", "::1"):
        expiry = creds.expiry
        creds = creds.with_token_uri(token_uri)
        creds.expiry = expiry  # the copy forgets it, and would send an expired token once before refreshing
    creds.on_refresh = on_refresh
    result: Credentials = creds
    return result


def credentials_state(creds: Credentials) -> dict[str, Any]:
    """What ``cerdas youtube status`` shows about a token (never the token itself)."""
    expiry = creds.expiry.replace(tzinfo=UTC).isoformat() if creds.expiry else ""
    return {
        "valid": bool(creds.valid),
        "expired": bool(creds.expired),
        "expiry": expiry,
        "refreshable": bool(creds.refresh_token),
        "scopes": sorted(creds.scopes or []),
        "token_uri": str(creds.token_uri or ""),
    }


def refresh_credentials(creds: Credentials, ca_certs: str | None = None, timeout: float | None = None) -> None:
    """Refresh now (``status`` uses it to tell a revoked token from a good one)."""
    http = _http(ca_certs, timeout)
    try:
        creds.refresh(google_auth_httplib2.Request(http))
    except BaseException as exc:
        raise translate(exc, "refreshing the sign-in") from None


class _Callback(http.server.BaseHTTPRequestHandler):
    """The loopback redirect target of the sign-in: keeps the request path, answers with a short page."""

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        if "code" not in query and "error" not in query:
            self.send_response(404)
            self.end_headers()
            return
        self.server.result = self.path  # type: ignore[attr-defined]
        body = b"<!doctype html><title>Cerdas</title><p>Sign-in finished. You may close this tab.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def run_installed_app_flow(
    client_secrets: Path,
    on_url: Callable[[str], None],
    timeout: float = 300.0,
    ca_certs: str | None = None,
    scopes: tuple[str, ...] = (SCOPE,),
) -> str:
    """Google's installed-app flow with a loopback redirect; returns the credentials JSON.

    ``on_url`` receives the consent URL (the CLI prints it and opens a browser). The copy-paste (OOB) flow no
    longer exists; the redirect goes to ``http://127.0.0.1:<free port>/``.
    """
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=list(scopes))
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise CerdasError(f"not an OAuth client file for an installed (desktop) app ({exc})", client_secrets) from exc
    if ca_certs:
        flow.oauth2session.verify = ca_certs
    token_host = urlparse(str(flow.client_config.get("token_uri", ""))).hostname or ""
    if token_host in ("127.0.0.1", "localhost", "::1"):
        # oauthlib reads this variable itself and refuses plain HTTP without it; the local emulator speaks HTTP
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    server = http.server.HTTPServer(("127.0.0.1", 0), _Callback)
    server.result = None  # type: ignore[attr-defined]
    server.timeout = 0.5
    try:
        flow.redirect_uri = f"http://127.0.0.1:{server.server_port}/"
        url, _state = flow.authorization_url(access_type="offline", prompt="consent")
        on_url(url)
        deadline = time.monotonic() + timeout
        while server.result is None:  # type: ignore[attr-defined]
            if time.monotonic() > deadline:
                raise AuthError(f"no answer from the browser within {timeout:.0f} s; run `cerdas youtube login` again")
            server.handle_request()
        result: str = server.result  # type: ignore[attr-defined]
    finally:
        server.server_close()
    query = parse_qs(urlparse(result).query)
    if "error" in query:
        raise AuthError(f"the sign-in was refused ({query['error'][0]}); nothing was saved")
    try:
        # oauthlib insists on https for the redirect URI it parses; the loopback redirect is http by design.
        flow.fetch_token(authorization_response=f"https://127.0.0.1{result}")
    except Exception as exc:  # requests/oauthlib raise many types; the message must not carry the code
        raise AuthError(f"exchanging the sign-in code failed ({exc.__class__.__name__}); nothing was saved") from None
    creds = flow.credentials
    granted = set(creds.granted_scopes or creds.scopes or [])
    if SCOPE not in granted:
        raise AuthError("the sign-in did not grant the youtube.force-ssl scope; tick every box on Google's page")
    text: str = creds.to_json()
    return text


# -- service --------------------------------------------------------------------------------------------------
def _http(ca_certs: str | None, timeout: float | None) -> httplib2.Http:
    http = httplib2.Http(timeout=timeout or DEFAULT_TIMEOUT, ca_certs=ca_certs)
    # 308 means "resume incomplete" in resumable uploads, not a redirect (googleapiclient.http.build_http does this)
    http.redirect_codes = http.redirect_codes - {308}
    return http


def build_service(
    creds: Credentials, endpoint: str | None = None, ca_certs: str | None = None, timeout: float | None = None
) -> Any:
    """The YouTube Data API v3 resource from the discovery document shipped in the package (no network)."""
    return _build("youtube", "v3", creds, endpoint, ca_certs, timeout)


def build_analytics_service(
    creds: Credentials, endpoint: str | None = None, ca_certs: str | None = None, timeout: float | None = None
) -> Any:
    """The YouTube Analytics API v2 resource, built the same way (its document ships in the package too)."""
    return _build("youtubeAnalytics", "v2", creds, endpoint, ca_certs, timeout)


def _build(
    name: str, version: str, creds: Credentials, endpoint: str | None, ca_certs: str | None, timeout: float | None
) -> Any:
    raw = get_static_doc(name, version)
    if raw is None:  # pragma: no cover - the document ships with google-api-python-client
        raise CerdasError(f"google-api-python-client lacks the {name} {version} discovery document; reinstall it")
    doc = json.loads(raw)
    if endpoint:
        root = endpoint.rstrip("/") + "/"
        doc["rootUrl"] = root
        doc["mtlsRootUrl"] = root
        doc["baseUrl"] = root + doc.get("servicePath", "")
    authed = google_auth_httplib2.AuthorizedHttp(creds, http=_http(ca_certs, timeout))
    return build_from_document(doc, http=authed)


class _BytesFileUpload(MediaFileUpload):  # type: ignore[misc]
    """A file upload that sends each chunk as bytes, never as a read-once stream slice.

    With a stream, any re-send inside the client (httplib2's reconnect, a 401 refresh) sends an empty body and
    hangs until the socket timeout (seen with google-api-python-client 2.x). Bytes re-send cleanly; memory stays
    one chunk.
    """

    def has_stream(self) -> bool:
        return False

    def close(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            fd.close()
            self._fd = None


class ResumableUpload:
    """One ``videos.insert`` resumable session driven step by step by the caller's retry loop."""

    def __init__(self, request: HttpRequest, media: _BytesFileUpload) -> None:
        self._request = request
        self._media = media

    @property
    def uri(self) -> str | None:
        """The session URI (None until :meth:`start`)."""
        value = self._request.resumable_uri
        return str(value) if value else None

    @property
    def progress(self) -> int:
        """Bytes YouTube has confirmed (as of the last answer)."""
        return int(self._request.resumable_progress)

    @property
    def size(self) -> int:
        return int(self._media.size())

    def start(self) -> str:
        """Open the session (the POST that answers 200 + ``Location``) without sending any media yet.

        The same request the library's ``next_chunk`` would make, done separately so that the caller can save
        the session URI before the first chunk leaves.
        """
        req = self._request
        headers = dict(req.headers)
        headers["X-Upload-Content-Type"] = self._media.mimetype()
        headers["X-Upload-Content-Length"] = str(self._media.size())
        headers["content-length"] = str(req.body_size)
        try:
            resp, content = req.http.request(req.uri, method=req.method, body=req.body, headers=headers)
        except BaseException as exc:
            raise translate(exc, "starting the upload") from None
        if resp.status == 200 and "location" in resp:
            req.resumable_uri = resp["location"]
            req.resumable_progress = 0
            req._in_error_state = False
            return str(resp["location"])
        raise translate(HttpError(resp, content, uri=req.uri), "starting the upload") from None

    def owns(self, uri: str) -> bool:
        """Whether ``uri`` is a session on this client's upload endpoint (a session elsewhere would receive the
        sign-in with every chunk)."""
        ours, theirs = urlparse(str(self._request.uri)), urlparse(uri)
        return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc) and bool(theirs.netloc)

    def resume(self, uri: str) -> None:
        """Continue a session saved by an earlier process: the next call asks YouTube how much it has."""
        self._request.resumable_uri = uri
        self._request.resumable_progress = 0
        self._request._in_error_state = True

    def reset(self) -> None:
        """Forget the session (it expired): the next :meth:`start` opens a new one."""
        self._request.resumable_uri = None
        self._request.resumable_progress = 0
        self._request._in_error_state = False

    def mark_broken(self) -> None:
        """After a failure, ask YouTube for its state before sending more."""
        self._request._in_error_state = True

    def next_chunk(self) -> dict[str, Any] | None:
        """Send one chunk (after a status query when needed); the video resource once complete."""
        try:
            _status, response = self._request.next_chunk(num_retries=0)
        except HttpError as exc:
            status = int(getattr(exc.resp, "status", 0) or 0)
            if status in (404, 410):
                raise SessionGone(f"the upload session has expired ({status})", status=status) from None
            raise translate(exc, "uploading the video") from None
        except BaseException as exc:
            self._request._in_error_state = True
            raise translate(exc, "uploading the video") from None
        return dict(response) if response is not None else None

    def close(self) -> None:
        self._media.close()


class YouTubeClient:
    """The YouTube calls Cerdas makes, each executed once; errors are Cerdas errors."""

    def __init__(self, service: Any, scopes: tuple[str, ...] = ()) -> None:
        self._yt = service
        self.scopes = scopes  # what the token was granted, as its file says

    @classmethod
    def connect(
        cls, creds: Credentials, endpoint: str | None = None, ca_certs: str | None = None, timeout: float | None = None
    ) -> YouTubeClient:
        yt = build_service(creds, endpoint=endpoint, ca_certs=ca_certs, timeout=timeout)
        return cls(yt, tuple(creds.scopes or ()))

    def video_statistics(self, video_ids: list[str]) -> dict[str, dict[str, int | None]]:
        """Views, likes, comments per video (``videos.list part=statistics``: 50 ids a call, 1 quota unit each);
        a video YouTube no longer has is left out, a hidden count is None."""
        out: dict[str, dict[str, int | None]] = {}
        ids = list(dict.fromkeys(video_ids))
        for first in range(0, len(ids), STATISTICS_BATCH):
            request = self._yt.videos().list(part="statistics", id=",".join(ids[first : first + STATISTICS_BATCH]))
            for item in self._execute(request, "reading video statistics").get("items") or []:
                stats = item.get("statistics") or {}
                out[str(item.get("id"))] = {key: _count(stats.get(field)) for key, field in STATISTICS_FIELDS}
        return out

    @staticmethod
    def _execute(request: Any, what: str) -> dict[str, Any]:
        try:
            result = request.execute(num_retries=0)
        except BaseException as exc:
            raise translate(exc, what) from exc
        return dict(result) if result else {}

    def my_channel(self) -> dict[str, Any] | None:
        """The signed-in account's channel (``channels.list mine=true``), or None when it has none."""
        res = self._execute(
            self._yt.channels().list(part="snippet,contentDetails,statistics", mine=True), "reading the channel"
        )
        items = res.get("items") or []
        return dict(items[0]) if items else None

    def get_video(self, video_id: str) -> dict[str, Any] | None:
        res = self._execute(
            self._yt.videos().list(part="snippet,status,processingDetails", id=video_id), "looking up the video"
        )
        items = res.get("items") or []
        return dict(items[0]) if items else None

    def update_snippet(self, video_id: str, snippet: dict[str, Any]) -> dict[str, Any]:
        """Replace the video's title, description, tags, category and languages (visibility is left alone)."""
        body = {"id": video_id, "snippet": snippet}
        return self._execute(self._yt.videos().update(part="snippet", body=body), "updating the video")

    def insert_video(self, body: dict[str, Any], path: Path, chunk_size: int) -> ResumableUpload:
        """Prepare a resumable ``videos.insert`` of ``path`` (nothing is sent until ``start``/``resume``)."""
        media = _BytesFileUpload(str(path), mimetype="video/mp4", chunksize=chunk_size, resumable=True)
        request = self._yt.videos().insert(part="snippet,status", body=body, media_body=media, notifySubscribers=True)
        return ResumableUpload(request, media)

    def list_captions(self, video_id: str) -> list[dict[str, Any]]:
        res = self._execute(self._yt.captions().list(part="snippet", videoId=video_id), "listing captions")
        return [dict(i) for i in res.get("items") or []]

    def insert_caption(self, video_id: str, language: str, name: str, path: Path) -> dict[str, Any]:
        media = _BytesFileUpload(str(path), mimetype="application/octet-stream", resumable=False)
        try:
            body = {"snippet": {"videoId": video_id, "language": language, "name": name, "isDraft": False}}
            return self._execute(
                self._yt.captions().insert(part="snippet", body=body, media_body=media), "uploading captions"
            )
        finally:
            media.close()

    def update_caption(self, caption_id: str, path: Path) -> dict[str, Any]:
        media = _BytesFileUpload(str(path), mimetype="application/octet-stream", resumable=False)
        try:
            body = {"id": caption_id, "snippet": {"isDraft": False}}
            return self._execute(
                self._yt.captions().update(part="snippet", body=body, media_body=media), "replacing captions"
            )
        finally:
            media.close()

    def set_thumbnail(self, video_id: str, data: bytes, mimetype: str = "image/jpeg") -> dict[str, Any]:
        media = MediaInMemoryUpload(data, mimetype=mimetype, resumable=False)
        return self._execute(self._yt.thumbnails().set(videoId=video_id, media_body=media), "setting the thumbnail")

    def playlist_items(self, playlist_id: str, video_id: str | None = None) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"part": "snippet", "playlistId": playlist_id, "maxResults": 50}
        if video_id:
            kwargs["videoId"] = video_id
        res = self._execute(self._yt.playlistItems().list(**kwargs), "reading the playlist")
        return [dict(i) for i in res.get("items") or []]

    def delete_playlist_item(self, item_id: str) -> None:
        self._execute(self._yt.playlistItems().delete(id=item_id), "removing a duplicate playlist entry")

    def insert_playlist_item(self, playlist_id: str, video_id: str) -> dict[str, Any]:
        body = {"snippet": {"playlistId": playlist_id, "resourceId": {"kind": "youtube#video", "videoId": video_id}}}
        return self._execute(self._yt.playlistItems().insert(part="snippet", body=body), "adding to the playlist")

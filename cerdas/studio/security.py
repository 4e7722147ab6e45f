"""The studio's gate, in front of every route (pure ASGI, so uploads still stream through it).

* **Host**: bound to this machine, only ``localhost``/``127.0.0.1``/``[::1]`` are answered (a web page cannot
  reach the studio through DNS rebinding).
* **Sign-in**: with a password set, a request needs a signed-in session cookie or an API token
  (``Authorization: Bearer cst_...``); pages send the browser to the login page, the API answers 401.
* **CSRF**: every POST, PUT, PATCH and DELETE made with a session cookie must carry that session's token in
  ``X-CSRF-Token`` (the login and logout forms check their hidden field themselves), and a browser's ``Origin``
  must be the studio's own. Requests with an API token carry no cookie and need no CSRF token.
* **Headers**: a strict Content-Security-Policy (only the studio's own scripts, styles and media), no framing,
  no sniffing, no caching of pages and API answers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit

from cerdas.studio.auth import Session, csrf_ok
from cerdas.studio.state import Studio, is_loopback

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "cerdas_studio"
LANG_COOKIE = "cerdas_lang"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN_PATHS = ("/login", "/static/", "/favicon.ico")
SELF_CHECKED = frozenset({"/login", "/logout"})  # forms: they check the hidden CSRF field
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def cookies(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def session_cookie(session: Session, secure: bool) -> str:
    """The ``Set-Cookie`` value: HttpOnly, SameSite=Strict, Secure over HTTPS; ends with the browser."""
    return f"{COOKIE}={session.sid}; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")


def bearer(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _answer(send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]]) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers + HEADERS})
    await send({"type": "http.response.body", "body": data})


async def _redirect(send: Send, location: str) -> None:
    headers = [(b"location", location.encode("latin-1")), (b"content-length", b"0"), *HEADERS]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


class StudioGate:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, studio: Studio) -> None:
        self.app, self.studio = app, studio

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path: str = scope.get("path", "/")
        method: str = scope.get("method", "GET")
        host = urlsplit("//" + headers.get("host", "")).hostname or ""
        if is_loopback(self.studio.config.host) and not is_loopback(host):
            await _answer(send, 421, {"detail": "this studio answers only on this machine (localhost)"}, [])
            return
        token = bearer(headers)
        if token is not None and not self.studio.token_ok(token):
            await _answer(send, 401, {"detail": "unknown API token (make one with 'cerdas studio token')"}, [])
            return
        session = None if token else self.studio.sessions.get(cookies(headers).get(COOKIE))
        set_cookie: list[tuple[bytes, bytes]] = []
        if token is None and session is None:
            session = self.studio.sessions.new(signed_in=not self.studio.login_required)
            secure = scope.get("scheme") == "https"
            set_cookie = [(b"set-cookie", session_cookie(session, secure).encode("latin-1"))]
        scope.setdefault("state", {})
        scope["state"]["session"] = session
        scope["state"]["api_token"] = token is not None
        problem = self._refusal(method, path, headers, session, token)
        if problem == "login":
            if path.startswith("/api/"):
                await _answer(send, 401, {"detail": "sign in first (or send an API token)"}, set_cookie)
            else:
                await _redirect_with_cookie(send, "/login?next=" + quote(path, safe="/"), set_cookie)
            return
        if problem:
            await _answer(send, 403, {"detail": problem}, set_cookie)
            return
        await self.app(scope, receive, _with_headers(send, set_cookie))

    def _refusal(
        self, method: str, path: str, headers: dict[str, str], session: Session | None, token: str | None
    ) -> str | None:
        """Why the request may not go on ("login", or a CSRF reason), or None."""
        signed_in = session is not None and session.signed_in
        if token is None and self.studio.login_required and not path.startswith(OPEN_PATHS) and not signed_in:
            return "login"
        if method in UNSAFE and token is None:
            origin = headers.get("origin")
            if origin and urlsplit(origin).netloc != headers.get("host", ""):
                return "cross-site request refused (its Origin is not this studio)"
            if path not in SELF_CHECKED and not csrf_ok(session, headers.get("x-csrf-token")):
                return "missing or wrong CSRF token (reload the page)"
        return None


async def _redirect_with_cookie(send: Send, location: str, set_cookie: list[tuple[bytes, bytes]]) -> None:
    await _redirect(_with_headers(send, set_cookie), location)


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in message.get("headers", [])}
            added = [(k, v) for k, v in HEADERS if k not in names]
            if b"cache-control" not in names:
                added.append((b"cache-control", b"no-store"))
            message["headers"] = [*message.get("headers", []), *added, *extra]
        await send(message)

    return sending

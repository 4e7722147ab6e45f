"""Signing in and out, and the interface language."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from cerdas.studio.auth import csrf_ok, load_password, verify_password
from cerdas.studio.i18n import LANGUAGES
from cerdas.studio.security import COOKIE, LANG_COOKIE, session_cookie
from cerdas.studio.templating import render, session_of, studio_of

router = APIRouter(include_in_schema=False)


def _local(target: str) -> str:
    """Only a path on this studio (``/...``), never another site, after signing in."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    if not studio_of(request).login_required:  # no password: nothing to sign in to
        return RedirectResponse(_local(next), status_code=303)
    return render(request, "login.html", next=_local(next), failed=False)


@router.post("/login")
async def login(request: Request, password: str = Form(""), csrf: str = Form(""), next: str = Form("/")) -> Response:
    studio = studio_of(request)
    session = session_of(request)
    if not csrf_ok(session, csrf):
        return render(request, "error.html", status=403, message="missing or wrong CSRF token (reload the page)")
    stored = load_password(studio.env, studio.ws.root) if studio.login_required else None
    client = request.client.host if request.client else "?"
    ok = stored is not None and await anyio.to_thread.run_sync(verify_password, password, stored)
    if not ok:
        await asyncio.sleep(studio.throttle.failed(client))  # slows a guesser down; scrypt itself costs 0.1 s
        return render(request, "login.html", status=401, next=_local(next), failed=True)
    studio.throttle.succeeded(client)
    if session is not None:
        studio.sessions.end(session.sid)
    fresh = studio.sessions.new(signed_in=True)
    response = RedirectResponse(_local(next), status_code=303)
    response.headers.append("set-cookie", session_cookie(fresh, request.url.scheme == "https"))
    return response


@router.post("/logout")
async def logout(request: Request, csrf: str = Form("")) -> Response:
    studio = studio_of(request)
    session = session_of(request)
    if not csrf_ok(session, csrf):
        return render(request, "error.html", status=403, message="missing or wrong CSRF token (reload the page)")
    if session is not None:
        studio.sessions.end(session.sid)
    response = RedirectResponse("/login" if studio.login_required else "/", status_code=303)
    response.headers.append("set-cookie", f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
    return response


@router.get("/lang/{code}")
async def language(request: Request, code: str, next: str = "/") -> Response:
    response = RedirectResponse(_local(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="strict", httponly=True)
    return response

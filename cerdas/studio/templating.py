"""Rendering the studio's pages: Jinja2 with autoescaping everywhere, in the producer's language."""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from cerdas.errors import CerdasError
from cerdas.studio.auth import Session
from cerdas.studio.i18n import language_for, script_messages, translator
from cerdas.studio.security import LANG_COOKIE, cookies
from cerdas.studio.state import Studio

_JINJA = Environment(
    loader=PackageLoader("cerdas.studio", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def studio_of(request: Request) -> Studio:
    studio: Studio = request.app.state.studio
    return studio


def session_of(request: Request) -> Session | None:
    session: Session | None = request.scope.get("state", {}).get("session")
    return session


def language_of(request: Request) -> str:
    studio = studio_of(request)
    try:
        show_language = studio.settings().show.language
    except CerdasError:
        show_language = "id"
    chosen = request.query_params.get("lang") or cookies(dict(request.headers)).get(LANG_COOKIE)
    return language_for(show_language, chosen)


def json_block(value: Any) -> Markup:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` can end it early)."""
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


def render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A page from ``templates/<name>`` with the translator, the CSRF token and the scripts' messages."""
    language = language_of(request)
    session = session_of(request)
    studio = studio_of(request)
    try:
        show = studio.settings().show.title
    except CerdasError:
        show = studio.ws.root.name
    page = _JINJA.get_template(name).render(
        t=translator(language),
        lang=language,
        other_lang="en" if language == "id" else "id",
        csrf=session.csrf if session else "",
        signed_in=bool(session and session.signed_in and studio.login_required),
        show_title=show,
        path=request.url.path,
        js_messages=json_block(script_messages(language)),
        json_block=json_block,
        **values,
    )
    return HTMLResponse(page, status_code=status)

"""The studio's app factory and its one error boundary (like the CLI's): a :class:`CerdasError` becomes a 4xx
with the one-line message, as JSON for the API and as a page for the browser.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from importlib.resources import files
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from cerdas import __version__
from cerdas.errors import CerdasError, LockedError, VersionConflict
from cerdas.studio import routes_api, routes_auth, routes_edit, routes_pages
from cerdas.studio.errors import MissingError
from cerdas.studio.security import StudioGate
from cerdas.studio.state import Studio, StudioConfig
from cerdas.studio.templating import render
from cerdas.studio.uploads import UploadError
from cerdas.studio.work import handlers

API_DESCRIPTION = (
    "Everything the studio's pages do, for scripts too. Sign in with the studio's session (the pages) or send "
    "`Authorization: Bearer <token>` with a token made by `cerdas studio token`. State-changing requests made "
    'with a session cookie need its `X-CSRF-Token`. Errors answer `{"detail": "one line"}`: 400 bad input, '
    "401 not signed in, 403 CSRF, 404 no such episode or job, 409 changed elsewhere (reload) or busy, "
    "413/507 no room for an upload."
)


def status_for(exc: CerdasError) -> int:
    """The HTTP status of a library error."""
    if isinstance(exc, UploadError):
        return exc.status
    if isinstance(exc, MissingError):
        return 404
    if isinstance(exc, VersionConflict | LockedError):
        return 409
    return 400


def create_app(config: StudioConfig) -> FastAPI:
    """The studio for one workspace (checks the bind address against the password first)."""
    studio = Studio(config)
    studio.runner.handlers = handlers(studio)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        studio.runner.start()
        yield
        studio.runner.stop()

    app = FastAPI(
        title="Cerdas Studio API",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.studio = studio
    app.mount("/static", StaticFiles(directory=str(Path(str(files("cerdas.studio").joinpath("static"))))), "static")
    for module in (routes_auth, routes_api, routes_edit, routes_pages):
        app.include_router(module.router)

    @app.exception_handler(CerdasError)
    async def cerdas_error(request: Request, exc: CerdasError) -> Response:
        return _problem(request, status_for(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return _problem(request, 422, f"{where or 'request'}: {first.get('msg', 'not valid')}")

    app.add_middleware(StudioGate, studio=studio)
    return app


def _problem(request: Request, status: int, message: str) -> Response:
    root = str(request.app.state.studio.ws.root)
    message = message.replace(root + "/", "")  # paths inside the workspace, as the producer knows them
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", status=status, message=message)


def serve(
    config: StudioConfig,
    announce: Callable[[str], None],
    certfile: Path | None = None,
    keyfile: Path | None = None,
) -> None:
    """Run the studio with uvicorn until Ctrl-C (HTTPS when a certificate and key are given). The socket is
    bound first, so ``announce`` gets the real address (port 0 picks a free one)."""
    app = create_app(config)
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host.strip("[]"), config.port))
    except OSError as exc:
        sock.close()
        raise CerdasError(f"cannot listen on {config.host}:{config.port}: {exc.strerror}") from exc
    sock.listen(2048)  # connections wait in the backlog until uvicorn accepts them
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            ssl_certfile=str(certfile) if certfile else None,
            ssl_keyfile=str(keyfile) if keyfile else None,
            timeout_graceful_shutdown=3,
            server_header=False,
        )
    )
    shown = f"[{config.host.strip('[]')}]" if family == socket.AF_INET6 else config.host
    announce(f"{'https' if certfile else 'http'}://{shown}:{port}/")
    server.run(sockets=[sock])

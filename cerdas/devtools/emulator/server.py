"""The emulator in a thread (:class:`Emulator`) and ``python -m cerdas.devtools.emulator``."""

from __future__ import annotations

import argparse
import contextlib
import json
import ssl
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cerdas.devtools.emulator.analytics import AnalyticsRoutes
from cerdas.devtools.emulator.faults import Fault
from cerdas.devtools.emulator.handlers import Server
from cerdas.devtools.emulator.oauth import OAuthRoutes
from cerdas.devtools.emulator.resources import ResourceRoutes
from cerdas.devtools.emulator.state import ANALYTICS_SCOPE, CLIENT_ID, CLIENT_SECRET, DAILY_QUOTA, SCOPE, EmulatorState
from cerdas.devtools.emulator.uploads import UploadRoutes


class Handler(OAuthRoutes, UploadRoutes, ResourceRoutes, AnalyticsRoutes):
    """Every route the emulator answers."""


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
        self._server = Server((host, port), self.state, Handler)
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
    parser = argparse.ArgumentParser(prog="python -m cerdas.devtools.emulator", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument("--state", type=Path, help="folder for uploaded bytes (default: a temporary folder)")
    parser.add_argument("--write-token", type=Path, help="write a token file for this emulator (mode 0600)")
    parser.add_argument("--analytics", action="store_true", help="the token also has the YouTube Analytics scope")
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
        emu.write_token(args.write_token, (SCOPE, ANALYTICS_SCOPE) if args.analytics else (SCOPE,))
    if args.write_client_secrets:
        args.write_client_secrets.write_text(json.dumps(emu.client_secrets()), encoding="utf-8")
    if args.port_file:
        args.port_file.write_text(emu.url + "\n", encoding="utf-8")
    sys.stderr.write(f"YouTube emulator listening on {emu.url} (state in {root})\n")
    sys.stderr.flush()
    with contextlib.suppress(KeyboardInterrupt):
        emu.serve_forever()
    return 0

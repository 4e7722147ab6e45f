"""Sign-in: the OAuth client file, the saved token (outside the repository, mode 0600) and its refresh.

The token is google-auth "authorized user" JSON. It lives at :attr:`cerdas.env.Environment.youtube_token`
(``CERDAS_YOUTUBE_TOKEN``, else ``$XDG_CONFIG_HOME/cerdas/youtube-token.json``), is written atomically with mode
0600 and written again after every refresh. Nothing here ever puts a token into a message.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cerdas import env as env_names
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.fsutil import atomic_write_text, is_inside
from cerdas.settings import Settings
from cerdas.youtube import client
from cerdas.youtube.errors import AuthError

TOKEN_ENV = env_names.YOUTUBE_TOKEN
CLIENT_SECRETS_ENV = env_names.YOUTUBE_CLIENT_SECRETS
LOGIN_HINT = client.LOGIN_HINT
SCOPE = client.SCOPE


def client_secrets_path(settings: Settings, env: Environment) -> Path | None:
    """The OAuth client file: ``CERDAS_YOUTUBE_CLIENT_SECRETS``, else ``youtube.client_secrets``."""
    raw = env.youtube_client_secrets or settings.youtube.client_secrets.strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    return path if path.is_absolute() else settings.root / path


def ca_certs_of(env: Environment) -> str | None:
    """A CA bundle to trust in addition to nothing else (the emulator's test certificate), if set."""
    value = env.youtube_ca_certs
    if value and not Path(value).is_file():
        raise CerdasError(f"{client.CA_CERTS_ENV} names no file", value)
    return value or None


def check_token_location(path: Path, workspace_root: Path | None) -> None:
    """Refuse a token inside the workspace (it would end up in the repository)."""
    if workspace_root is not None and is_inside(path, workspace_root):
        raise AuthError(
            f"the YouTube token must live outside the workspace (it is a secret); set {TOKEN_ENV} "
            "to a path in your home folder",
            str(path),
        )


MAX_TOKEN = 64 * 1024


def _token_text(path: Path) -> str:
    """The token file's text, read without changing anything: never through a symbolic link, only a regular
    file of this user that no one else can read (refused otherwise, with the command that fixes it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise AuthError(f"no YouTube sign-in saved; {LOGIN_HINT}", str(path)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AuthError(
                "the YouTube token is a symbolic link; Cerdas reads secrets only from a regular file "
                f"(point {TOKEN_ENV} at the file itself)",
                str(path),
            ) from None
        raise AuthError(f"cannot read the YouTube token ({exc.strerror}); {LOGIN_HINT}", str(path)) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise AuthError(f"the YouTube token is not a regular file; {LOGIN_HINT}", str(path))
        if info.st_uid != os.getuid():
            raise AuthError("the YouTube token belongs to another user; sign in as yourself", str(path))
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise AuthError(
                f"the YouTube token can be read by other users (mode {mode:04o}); it grants access to the "
                f"channel: run 'chmod 600 {path}' (or sign in again)",
                str(path),
            )
        data = fh.read(MAX_TOKEN + 1)
    if len(data) > MAX_TOKEN:
        raise AuthError(f"the YouTube token file is far too large to be a token; {LOGIN_HINT}", str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise AuthError(f"the YouTube token file is not UTF-8 text; {LOGIN_HINT}", str(path)) from None


def read_token(path: Path) -> dict[str, Any]:
    """Read and check the saved token. Reading never changes a file (see :func:`_token_text`)."""
    text = _token_text(path)
    try:
        info = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise AuthError(f"the YouTube token file is not JSON; {LOGIN_HINT}", str(path)) from None
    if not isinstance(info, dict):
        raise AuthError(f"the YouTube token file is not a JSON object; {LOGIN_HINT}", str(path))
    missing = [k for k in ("refresh_token", "client_id", "client_secret") if not info.get(k)]
    if missing:
        raise AuthError(f"the YouTube token lacks {', '.join(missing)}; {LOGIN_HINT}", str(path))
    scopes = info.get("scopes") or []
    if isinstance(scopes, str):
        scopes = scopes.split()
    if not isinstance(scopes, list) or SCOPE not in scopes:
        shown = ", ".join(str(s).rsplit("/", 1)[-1] for s in scopes) if isinstance(scopes, list) else "none"
        raise AuthError(
            f"the YouTube token is for other scopes ({shown or 'none'}), not youtube.force-ssl; {LOGIN_HINT}",
            str(path),
        )
    return info


def save_token(path: Path, text: str) -> None:
    """Write the token as a new file, mode 0600 from its creation, renamed into place (a link at ``path`` is
    replaced, never followed); its folder 0700 when we create it."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    atomic_write_text(path, text if text.endswith("\n") else text + "\n", mode=0o600)


@dataclass
class Session:
    """A signed-in client plus where its token lives."""

    youtube: client.YouTubeClient
    token: Path
    endpoint: str | None


def load_credentials(path: Path) -> Any:
    """Credentials from the saved token, saving the token again after each refresh."""
    info = read_token(path)
    return client.credentials_from_info(info, on_refresh=lambda text: save_token(path, text))


def connect(env: Environment, workspace_root: Path | None = None) -> Session:
    """Read the token and build the client (no network until the first call)."""
    path = env.youtube_token
    check_token_location(path, workspace_root)
    creds = load_credentials(path)
    endpoint = client.endpoint_of(env)
    yt = client.YouTubeClient.connect(
        creds, endpoint=endpoint, ca_certs=ca_certs_of(env), timeout=client.timeout_of(env)
    )
    return Session(yt, path, endpoint)


def preflight(settings: Settings, env: Environment) -> Path:
    """Everything about sign-in that can be checked without the network; returns the token path."""
    path = env.youtube_token
    check_token_location(path, settings.root)
    read_token(path)
    client.endpoint_of(env)
    client.timeout_of(env)
    ca_certs_of(env)
    return path


def login(
    settings: Settings,
    env: Environment,
    on_url: Callable[[str], None],
    timeout: float = 300.0,
    secrets: Path | None = None,
    analytics: bool = False,
) -> Path:
    """Run the installed-app flow with the configured client file and save the token; returns its path.
    ``analytics`` also asks for YouTube Analytics (watch time in ``cerdas report``)."""
    path = env.youtube_token
    check_token_location(path, settings.root)
    secrets = secrets or client_secrets_path(settings, env)
    if secrets is None:
        raise CerdasError(
            f"no OAuth client file: set youtube.client_secrets in cerdas.toml or {CLIENT_SECRETS_ENV} "
            "(Google Cloud console → Credentials → OAuth client ID → Desktop app → Download JSON)"
        )
    if not secrets.is_file():
        raise CerdasError("OAuth client file not found", secrets)
    scopes = (SCOPE, client.ANALYTICS_SCOPE) if analytics else (SCOPE,)
    text = client.run_installed_app_flow(secrets, on_url, timeout=timeout, ca_certs=ca_certs_of(env), scopes=scopes)
    save_token(path, text)
    return path


def logout(env: Environment) -> Path | None:
    """Forget the saved token (it stays valid at Google until revoked there); the path removed, if any."""
    path = env.youtube_token
    if path.exists():
        path.unlink()
        return path
    return None


def token_state(env: Environment, check_online: bool = True) -> dict[str, Any]:
    """The token's state for ``cerdas youtube status``: file, scopes, expiry, and whether a refresh works."""
    path = env.youtube_token
    state: dict[str, Any] = {"token_file": str(path)}
    creds = load_credentials(path)
    state.update(client.credentials_state(creds))
    if check_online:
        client.refresh_credentials(creds, ca_certs=ca_certs_of(env), timeout=client.timeout_of(env))
        state.update(client.credentials_state(creds), refreshed=True)
    return state

"""The studio's secrets and sessions: the password (a salted scrypt hash), API tokens, login sessions, CSRF.

Secrets live in the user's config folder (:attr:`cerdas.env.Environment.config_dir`), never in a workspace,
written atomically with mode 0600 and read without following symbolic links. The password itself is never
stored or logged; tokens are stored as their sha256 only (the producer sees a token once, when it is made).

Sessions live in the studio's memory: a restart signs everyone out. Every session, signed in or not, carries
its own CSRF token that every state-changing request must send back (``X-CSRF-Token``, or a form field).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.fsutil import atomic_write_text, is_inside

PASSWORD_FILE = "studio-password"
TOKENS_FILE = "studio-tokens"
MIN_PASSWORD = 10
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # about 0.1 s and 32 MiB per attempt: slow for a guesser
TOKEN_PREFIX = "cst_"
SESSION_IDLE = 12 * 3600.0
MAX_SESSIONS = 2_000
MAX_LOGIN_DELAY = 30.0


# -- secret files -----------------------------------------------------------------------------------------


def secret_path(env: Environment, name: str, workspace_root: Path | None = None) -> Path:
    """``config_dir/name``, refusing a config folder inside the workspace (it would be published or committed)."""
    path = env.config_dir / name
    if workspace_root is not None and is_inside(path, workspace_root):
        raise CerdasError(
            "the studio's secrets must not live inside the workspace; set XDG_CONFIG_HOME to a folder outside it",
            path,
        )
    return path


def read_secret(path: Path) -> str | None:
    """A secret file's text, or None when there is none; a symbolic link or a file others can read is refused."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CerdasError(f"cannot read this secret file ({exc.strerror}; is it a symbolic link?)", path) from exc
    with os.fdopen(fd, "r", encoding="utf-8") as fh:
        if os.fstat(fh.fileno()).st_mode & 0o077:
            raise CerdasError("other users can read this secret file; run: chmod 600 on it", path)
        return fh.read()


def write_secret(path: Path, text: str) -> None:
    """Write a secret atomically, mode 0600, in a folder only the user can enter."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write_text(path, text, mode=0o600)


# -- the password -----------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a stored hash (constant-time comparison)."""
    try:
        kind, n, r, p, salt, digest = stored.strip().split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=128 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise CerdasError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if password.strip() != password or any(ord(c) < 32 for c in password):
        raise CerdasError("the password must not start or end with spaces or hold control characters")
    return password


def set_password(env: Environment, password: str, workspace_root: Path | None = None) -> Path:
    """Store the studio password's hash (``config_dir/studio-password``, 0600); returns the file."""
    path = secret_path(env, PASSWORD_FILE, workspace_root)
    write_secret(path, hash_password(check_new_password(password)) + "\n")
    return path


def remove_password(env: Environment) -> bool:
    """Forget the password (the studio is then for this machine only); whether there was one."""
    path = env.config_dir / PASSWORD_FILE
    existed = path.exists() or path.is_symlink()
    path.unlink(missing_ok=True)
    return existed


def load_password(env: Environment, workspace_root: Path | None = None) -> str | None:
    """The stored hash, or None when no password is set."""
    text = read_secret(secret_path(env, PASSWORD_FILE, workspace_root))
    return text.strip() if text and text.strip() else None


# -- API tokens -------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(env: Environment, workspace_root: Path | None = None) -> str:
    """A new API token (shown once); its sha256 is added to ``config_dir/studio-tokens``."""
    path = secret_path(env, TOKENS_FILE, workspace_root)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    known = sorted(load_token_hashes(env, workspace_root) | {_token_hash(token)})
    write_secret(path, "".join(h + "\n" for h in known))
    return token


def load_token_hashes(env: Environment, workspace_root: Path | None = None) -> set[str]:
    text = read_secret(secret_path(env, TOKENS_FILE, workspace_root)) or ""
    return {line.strip() for line in text.splitlines() if len(line.strip()) == 64}


def revoke_tokens(env: Environment) -> int:
    """Remove every API token; how many there were."""
    count = len(load_token_hashes(env))
    (env.config_dir / TOKENS_FILE).unlink(missing_ok=True)
    return count


def token_matches(token: str, hashes: set[str]) -> bool:
    digest = _token_hash(token)
    return any(hmac.compare_digest(digest, known) for known in hashes)


# -- sessions ---------------------------------------------------------------------------------------------


@dataclass
class Session:
    sid: str
    csrf: str
    signed_in: bool = False
    last_seen: float = field(default_factory=time.monotonic)


class Sessions:
    """Browser sessions in memory, keyed by a random id (the cookie's value)."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            session = self._sessions.get(sid)
            if session is None or time.monotonic() - session.last_seen > SESSION_IDLE:
                self._sessions.pop(sid, None)
                return None
            session.last_seen = time.monotonic()
            return session

    def new(self, signed_in: bool = False) -> Session:
        """A fresh session (a new id on every sign-in: a planted id is never promoted)."""
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), signed_in)
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions.values(), key=lambda s: s.last_seen)
                self._sessions.pop(oldest.sid, None)
            self._sessions[session.sid] = session
        return session

    def end(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)


def csrf_ok(session: Session | None, sent: str | None) -> bool:
    return bool(session and sent and hmac.compare_digest(session.csrf, sent))


class LoginThrottle:
    """Failed sign-ins per client address: each failure doubles the wait before the answer (1 s, 2 s, … 30 s)."""

    def __init__(self) -> None:
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def failed(self, client: str) -> float:
        """Record a failure; the seconds to wait before answering it."""
        with self._lock:
            count = self._failures.get(client, 0) + 1
            self._failures[client] = count
            if len(self._failures) > 10_000:
                self._failures.clear()
        return min(2.0 ** (count - 1), MAX_LOGIN_DELAY)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

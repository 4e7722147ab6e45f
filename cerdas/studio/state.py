"""The studio of one workspace: its settings, secrets, sessions, jobs and runner (held by the app)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Any

from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.pipeline import Context
from cerdas.report import Reporter
from cerdas.settings import Settings
from cerdas.studio.auth import LoginThrottle, Sessions, load_password, load_token_hashes, token_matches
from cerdas.studio.jobs import Job, JobStore
from cerdas.studio.runner import Handler, JobRunner, stage_states
from cerdas.workspace import Workspace

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is reachable from this machine only."""
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class StudioConfig:
    """How the studio is served."""

    workspace: Workspace
    env: Environment
    host: str = "127.0.0.1"
    port: int = 8080
    https: bool = False


def check_bind(config: StudioConfig) -> str | None:
    """Refuse to listen beyond this machine without a password; returns the password hash (None: none set)."""
    password = load_password(config.env, config.workspace.root)
    if not is_loopback(config.host) and password is None:
        raise CerdasError(
            f"refusing to listen on {config.host} without a password: anyone on the network could publish. "
            "Run 'cerdas studio password' first (or keep the default 127.0.0.1)"
        )
    return password


class Studio:
    """Everything the routes share. Built once by :func:`cerdas.studio.app.create_app`."""

    def __init__(self, config: StudioConfig, handlers: dict[str, Handler] | None = None) -> None:
        self.config = config
        self.ws, self.env = config.workspace, config.env
        self.password = check_bind(config)
        self.sessions = Sessions()
        self.throttle = LoginThrottle()
        self.store = JobStore(self.ws)
        self.store.load()
        self.runner = JobRunner(self.store, handlers or {})

    @property
    def login_required(self) -> bool:
        return self.password is not None

    def settings(self) -> Settings:
        """``cerdas.toml`` read now (an edit to it applies to the next page and job)."""
        return self.ws.settings()

    def context(self, reporter: Reporter, **flags: Any) -> Context:
        return replace(Context(self.ws, self.settings(), reporter, self.env), **flags)

    def token_ok(self, token: str) -> bool:
        """Whether an API token is known (the file is read each time: a token made while running works)."""
        return token_matches(token, load_token_hashes(self.env, self.ws.root))

    def submit(self, kind: str, title: str, params: dict[str, Any], stages: list[str], slug: str = "") -> Job:
        """Queue a job; it runs when the jobs before it are done."""
        job = self.store.new(kind, title, params, slug=slug)
        self.store.update(job, stages=stage_states(stages))
        return self.runner.submit(job)

    def retry(self, job: Job) -> Job:
        """Queue a failed or interrupted job again (publish is idempotent: it finishes the work)."""
        if job.status not in ("failed", "interrupted"):
            raise CerdasError(f"job {job.id} is {job.status}; only a failed or interrupted job runs again")
        new = self.store.new(job.kind, job.title, job.params, slug=job.slug, retry_of=job.id)
        self.store.update(new, stages=stage_states([s.name for s in job.stages]))
        return self.runner.submit(new)

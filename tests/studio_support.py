"""The real studio for tests: ``cerdas studio --port 0`` started as a process (uvicorn on 127.0.0.1, a free port),
its config folder in the test's temporary home, and an HTTP client that behaves like the studio's pages (session
cookie, CSRF token from the page)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from cerdas.workspace import Workspace

START_TIMEOUT = 30.0
JOB_TIMEOUT = 180.0


@dataclass
class StudioProcess:
    url: str
    process: subprocess.Popen[str]
    ws: Workspace
    home: Path
    output: list[str] = field(default_factory=list)

    def client(self, **options: Any) -> StudioClient:
        return StudioClient(self.url, **options)


class StudioClient:
    """An HTTP client holding a studio session: the cookie and the CSRF token the pages carry."""

    def __init__(self, url: str, signed_in_with: str | None = None, **options: Any) -> None:
        self.http = httpx.Client(base_url=url, timeout=60.0, follow_redirects=False, **options)
        self.csrf = ""
        if signed_in_with is not None:
            self.login(signed_in_with)
        else:
            self.refresh()

    def refresh(self, path: str = "/") -> httpx.Response:
        page = self.http.get(path)
        found = re.search(r'name="csrf-token" content="([^"]*)"', page.text)
        self.csrf = found.group(1) if found else self.csrf
        return page

    def login(self, password: str) -> httpx.Response:
        self.refresh("/login")
        answer = self.http.post("/login", data={"password": password, "csrf": self.csrf, "next": "/"})
        self.refresh()
        return answer

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf, **(extra or {})}

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def put(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        return self.http.put(path, headers=self.headers(headers), **kw)

    def post(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        return self.http.post(path, headers=self.headers(headers), **kw)

    def publish(self, recording: Path, title: str, **fields: str) -> httpx.Response:
        with open(recording, "rb") as fh:
            return self.post("/api/episodes", files={"file": (recording.name, fh)}, data={"title": title, **fields})

    def wait(self, job_id: str, timeout: float = JOB_TIMEOUT) -> dict[str, Any]:
        """Poll the job (every 50 ms) until it is done, failed or interrupted."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job: dict[str, Any] = self.get(f"/api/jobs/{job_id}").json()
            if job["status"] in ("done", "failed", "interrupted"):
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not finish in {timeout} s")

    def close(self) -> None:
        self.http.close()


def studio_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment of a studio whose user's config folder is ``home/.config``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERDAS_YOUTUBE", "XDG_CONFIG"))}
    env.update({"XDG_CONFIG_HOME": str(home / ".config"), "PYTHONUNBUFFERED": "1", **(extra or {})})
    return env


def start_studio(ws: Workspace, home: Path, *args: str, env: Mapping[str, str] | None = None) -> StudioProcess:
    """``cerdas -w WS studio --port 0 ARGS``; returns once it printed its address."""
    command = [sys.executable, "-c", "from cerdas.cli.main import main; main()", "-w", str(ws.root), "studio"]
    process = subprocess.Popen(
        [*command, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=studio_env(home, env),
    )
    assert process.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        found = re.search(r"(https?://\S+/)", line)
        if found:
            return StudioProcess(found.group(1), process, ws, home, output)
    process.kill()
    raise AssertionError("the studio did not start: " + "".join(output))


def stop_studio(studio: StudioProcess, kill: bool = False) -> None:
    if kill:
        studio.process.kill()
    else:
        studio.process.terminate()
    try:
        studio.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        studio.process.kill()
        studio.process.wait()
    if studio.process.stdout is not None:
        studio.process.stdout.close()


@contextmanager
def running_studio(
    ws: Workspace, home: Path, *args: str, env: Mapping[str, str] | None = None
) -> Iterator[StudioProcess]:
    studio = start_studio(ws, home, *args, env=env)
    try:
        yield studio
    finally:
        stop_studio(studio)


def leftovers(ws: Workspace) -> list[str]:
    """Files an upload may leave: partial or waiting uploads, recordings."""
    found = []
    for folder in (ws.studio_uploads_dir, ws.recordings_dir):
        if folder.is_dir():
            found += [ws.relative(p) for p in folder.iterdir()]
    return sorted(found)

"""The emulator as scripts and the demo run it: a separate process, controlled over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cerdas.env import Environment
from cerdas.youtube import auth
from cerdas.youtube.errors import TransientError


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as resp:
        data: dict[str, object] = json.loads(resp.read())
        return data


def test_emulator_process_with_faults_and_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url_file, token = tmp_path / "url", tmp_path / "home" / "token.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cerdas.devtools.emulator",
            "--port",
            "0",
            "--port-file",
            str(url_file),
            "--write-token",
            str(token),
            "--state",
            str(tmp_path / "state"),
            "--quota",
            "500",
            "--fault",
            "channels.list:status:1:1:503",
        ],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            if url_file.exists() and url_file.read_text().strip():
                break
            time.sleep(0.05)
        url = url_file.read_text().strip()
        assert token.stat().st_mode & 0o777 == 0o600
        yt = auth.connect(Environment(youtube_endpoint=url, youtube_token=token)).youtube
        with pytest.raises(TransientError) as info:
            yt.my_channel()
        assert info.value.status == 503
        assert yt.my_channel() is not None
        state = _get(url + "_emulator/state")
        assert state["quota_used"] == 1 and state["quota_limit"] == 500
        request = urllib.request.Request(url + "_emulator/quota", data=b'{"used": 7}', method="POST")
        with urllib.request.urlopen(request, timeout=5) as resp:
            assert json.loads(resp.read())["quota_used"] == 7
        request = urllib.request.Request(
            url + "_emulator/faults", method="POST", data=b'{"op": "upload.chunk", "kind": "drop_after", "nth": 2}'
        )
        with urllib.request.urlopen(request, timeout=5) as resp:
            assert json.loads(resp.read())["kind"] == "drop_after"
        assert len(_get(url + "_emulator/state")["faults"]) == 2  # type: ignore[arg-type]
    finally:
        proc.terminate()
        proc.wait(timeout=10)

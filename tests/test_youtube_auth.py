"""Sign-in against the emulator (installed-app flow, loopback redirect, PKCE) and the HTTPS variant."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import Result

from cerdas.devtools.emulator.server import Emulator
from cerdas.devtools.emulator.state import SCOPE
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.workspace import Workspace
from cerdas.youtube import auth
from cerdas.youtube.errors import AuthError, TransientError
from cerdas.youtube.upload import Backoff, Journal, upload_video
from tests import youtube_support as support
from tests.youtube_support import random_file, self_signed_cert, sha256

emulator, token_file = support.emulator, support.token_file


@pytest.fixture
def login_env(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, token_file: Path, tmp_path: Path
) -> Iterator[Environment]:
    """Before `cerdas youtube login`: a client file, no token yet. The library gets the environment; the
    variables are set too, for the tests that run the command line."""
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps(emulator.client_secrets()), encoding="utf-8")
    env = Environment(youtube_token=token_file, youtube_client_secrets=str(secrets), youtube_endpoint=emulator.url)
    monkeypatch.setenv("CERDAS_YOUTUBE_TOKEN", str(token_file))
    monkeypatch.setenv("CERDAS_YOUTUBE_CLIENT_SECRETS", str(secrets))
    monkeypatch.setenv("CERDAS_YOUTUBE_ENDPOINT", emulator.url)
    before = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    yield env
    if before is None:
        os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)


def _browser(url: str) -> None:
    """What the user's browser does: open the consent page, which redirects to the loopback address."""
    threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).read(), daemon=True).start()


def _webbrowser_open(url: str, new: int = 0) -> bool:
    """``webbrowser.open`` as the CLI calls it."""
    _browser(url)
    return True


def test_login_saves_a_0600_token_that_works(
    workspace: Workspace, login_env: Environment, token_file: Path, emulator: Emulator
) -> None:
    shown: list[str] = []

    def show(url: str) -> None:
        shown.append(url)
        _browser(url)

    path = auth.login(workspace.settings(), login_env, show, timeout=20)
    assert path == token_file and token_file.stat().st_mode & 0o777 == 0o600
    assert token_file.parent.stat().st_mode & 0o777 == 0o700
    info = json.loads(token_file.read_text())
    assert info["scopes"] == [SCOPE] and info["refresh_token"]
    assert "code_challenge=" in shown[0] and "redirect_uri=http%3A%2F%2F127.0.0.1" in shown[0]
    assert "access_type=offline" in shown[0]
    state = auth.token_state(login_env)
    assert state["valid"] and state["refreshed"] and state["scopes"] == [SCOPE]
    channel = auth.connect(login_env, workspace.root).youtube.my_channel()
    assert channel is not None and channel["snippet"]["title"] == emulator.state.channel_title


def test_login_cli_prints_the_address(
    workspace: Workspace,
    login_env: Environment,
    run_cli: Callable[..., Result],
    token_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", _webbrowser_open)
    result = run_cli("youtube", "login", "--timeout", "20")
    assert result.exit_code == 0, result.output
    assert "o/oauth2/auth?" in result.stderr and str(token_file) in result.stdout
    assert "youtube.enabled" not in result.stdout or "enabled = true" in result.stdout
    assert json.loads(token_file.read_text())["refresh_token"] not in result.output
    assert run_cli("youtube", "logout").exit_code == 0 and not token_file.exists()


def test_refused_consent_saves_nothing(
    workspace: Workspace, login_env: Environment, emulator: Emulator, token_file: Path
) -> None:
    emulator.state.consent_error = "access_denied"
    with pytest.raises(AuthError, match="access_denied"):
        auth.login(workspace.settings(), login_env, _browser, timeout=20)
    assert not token_file.exists()


def test_login_needs_a_client_file(
    workspace: Workspace, login_env: Environment, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(CerdasError, match="no OAuth client file"):
        auth.login(workspace.settings(), replace(login_env, youtube_client_secrets=""), _browser)
    missing = replace(login_env, youtube_client_secrets=str(tmp_path / "missing.json"))
    with pytest.raises(CerdasError, match="OAuth client file not found"):
        auth.login(workspace.settings(), missing, _browser)
    (tmp_path / "web.json").write_text('{"other": {}}')
    web = replace(login_env, youtube_client_secrets=str(tmp_path / "web.json"))
    with pytest.raises(CerdasError, match="installed"):
        auth.login(workspace.settings(), web, _browser)


def test_token_inside_the_workspace_is_refused(workspace: Workspace) -> None:
    with pytest.raises(AuthError, match="outside the workspace"):
        auth.preflight(workspace.settings(), Environment(youtube_token=workspace.root / "token.json"))


def test_a_token_others_can_read_is_refused_and_never_changed(emulator: Emulator, token_file: Path) -> None:
    """Finding 12: a world-readable token used to be reset to 0600 quietly. Reading changes nothing; the error
    says how to fix it."""
    emulator.write_token(token_file)
    token_file.chmod(0o644)
    with pytest.raises(AuthError, match=r"can be read by other users \(mode 0644\).*chmod 600") as caught:
        auth.read_token(token_file)
    assert "\n" not in str(caught.value)
    assert token_file.stat().st_mode & 0o777 == 0o644
    token_file.chmod(0o600)
    assert auth.read_token(token_file)["refresh_token"]


def test_https_emulator_with_a_test_certificate(tmp_path: Path) -> None:
    cert, key = self_signed_cert(tmp_path)
    with Emulator(tmp_path / "tls", tls=(cert, key)) as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        token = emu.write_token(tmp_path / "home" / "token.json", expired=True)
        env = Environment(youtube_token=token, youtube_endpoint=emu.url, youtube_timeout="10")
        with pytest.raises(TransientError):  # the certificate is not trusted by default
            auth.connect(env).youtube.my_channel()
        env = replace(env, youtube_ca_certs=str(cert))
        path = random_file(tmp_path / "v.mp4", 3 * 256 * 1024 + 5)
        emu.add_fault("upload.chunk", "drop_after", nth=2, times=2)
        video_id = upload_video(
            auth.connect(env).youtube,
            Journal(tmp_path / "j.json"),
            path,
            {"snippet": {"title": "TLS", "categoryId": "25"}, "status": {"privacyStatus": "private"}},
            256 * 1024,
            Backoff(base=0.005, cap=0.02),
        )
        assert emu.video_sha256() == [sha256(path)] and emu.state.videos[video_id].size == path.stat().st_size
        assert emu.state.ops("token"), "the expired token was refreshed over TLS"

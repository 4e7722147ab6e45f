"""The studio's security over real HTTP: no network bind without a password, the password only as a slow salted
hash outside the workspace (0600), login required, cookie flags (Secure over HTTPS), CSRF on every state change,
a growing delay after failed logins, API tokens, the Host check, and escaping with a strict CSP."""

from __future__ import annotations

import os
import ssl
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from cerdas.cli.main import cli
from cerdas.env import Environment
from cerdas.errors import CerdasError
from cerdas.studio.auth import PASSWORD_FILE, load_password, set_password, verify_password
from cerdas.workspace import Workspace, init_workspace
from tests.studio_support import StudioProcess, running_studio
from tests.youtube_support import self_signed_cert

PASSWORD = "sandi-rahasia-kantor"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tmp = tmp_path_factory.mktemp("studio-sec")
    return init_workspace(tmp / "show", "Podcast Uji", "Uji.", "Inspektorat Uji", "uji@example.go.id")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    env = Environment(config_dir=home / ".config" / "cerdas")
    set_password(env, PASSWORD)
    return home


@pytest.fixture(scope="module")
def guarded(ws: Workspace, home: Path) -> Iterator[StudioProcess]:
    with running_studio(ws, home) as studio:
        yield studio


def _cli(home: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    runner = CliRunner(env={"XDG_CONFIG_HOME": str(home / ".config"), "HOME": str(home)})
    result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.output


def test_binding_beyond_this_machine_needs_a_password(ws: Workspace, tmp_path: Path) -> None:
    code, output = _cli(tmp_path, "-w", str(ws.root), "studio", "--host", "0.0.0.0", "--port", "0")
    assert code == 1
    assert "Error: refusing to listen on 0.0.0.0 without a password" in output and "Traceback" not in output


def test_the_password_is_a_salted_scrypt_hash_in_the_config_folder(ws: Workspace, tmp_path: Path) -> None:
    code, output = _cli(tmp_path, "-w", str(ws.root), "studio", "password", input="pendek\npendek\n")
    assert code == 1 and "too short" in output
    code, output = _cli(tmp_path, "-w", str(ws.root), "studio", "password", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, output
    path = tmp_path / ".config" / "cerdas" / PASSWORD_FILE
    text = path.read_text(encoding="utf-8")
    assert text.startswith("scrypt$32768$8$1$") and PASSWORD not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert not [p for p in ws.root.rglob("*") if "studio-password" in p.name or PASSWORD in p.name]
    stored = load_password(Environment(config_dir=path.parent))
    assert stored is not None and verify_password(PASSWORD, stored) and not verify_password("salah", stored)
    again = _cli(tmp_path, "-w", str(ws.root), "studio", "password", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert again[0] == 0 and path.read_text(encoding="utf-8") != text  # a new salt each time


def test_secrets_inside_the_workspace_or_behind_a_link_are_refused(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(CerdasError, match="must not live inside the workspace"):
        set_password(Environment(config_dir=ws.root / "conf"), PASSWORD, ws.root)
    folder = tmp_path / "conf"
    folder.mkdir()
    (tmp_path / "elsewhere").write_text("scrypt$1$1$1$AA==$AA==\n", encoding="utf-8")
    (folder / PASSWORD_FILE).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CerdasError, match="symbolic link"):
        load_password(Environment(config_dir=folder))
    (folder / PASSWORD_FILE).unlink()
    (folder / PASSWORD_FILE).write_text("scrypt$1$1$1$AA==$AA==\n", encoding="utf-8")
    os.chmod(folder / PASSWORD_FILE, 0o644)
    with pytest.raises(CerdasError, match="other users can read"):
        load_password(Environment(config_dir=folder))


def test_with_a_password_pages_and_api_need_a_login(guarded: StudioProcess) -> None:
    with httpx.Client(base_url=guarded.url) as http:
        page = http.get("/episodes/new")
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/episodes/new"
        assert http.get("/api/episodes").status_code == 401
        assert http.get("/static/studio.css").status_code == 200  # the login page needs its style
        login = http.get("/login")
        assert login.status_code == 200 and 'type="password"' in login.text


def test_failed_logins_are_slowed_and_a_good_one_gets_a_strict_cookie(guarded: StudioProcess) -> None:
    client = guarded.client()
    before = dict(client.http.cookies)
    started = time.monotonic()
    assert client.login("salah sekali").status_code == 401
    first = time.monotonic() - started
    started = time.monotonic()
    assert client.login("salah lagi").status_code == 401
    second = time.monotonic() - started
    assert first >= 1.0 and second >= 2.0, (first, second)
    answer = client.login(PASSWORD)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    assert client.http.cookies["cerdas_studio"] != before.get("cerdas_studio")  # a new session on sign-in
    assert client.get("/api/episodes").status_code == 200
    client.close()


def test_state_changes_need_the_csrf_token_and_our_origin(guarded: StudioProcess) -> None:
    client = guarded.client(signed_in_with=PASSWORD)
    body = {"version": "x", "cues": []}
    no_token = client.http.put("/api/episodes/tidak-ada/transcript", json=body)
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"]
    wrong = client.http.put("/api/episodes/tidak-ada/transcript", json=body, headers={"X-CSRF-Token": "tebakan"})
    assert wrong.status_code == 403
    foreign = client.put("/api/episodes/tidak-ada/transcript", json=body, headers={"Origin": "http://jahat.example"})
    assert foreign.status_code == 403
    good = client.put("/api/episodes/tidak-ada/transcript", json=body)
    assert good.status_code == 404  # past the gate: the episode does not exist
    logout = client.http.post("/logout", data={"csrf": "tebakan"})
    assert logout.status_code == 403
    client.close()


def test_api_tokens_work_without_a_session_and_can_be_revoked(guarded: StudioProcess) -> None:
    code, token = _cli(guarded.home, "studio", "token")
    token = token.strip()
    assert code == 0 and token.startswith("cst_")
    tokens = (guarded.home / ".config" / "cerdas" / "studio-tokens").read_text(encoding="utf-8")
    assert token not in tokens  # only its hash is kept
    with httpx.Client(base_url=guarded.url, headers={"Authorization": f"Bearer {token}"}) as http:
        assert http.get("/api/episodes").status_code == 200
        put = http.put("/api/episodes/tidak-ada/chapters", json={"version": "x", "chapters": []})
        assert put.status_code == 404  # no CSRF token needed: no cookie is involved
        assert "set-cookie" not in http.get("/api/episodes").headers
    with httpx.Client(base_url=guarded.url, headers={"Authorization": "Bearer cst_palsu"}) as http:
        assert http.get("/api/episodes").status_code == 401
    assert _cli(guarded.home, "studio", "token", "--revoke-all")[0] == 0
    with httpx.Client(base_url=guarded.url, headers={"Authorization": f"Bearer {token}"}) as http:
        assert http.get("/api/episodes").status_code == 401


def test_a_loopback_studio_answers_only_to_local_host_names(guarded: StudioProcess) -> None:
    with httpx.Client(base_url=guarded.url) as http:
        assert http.get("/login", headers={"Host": "jahat.example"}).status_code == 421
        assert http.get("/login", headers={"Host": f"localhost:{guarded.url.rsplit(':', 1)[1]}"}).status_code == 200


def test_over_https_the_session_cookie_is_secure(ws: Workspace, home: Path, tmp_path: Path) -> None:
    cert, key = self_signed_cert(tmp_path)
    with running_studio(ws, home, "--certfile", str(cert), "--keyfile", str(key)) as studio:
        assert studio.url.startswith("https://")
        with httpx.Client(base_url=studio.url, verify=ssl.create_default_context(cafile=str(cert))) as http:
            page = http.get("/login")
            assert page.status_code == 200 and "Secure" in page.headers["set-cookie"]


def test_pages_escape_what_was_typed_and_forbid_inline_scripts(tmp_path: Path) -> None:
    from tests.feed_support import make_episode

    ws = init_workspace(tmp_path / "show", "Podcast Uji & Kita", "Uji.", "Inspektorat Uji", "uji@example.go.id")
    make_episode(ws, "jahat", "<script>alert(1)</script>", guests=["<img src=x onerror=alert(2)>"])
    with running_studio(ws, tmp_path / "home") as studio:
        client = studio.client()
        for path in ("/", "/episodes/jahat/edit", "/episodes/jahat/chapters"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
            assert "<img src=x" not in page.text
            assert "script-src 'self'" in page.headers["content-security-policy"]
            assert "<script>" not in page.text.replace('<script type="application/json" id="pesan">', "")
        assert client.get("/api/episodes").json()[0]["title"] == "<script>alert(1)</script>"
        client.close()

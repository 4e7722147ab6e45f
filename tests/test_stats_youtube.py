"""YouTube figures through the real Google client against the emulator: dated snapshots of views, likes and
comments (videos.list part=statistics, 50 ids a call), YouTube Analytics watch time when the sign-in allows it,
and sign-in with --analytics."""

from __future__ import annotations

import json
import sqlite3
import threading
import urllib.request
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cerdas.devtools.emulator.server import Emulator
from cerdas.devtools.emulator.state import ANALYTICS_SCOPE, SCOPE, StoredVideo, new_id
from cerdas.env import Environment
from cerdas.stats.youtube import fetch_youtube
from cerdas.workspace import Workspace
from cerdas.youtube import auth
from cerdas.youtube.errors import AuthError
from tests import youtube_support as support
from tests.stats_support import add_episode, make_show

emulator, token_file = support.emulator, support.token_file


def _video(emulator: Emulator, title: str) -> str:
    """A video on the emulated channel, as an earlier upload left it."""
    vid = new_id()
    resource = {"kind": "youtube#video", "id": vid, "snippet": {"title": title}, "status": {"privacyStatus": "public"}}
    with emulator.state.lock:
        emulator.state.videos[vid] = StoredVideo(resource, 0, "", None)
    return vid


@pytest.fixture
def show(tmp_path: Path, emulator: Emulator) -> Workspace:
    ws = make_show(tmp_path / "show")
    for n in range(1, 121):
        add_episode(ws, f"ep-{n:03d}", size=1_000_000, duration=600, number=n, video_id=_video(emulator, f"Ep {n}"))
    return ws


def _snapshots(ws: Workspace) -> list[tuple[str, str, int, int, int]]:
    return list(sqlite3.connect(ws.stats_path).execute("SELECT * FROM youtube_stats ORDER BY fetched, video_id"))


def test_a_snapshot_of_every_video_in_batches_of_50(show: Workspace, emulator: Emulator, token_file: Path) -> None:
    emulator.write_token(token_file)
    env = support.environment(emulator, token_file)
    first_id = json.loads(show.episode_file("ep-001").read_text().split("video_id = ")[1].split("\n")[0])
    emulator.state.set_statistics(first_id, views=1234, likes=56, comments=7)
    before = emulator.state.quota_used
    result = fetch_youtube(show, env, now=datetime(2026, 10, 31, 12, tzinfo=UTC))
    assert (result.asked, result.videos, result.quota_units, result.missing) == (120, 120, 3, ())
    calls = emulator.state.ops("videos.list")
    assert len(calls) == 3 and emulator.state.quota_used - before == 3
    rows = _snapshots(show)
    assert len(rows) == 120
    assert ("2026-10-31T12:00:00+00:00", first_id, 1234, 56, 7) in rows
    assert not result.analytics  # the token has no Analytics scope: reports.query was never called
    assert not emulator.state.ops("reports.query")
    # a second fetch later is a second snapshot: the report can show growth
    emulator.state.set_statistics(first_id, views=2000, likes=60, comments=9)
    fetch_youtube(show, env, now=datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert len(_snapshots(show)) == 240


def test_watch_time_with_the_analytics_scope(show: Workspace, emulator: Emulator, token_file: Path) -> None:
    emulator.write_token(token_file, (SCOPE, ANALYTICS_SCOPE))
    env = support.environment(emulator, token_file)
    ids = sorted(emulator.state.videos)
    emulator.state.add_analytics(ids[0], "2026-10-03", views=10, minutes=50.0)
    emulator.state.add_analytics(ids[0], "2026-10-04", views=30, minutes=70.0)
    emulator.state.add_analytics(ids[0], "2026-11-02", views=99, minutes=99.0)  # outside the period
    emulator.state.add_analytics(ids[1], "2026-10-10", views=4, minutes=2.0)
    result = fetch_youtube(show, env, (date(2026, 10, 1), date(2026, 10, 31)))
    assert result.analytics
    rows = dict(
        (r[0], r[1:])
        for r in sqlite3.connect(show.stats_path).execute(
            "SELECT video_id, views, minutes, average_seconds FROM youtube_analytics WHERE start = '2026-10-01'"
        )
    )
    assert rows[ids[0]] == (40, 120.0, 180.0)  # 120 minutes over 40 views: 3 minutes each
    assert rows[ids[1]] == (4, 2.0, 30.0)
    assert len(emulator.state.ops("reports.query")) == 1  # 120 ids fit one query


def test_the_analytics_api_refuses_a_token_without_its_scope(emulator: Emulator, token_file: Path) -> None:
    from cerdas.youtube.analytics import AnalyticsClient

    emulator.write_token(token_file)
    creds = auth.load_credentials(token_file)
    client = AnalyticsClient.connect(creds, endpoint=emulator.url)
    with pytest.raises(AuthError):
        client.video_analytics("2026-10-01", "2026-10-31", ["abc"])


def test_no_sign_in_is_an_auth_error(show: Workspace, tmp_path: Path) -> None:
    env = Environment(youtube_token=tmp_path / "nobody" / "token.json")
    with pytest.raises(AuthError, match="no YouTube sign-in"):
        fetch_youtube(show, env)


def test_login_with_analytics_asks_for_both_scopes(
    tmp_path: Path, emulator: Emulator, token_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_show(tmp_path / "show")
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps(emulator.client_secrets()), encoding="utf-8")
    env = Environment(youtube_token=token_file, youtube_client_secrets=str(secrets), youtube_endpoint=emulator.url)
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)

    def browser(url: str) -> None:
        threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).read(), daemon=True).start()

    auth.login(ws.settings(), env, browser, timeout=20, analytics=True)
    assert sorted(json.loads(token_file.read_text())["scopes"]) == sorted([SCOPE, ANALYTICS_SCOPE])
    session = auth.connect(replace(env, youtube_client_secrets=""), ws.root)
    assert ANALYTICS_SCOPE in session.youtube.scopes

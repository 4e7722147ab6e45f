"""The feed details independent clients trip over: podcast:locked with its owner, an item's person list, the
order of the transcripts, a feed that does not change when nothing changed, a base_url on this machine, and what
``cerdas init`` writes. Read back with podcastparser, feedparser and XPath."""

from __future__ import annotations

import io
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import podcastparser
import pytest
from click.testing import CliRunner, Result
from lxml import etree

from cerdas import urls
from cerdas.cli.main import cli
from cerdas.errors import CerdasError
from cerdas.feed.build import build_site
from cerdas.feed.rules import NS
from cerdas.settings import load_settings
from cerdas.workspace import Workspace
from tests.feed_support import make_episode, set_show, write_transcript

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
REAL = "https://podcast.example.go.id/"


def _build(ws: Workspace, now: datetime = NOW) -> etree._Element:
    build_site(ws, ws.settings(), now=now)
    return etree.fromstring((ws.feed_dir / "feed.xml").read_bytes())


def test_transcripts_are_announced_vtt_first_then_json(workspace: Workspace) -> None:
    set_show(workspace, base_url=REAL)
    make_episode(workspace, "satu", "Satu", number=1, pub_date="2025-01-10T09:00:00+07:00")
    write_transcript(workspace, "satu")
    types = _build(workspace).xpath("//item/podcast:transcript/@type", namespaces=NS)
    assert types == ["text/vtt", "application/json", "application/x-subrip"]


def test_an_item_with_guests_names_the_hosts_too(workspace: Workspace) -> None:
    """An item's podcast:person list replaces the channel's (Podcasting 2.0)."""
    set_show(workspace, base_url=REAL, hosts=["Rina Pembawa", "Andi"])
    make_episode(workspace, "tamu", "Dengan Tamu", number=1, pub_date="2025-01-10T09:00:00+07:00", guests=["Budi"])
    make_episode(workspace, "sendiri", "Tanpa Tamu", number=2, pub_date="2025-01-17T09:00:00+07:00")
    root = _build(workspace)
    [with_guest] = root.xpath("//item[title='Dengan Tamu']")
    people = [(p.get("role"), p.text) for p in with_guest.xpath("podcast:person", namespaces=NS)]
    assert people == [("host", "Rina Pembawa"), ("host", "Andi"), ("guest", "Budi")]
    [alone] = root.xpath("//item[title='Tanpa Tamu']")
    assert not alone.xpath("podcast:person", namespaces=NS)  # the channel's hosts apply
    assert root.xpath("/rss/channel/podcast:person/text()", namespaces=NS) == ["Rina Pembawa", "Andi"]


def test_a_lock_without_its_owner_is_an_error(workspace: Workspace, run_cli: Callable[..., Result]) -> None:
    set_show(workspace, base_url=REAL)
    make_episode(workspace, "satu", "Satu", number=1, pub_date="2025-01-10T09:00:00+07:00")
    assert _build(workspace).xpath("//podcast:locked/@owner", namespaces=NS) == ["uji@example.go.id"]
    # a feed with an owner-less lock (as Cerdas wrote it before): partytime ignores it, so the check says so
    feed = workspace.feed_dir / "feed.xml"
    feed.write_bytes(feed.read_bytes().replace(b' owner="uji@example.go.id"', b""))
    result = run_cli("feed", "--check")
    assert result.exit_code == 1
    assert "error: channel: <podcast:locked> is 'yes' without an owner e-mail" in result.stdout
    assert "show.owner_email" in result.stdout
    # and a workspace locked without an owner cannot publish such a feed: the published one stays
    set_show(workspace, owner_email="")
    before = feed.read_bytes()
    with pytest.raises(CerdasError, match="podcast:locked"):
        build_site(workspace, workspace.settings(), now=NOW)
    assert feed.read_bytes() == before
    set_show(workspace, locked=False)
    assert _build(workspace).xpath("//podcast:locked/text()", namespaces=NS) == ["no"]


def test_a_rebuild_that_changed_nothing_leaves_the_feed_byte_identical(workspace: Workspace) -> None:
    set_show(workspace, base_url=REAL)
    make_episode(workspace, "satu", "Satu", number=1, pub_date="2025-01-10T09:00:00+07:00")
    feed = workspace.feed_dir / "feed.xml"
    _build(workspace, NOW)
    first = feed.read_bytes()
    assert b"<lastBuildDate>Sun, 01 Jun 2025 12:00:00 +0000</lastBuildDate>" in first
    _build(workspace, NOW + timedelta(minutes=15))  # cron, a quarter of an hour later
    assert feed.read_bytes() == first
    make_episode(workspace, "dua", "Dua", number=2, pub_date="2025-01-17T09:00:00+07:00")
    _build(workspace, NOW + timedelta(minutes=30))
    changed = feed.read_bytes()
    assert b"<title>Dua</title>" in changed and b"<lastBuildDate>Sun, 01 Jun 2025 12:30:00 +0000" in changed


def test_a_base_url_on_this_machine_is_a_warning_then_an_error(
    workspace: Workspace, run_cli: Callable[..., Result]
) -> None:
    assert workspace.settings().base_url == "http://localhost:8000/"  # what 'cerdas init' writes
    run_cli("feed")
    empty = run_cli("feed", "--check")
    assert empty.exit_code == 0 and "warning: channel: show.base_url is http://localhost:8000/" in empty.stdout
    make_episode(workspace, "satu", "Satu", number=1, pub_date="2025-01-10T09:00:00+07:00")
    built = run_cli("feed")  # the preview on this machine still builds, with a warning
    assert built.exit_code == 0 and "show.base_url is http://localhost:8000/" in built.stderr
    root = etree.fromstring((workspace.feed_dir / "feed.xml").read_bytes())
    assert root.xpath("//podcast:guid", namespaces=NS) == []  # never a guid every local workspace would share
    public = run_cli("feed", "--check")
    assert public.exit_code == 1
    assert "error: channel: show.base_url is http://localhost:8000/, this machine" in public.stdout
    assert "podcast:guid> is missing" not in public.stdout  # said once, not twice
    for local in ("http://127.0.0.1:8000/", "http://[::1]/", "http://cerdas.localhost/"):
        assert urls.is_local(local)
    assert not urls.is_local("http://192.168.1.20:8000/") and not urls.is_local(REAL)
    set_show(workspace, base_url=REAL)
    run_cli("feed")
    assert run_cli("feed", "--check").exit_code == 0
    root = etree.fromstring((workspace.feed_dir / "feed.xml").read_bytes())
    assert len(root.xpath("//podcast:guid/text()", namespaces=NS)) == 1


def test_init_starts_with_an_empty_vocabulary_and_locks_only_with_an_owner(tmp_path: Path) -> None:
    runner = CliRunner()
    quiet = runner.invoke(cli, ["init", str(tmp_path / "tanpa"), "--title", "Tanpa Surel"])
    assert quiet.exit_code == 0, quiet.output
    assert "not locked" in quiet.stdout
    text = (tmp_path / "tanpa" / "cerdas.toml").read_text(encoding="utf-8")
    assert "Balikpapan" not in tomllib.loads(text)["whisper"]["vocabulary"]
    assert "vocabulary = []" in text and 'e.g. ["' in text  # a comment shows how to fill it
    settings = load_settings(tmp_path / "tanpa")
    assert settings.whisper.vocabulary == () and settings.show.locked is False and settings.show.owner_email == ""
    asked = runner.invoke(cli, ["init", str(tmp_path / "dengan"), "--title", "Dengan Surel", "--email", "a@b.go.id"])
    assert asked.exit_code == 0, asked.output
    settings = load_settings(tmp_path / "dengan")
    assert settings.show.locked is True and settings.show.owner_email == "a@b.go.id"


def test_notes_mixing_html_and_a_bare_address_link_it_everywhere(workspace: Workspace) -> None:
    set_show(workspace, base_url=REAL)
    make_episode(
        workspace,
        "catatan",
        "Catatan",
        number=1,
        pub_date="2025-01-10T09:00:00+07:00",
        description="<b>Penting</b>: laporkan gratifikasi di https://gol.kpk.go.id/lapor.",
    )
    root = _build(workspace)
    notes = root.xpath("//item/description/text()")[0]
    assert '<a href="https://gol.kpk.go.id/lapor">https://gol.kpk.go.id/lapor</a>.' in notes
    page = (workspace.feed_dir / "episodes" / "catatan" / "index.html").read_text(encoding="utf-8")
    assert '<b>Penting</b>: laporkan gratifikasi di <a href="https://gol.kpk.go.id/lapor">' in page
    parsed = podcastparser.parse(urls.feed_url(workspace.settings()), io.BytesIO(etree.tostring(root)))
    assert "https://gol.kpk.go.id/lapor" in parsed["episodes"][0]["description_html"]

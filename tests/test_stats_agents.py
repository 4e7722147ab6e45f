"""User agents: Cerdas's own rules, the crawler-user-agents patterns, and OPAWG user-agents-v2 runtime files the
office imports (checked, dated, stored, and preferred to the built-in rules)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cerdas.cli.main import cli
from cerdas.errors import CerdasError
from cerdas.stats.agent_lists import read_list
from cerdas.stats.agents import Classifier
from tests.stats_support import APPLE, CHROME, CURL, GOOGLEBOT, OVERCAST_SERVER, POCKET, SPOTIFY, make_show


@pytest.mark.parametrize(
    "agent, kind, name",
    [
        (APPLE, "player", "Apple (AppleCoreMedia)"),
        ("Podcasts/1650.20 CFNetwork/1408.0.4 Darwin/22.5.0", "app", "Apple Podcasts"),
        (SPOTIFY, "app", "Spotify"),
        ("Spotify/1.0", "bot", "Spotify (server)"),
        (POCKET, "app", "Pocket Casts"),
        ("Overcast/3.0 (+http://overcast.fm/; iOS podcast app)", "app", "Overcast"),
        (OVERCAST_SERVER, "bot", "Overcast (server)"),
        ("CastBox/8.2.6-200306 (Linux;Android 10) ExoPlayerLib/2.10.4", "app", "Castbox"),
        (
            "Podcast Addict - Dalvik/2.1.0 (Linux; U; Android 13; SM-A135F Build/TP1A.220624.014)",
            "app",
            "Podcast Addict",
        ),
        ("com.google.android.apps.youtube.music/6.42.52 (Linux; U; Android 14) gzip", "app", "YouTube Music"),
        ("okhttp/4.12.0", "player", "Android (okhttp)"),
        (CHROME, "browser", "Chrome"),
        (GOOGLEBOT, "bot", "search engine"),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "bot", "SEO crawler"),
        ("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "bot", "uptime monitor"),
        ("PodcastIndex.org/1.1 (+https://podcastindex.org)", "bot", "Podcast Index"),
        (CURL, "tool", "HTTP tool"),
        ("python-requests/2.32.3", "tool", "HTTP tool"),
        ("Wget/1.21.3", "tool", "HTTP tool"),
        ("-", "tool", "no user agent"),
        ("RadioKampungku/3.1", "unknown", "unknown"),
        ("Mozilla/5.0 (compatible; Qwantbot/1.0_1327203; +https://help.qwant.com/bot/)", "bot", "search engine"),
        ("Mozilla/5.0 (compatible; MojeekBot/0.11; +mojeek.com/bot.html)", "bot", "search engine"),
        ("Mozilla/5.0 (compatible; Yeti/1.1; +https://naver.me/spd)", "bot", "search engine"),
        ("SomeNewsAggregatorCrawler/2.0", "bot", "generic bot"),
    ],
)
def test_builtin_rules(agent: str, kind: str, name: str) -> None:
    found = Classifier().classify(agent)
    assert (found.kind, found.name) == (kind, name)
    assert found.counted == (kind in ("app", "player", "browser", "unknown"))


def test_the_crawler_package_catches_what_our_rules_do_not() -> None:
    agent = "Mozilla/5.0 (compatible; SemanticScholarBot/1.0; +https://www.semanticscholar.org/crawler)"
    assert Classifier().classify(agent).kind == "bot"
    obscure = "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)"
    assert Classifier().classify(obscure).kind == "bot"
    assert Classifier(use_crawler_list=False).classify("BLEXBot/1.0").kind == "bot"  # ours has it too


def opawg(path: Path, entries: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps({"entries": entries}), encoding="utf-8")
    return path


def test_imported_lists_come_first(tmp_path: Path) -> None:
    bots = read_list(opawg(tmp_path / "bots.runtime.json", [{"name": "Spotify crawler", "pattern": "^Spotify/8"}]))
    apps = read_list(
        opawg(
            tmp_path / "apps.runtime.json",
            [
                {"name": "Radio Kampung", "pattern": "RadioKampungku/", "category": "app"},
                {"name": "Kampung server", "pattern": "KampungSync", "category": "bot"},
            ],
        )
    )
    assert (bots.kind, apps.kind, len(apps.entries)) == ("bots", "apps", 2)
    classifier = Classifier([apps, bots])
    assert classifier.classify(SPOTIFY).kind == "bot"  # the imported bots list wins over our Spotify rule
    assert classifier.classify("RadioKampungku/3.1").name == "Radio Kampung"
    assert classifier.classify("KampungSync/1.0").kind == "bot"
    assert classifier.sources[0].startswith("OPAWG user-agents-v2 apps")


def test_a_bad_list_is_refused_naming_the_file_and_the_entry(tmp_path: Path) -> None:
    bad = opawg(
        tmp_path / "apps.runtime.json",
        [{"name": "Good", "pattern": "Good/"}, {"name": "Broken", "pattern": "(unclosed"}],
    )
    with pytest.raises(
        CerdasError, match=r"apps\.runtime\.json: entry 2 \('Broken'\): the pattern '\(unclosed' is not"
    ):
        read_list(bad)
    with pytest.raises(CerdasError, match="cannot tell which OPAWG list"):
        read_list(opawg(tmp_path / "mystery.json", []))
    (tmp_path / "bots.json").write_text('{"entries": {"a": 1}}')
    with pytest.raises(CerdasError, match="not an OPAWG runtime file"):
        read_list(tmp_path / "bots.json")
    (tmp_path / "libraries.json").write_text("{nope")
    with pytest.raises(CerdasError, match="not JSON"):
        read_list(tmp_path / "libraries.json")


def test_the_agents_commands(tmp_path: Path) -> None:
    ws = make_show(tmp_path / "show")
    runner = CliRunner()
    good = opawg(tmp_path / "bots.runtime.json", [{"name": "Spotify crawler", "pattern": "^Spotify/8"}])
    bad = opawg(tmp_path / "apps.runtime.json", [{"name": "Broken", "pattern": "(unclosed"}])
    result = runner.invoke(cli, ["-w", str(ws.root), "stats", "agents", "import", str(good), str(bad)])
    assert result.exit_code == 1 and "entry 1 ('Broken')" in result.output and result.output.count("\n") == 1
    assert not ws.stats_path.exists()  # nothing stored: every file is checked first
    result = runner.invoke(cli, ["-w", str(ws.root), "stats", "agents", "import", str(good)])
    assert result.exit_code == 0 and "bots: 1 entries from bots.runtime.json" in result.output
    listed = runner.invoke(cli, ["-w", str(ws.root), "stats", "agents", "list", "--json"])
    data = json.loads(listed.output)
    assert data["imported"][0]["kind"] == "bots" and data["order"][0].startswith("OPAWG user-agents-v2 bots")
    check = runner.invoke(cli, ["-w", str(ws.root), "stats", "agents", "check", SPOTIFY])
    assert check.output.startswith("bot: Spotify crawler (not counted; rule from opawg:bots)")
    assert runner.invoke(cli, ["-w", str(ws.root), "stats", "agents", "forget"]).output.startswith("Removed 1")
    check = runner.invoke(cli, ["-w", str(ws.root), "stats", "agents", "check", SPOTIFY])
    assert check.output.startswith("app: Spotify (counted; rule from cerdas)")

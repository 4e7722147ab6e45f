"""Download counting by the IAB v2.2 rules, on generated logs whose expected counts are worked out by hand here.

The show: episode ``gratifikasi`` is 9,700,000 bytes, of which a 100,000-byte ID3 tag, and lasts 600 s, so one
minute of audio is 9,600,000 × 60 / 600 = 960,000 bytes. Episode ``pendek`` is 300,000 bytes and 30 s long: a
download needs the whole file. The show's zone is WITA (UTC+8); the base URL's path is ``/cerdas/``.
"""

from __future__ import annotations

import gzip
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from cerdas.errors import CerdasError
from cerdas.report import NullReporter
from cerdas.stats import queries, store
from cerdas.stats.importer import ImportSummary, import_logs
from cerdas.workspace import Workspace
from tests.stats_support import (
    APPLE,
    CHROME,
    CURL,
    GOOGLEBOT,
    OVERCAST_SERVER,
    POCKET,
    SPOTIFY,
    add_episode,
    at,
    caddy,
    combined,
    make_show,
)

AUDIO = "/cerdas/audio/gratifikasi.mp3"
SHORT = "/cerdas/audio/pendek.mp3"
PAGE = "/cerdas/episodes/gratifikasi/"
SIZE, TAG, MINUTE = 9_700_000, 100_000, 960_000
NOW = at("2026-12-01 00:00:00").timestamp()
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def show(tmp_path: Path) -> Workspace:
    ws = make_show(tmp_path / "show")
    add_episode(ws, "gratifikasi", size=SIZE, duration=600, tag=TAG, number=1)
    add_episode(ws, "pendek", size=300_000, duration=30, number=2)
    return ws


def run(ws: Workspace, *logs: Path) -> ImportSummary:
    return import_logs(ws, ws.settings(), list(logs), NullReporter(), now=NOW)


def downloads(ws: Workspace) -> dict[tuple[str, str], int]:
    with store.connect(ws.stats_path) as db:
        got = queries.downloads_by_day_episode(db, date(2026, 1, 1), date(2026, 12, 31))
    return {key: n for key, n in got.items() if n}


def the_rules() -> list[str]:
    """One log exercising every rule; the expected counts are in EXPECTED."""
    a, b, d, e, f = "203.0.113.1", "198.51.100.2", "203.0.113.4", "192.0.2.50", "192.0.2.60"
    return [
        # A: a bytes=0-1 probe (ignored), then two ranges: 400,000 audio bytes (the tag left out) + 600,000
        combined(at("2026-10-05 10:00:00"), AUDIO, a, APPLE, 206, 2, range_header="bytes=0-1"),
        combined(at("2026-10-05 10:00:00"), AUDIO, a, APPLE, 206, 500_000, range_header="bytes=0-499999"),
        combined(at("2026-10-05 10:00:30"), AUDIO, a, APPLE, 206, 600_000, range_header="bytes=500000-1099999"),
        # A again the same evening, inside the window: no new download
        combined(at("2026-10-05 20:00:00"), AUDIO, a, APPLE, 200, SIZE, range_header=""),
        # A 24 h + 1 s after the window's first request: a new window, a new download (on the 6th)
        combined(at("2026-10-06 10:00:01"), AUDIO, a, APPLE, 200, SIZE, range_header=""),
        # B: ranges adding up to 500,000 + 300,000 = 800,000 audio bytes, less than a minute: nothing
        combined(at("2026-10-05 11:00:00"), AUDIO, b, SPOTIFY, 206, 600_000, range_header="bytes=0-599999"),
        combined(at("2026-10-05 11:00:05"), AUDIO, b, SPOTIFY, 206, 300_000, range_header="bytes=600000-899999"),
        # bots and tools: never
        combined(at("2026-10-05 12:00:00"), AUDIO, "66.249.66.1", GOOGLEBOT, 200, SIZE),
        combined(at("2026-10-05 12:00:00"), AUDIO, "66.249.66.2", CURL, 200, SIZE),
        combined(at("2026-10-05 12:00:00"), AUDIO, "66.249.66.3", OVERCAST_SERVER, 200, SIZE),
        # C: HEAD and a 404: never
        combined(at("2026-10-05 12:30:00"), AUDIO, "203.0.113.3", POCKET, 200, 0, method="HEAD"),
        combined(at("2026-10-05 12:31:00"), "/cerdas/audio/hilang.mp3", "203.0.113.3", POCKET, 404, 150),
        combined(at("2026-10-05 12:31:00"), AUDIO, "203.0.113.3", POCKET, 404, 150),
        # one household on IPv6 (same /64, two addresses): 500,000 + 500,000 audio bytes, one download on the 6th;
        # a neighbour in another /64 with 500,000 alone: nothing
        combined(
            at("2026-10-06 12:00:00"),
            AUDIO,
            "2001:db8:1:2::10",
            POCKET,
            206,
            500_000,
            range_header="bytes=100000-599999",
        ),
        combined(
            at("2026-10-06 12:00:10"),
            AUDIO,
            "2001:db8:1:2::99",
            POCKET,
            206,
            500_000,
            range_header="bytes=600000-1099999",
        ),
        combined(
            at("2026-10-06 12:00:20"),
            AUDIO,
            "2001:db8:1:3::10",
            POCKET,
            206,
            500_000,
            range_header="bytes=100000-599999",
        ),
        # D: the short episode in full (shorter than a minute: the whole file counts)
        combined(at("2026-10-05 13:00:00"), SHORT, d, CHROME, 200, 300_000),
        # E: starts 10 s before midnight (100,000 audio bytes after the tag), passes a minute after midnight:
        # the download belongs to the 5th, the day of its first request
        combined(at("2026-10-05 23:59:50"), AUDIO, e, APPLE, 206, 200_000, range_header="bytes=0-199999"),
        combined(at("2026-10-06 00:05:00"), AUDIO, e, APPLE, 206, 1_000_000, range_header="bytes=200000-1199999"),
        # F: 07:30 WITA on the 6th is 23:30 UTC on the 5th; logged by a server on UTC: counted on the 6th
        combined(at("2026-10-06 07:30:00"), AUDIO, f, SPOTIFY, 200, SIZE, offset="+0000"),
        # pages: two views of the episode page (200 and a 304 revalidation) by one visitor, a bot's view,
        # a HEAD, and another visitor on the show page
        combined(at("2026-10-05 09:00:00"), PAGE, "203.0.113.9", CHROME, 200, 5_000),
        combined(at("2026-10-05 09:05:00"), PAGE + "index.html", "203.0.113.9", CHROME, 304, 0),
        combined(at("2026-10-05 09:06:00"), PAGE, "66.249.66.1", GOOGLEBOT, 200, 5_000),
        combined(at("2026-10-05 09:07:00"), PAGE, "203.0.113.10", CHROME, 200, 0, method="HEAD"),
        combined(at("2026-10-05 09:08:00"), "/cerdas/", "203.0.113.11", SPOTIFY, 200, 3_000),
        combined(at("2026-10-05 09:09:00"), "/cerdas/assets/site.css", "203.0.113.11", SPOTIFY, 200, 3_000),
    ]


EXPECTED = {
    ("2026-10-05", "gratifikasi"): 2,  # A, E
    ("2026-10-05", "pendek"): 1,  # D
    ("2026-10-06", "gratifikasi"): 3,  # A's second window, the IPv6 household, F
}


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_every_rule_on_one_log(show: Workspace, tmp_path: Path) -> None:
    summary = run(show, write(tmp_path / "access.log", the_rules()))
    assert downloads(show) == EXPECTED
    tally = summary.tally
    assert tally.probes == 1
    assert tally.bots == 4  # Googlebot, curl, Overcast's server on audio; Googlebot on the page
    assert tally.not_counted == 2  # the HEAD and the 404 for the episode
    assert tally.unknown_files == 1  # hilang.mp3 is no episode
    with store.connect(show.stats_path) as db:
        assert queries.page_views_by_day_episode(db, *OCTOBER) == {("2026-10-05", "gratifikasi"): 2}
        assert queries.visitors_by_day(db, *OCTOBER) == {"2026-10-05": 2}
        apps = queries.downloads_by_agent(db, *OCTOBER)
    assert apps == [
        ("player", "Apple (AppleCoreMedia)", 3),
        ("browser", "Chrome", 1),
        ("app", "Pocket Casts", 1),
        ("app", "Spotify", 1),
    ]


def test_the_day_is_the_show_zones(tmp_path: Path) -> None:
    ws = make_show(tmp_path / "utc", timezone="UTC")
    add_episode(ws, "gratifikasi", size=SIZE, duration=600, tag=TAG)
    line = combined(at("2026-10-06 07:30:00"), AUDIO, "192.0.2.60", SPOTIFY, 200, SIZE, offset="+0000")
    run(ws, write(tmp_path / "a.log", [line]))
    assert downloads(ws) == {("2026-10-05", "gratifikasi"): 1}  # 23:30 UTC on the 5th


def test_without_the_range_field_probes_and_the_tag_are_told_from_sizes(show: Workspace, tmp_path: Path) -> None:
    lines = [
        combined(at("2026-10-05 10:00:00"), AUDIO, "203.0.113.1", APPLE, 206, 2),  # a 2-byte 206: a probe
        # 1,000,000 bytes in two ranges, the 100,000-byte tag taken off the window's first bytes: 960,000 = a minute
        combined(at("2026-10-05 10:00:01"), AUDIO, "203.0.113.1", APPLE, 206, 460_000),
        combined(at("2026-10-05 10:00:02"), AUDIO, "203.0.113.1", APPLE, 206, 600_000),
        # 1,059,999 bytes: one short of a minute once the tag is off
        combined(at("2026-10-05 10:00:00"), AUDIO, "203.0.113.2", APPLE, 206, 1_059_999),
    ]
    summary = run(show, write(tmp_path / "a.log", lines))
    assert summary.tally.probes == 1
    assert downloads(show) == {("2026-10-05", "gratifikasi"): 1}


def test_the_same_log_twice_counts_once(show: Workspace, tmp_path: Path) -> None:
    log = write(tmp_path / "access.log", the_rules())
    run(show, log)
    again = run(show, log)
    assert again.files[0].already_imported == len(the_rules()) and again.lines == 0
    assert downloads(show) == EXPECTED


def test_rotated_and_gzipped_files_in_any_order(show: Workspace, tmp_path: Path) -> None:
    lines = sorted(the_rules(), key=lambda line: line.split("[")[1][:26])
    oldest = tmp_path / "access.log.2.gz"
    with gzip.open(oldest, "wt", encoding="utf-8") as f:
        f.writelines(lines[:8])
    middle = write(tmp_path / "access.log.1", lines[8:18])
    newest = write(tmp_path / "access.log", lines[18:])
    summary = run(show, newest, middle, oldest)  # the order a shell glob gives
    assert downloads(show) == EXPECTED
    assert sum(f.lines for f in summary.files) == len(lines)


def test_a_growing_log_then_its_rotated_and_compressed_copy(show: Workspace, tmp_path: Path) -> None:
    lines = sorted(the_rules(), key=lambda line: line.split("[")[1][:26])
    live = write(tmp_path / "access.log", lines[:10])
    run(show, live)
    write(live, lines)  # nginx went on writing; then logrotate renamed it and compressed it
    rotated = tmp_path / "access.log.1.gz"
    with gzip.open(rotated, "wb") as f:
        f.write(live.read_bytes())
    live.unlink()
    summary = run(show, rotated)
    assert summary.files[0].already_imported == 10
    assert summary.files[0].lines == len(lines) - 10
    assert downloads(show) == EXPECTED  # A's window continued across the two imports: still one download


def test_overlapping_files_count_the_overlap_once(show: Workspace, tmp_path: Path) -> None:
    lines = sorted(the_rules(), key=lambda line: line.split("[")[1][:26])
    first = write(tmp_path / "monday-to-wednesday.log", lines[:16])
    second = write(tmp_path / "tuesday-to-thursday.log", lines[6:])
    summary = run(show, first, second)
    assert summary.tally.duplicates == 10
    assert downloads(show) == EXPECTED


def test_a_later_import_of_the_overlap_counts_nothing_twice(show: Workspace, tmp_path: Path) -> None:
    lines = sorted(the_rules(), key=lambda line: line.split("[")[1][:26])
    run(show, write(tmp_path / "a.log", lines[:16]))
    summary = run(show, write(tmp_path / "b.log", lines[6:]))
    assert summary.tally.duplicates == 10
    assert downloads(show) == EXPECTED


def test_caddy_json_logs(show: Workspace, tmp_path: Path) -> None:
    lines = [
        caddy(at("2026-10-05 10:00:00"), AUDIO, "203.0.113.1", APPLE, 206, 2, range_header="bytes=0-1"),
        caddy(at("2026-10-05 10:00:00"), AUDIO, "203.0.113.1", APPLE, 206, 500_000, range_header="bytes=0-499999"),
        caddy(
            at("2026-10-05 10:00:30"), AUDIO, "203.0.113.1", APPLE, 206, 600_000, range_header="bytes=500000-1099999"
        ),
        caddy(at("2026-10-05 12:00:00"), AUDIO, "66.249.66.1", GOOGLEBOT, 200, SIZE),
        caddy(at("2026-10-05 12:30:00"), AUDIO, "203.0.113.3", POCKET, 200, 0, method="HEAD"),
        caddy(at("2026-10-05 13:00:00"), SHORT, "203.0.113.4", CHROME, 200, 300_000),
    ]
    summary = run(show, write(tmp_path / "caddy.log", lines))
    assert summary.files[0].format == "caddy"
    assert downloads(show) == {("2026-10-05", "gratifikasi"): 1, ("2026-10-05", "pendek"): 1}


def test_unparseable_lines_are_counted_and_skipped(show: Workspace, tmp_path: Path) -> None:
    lines = the_rules()
    lines.insert(3, "this is not a log line\n")
    bad_time = (
        '203.0.113.1 - - [99/Foo/2026:10:00:00 +0800] "GET /cerdas/audio/gratifikasi.mp3 HTTP/1.1" 200 1 "-" "x"\n'
    )
    lines.insert(7, bad_time)
    lines.append("\\x16\\x03\\x01 garbage from a TLS client\n")
    summary = run(show, write(tmp_path / "access.log", lines))
    assert summary.unparseable == 3
    assert summary.first_unparseable.startswith("access.log:4: this is not a log line")
    assert downloads(show) == EXPECTED


def test_an_unknown_format_is_refused_and_nothing_is_written(show: Workspace, tmp_path: Path) -> None:
    good = write(tmp_path / "access.log", the_rules())
    odd = write(tmp_path / "error.log", ["2026/10/05 10:00:00 [error] 12#12: *1 open() failed\n"] * 3)
    with pytest.raises(CerdasError, match=r"error\.log.*not an nginx/Apache combined or Caddy JSON access log"):
        run(show, good, odd)
    assert not show.stats_path.exists()
    common = write(tmp_path / "common.log", ['203.0.113.1 - - [05/Oct/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 5\n'])
    with pytest.raises(CerdasError, match="Common Log Format"):
        run(show, common)
    with pytest.raises(CerdasError, match="log file not found"):
        run(show, tmp_path / "missing.log")
    whole = gzip.compress("".join(the_rules() * 50).encode())
    cut = tmp_path / "access.log.3.gz"
    cut.write_bytes(whole[: len(whole) // 2])  # a download that stopped half-way
    with pytest.raises(CerdasError, match=r"access\.log\.3\.gz: damaged compressed log"):
        run(show, cut)
    db = sqlite3.connect(show.stats_path)  # the transaction was rolled back: no count, no ledger entry
    assert [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("downloads", "imports", "seen")] == [0] * 3


def test_no_address_is_kept(show: Workspace, tmp_path: Path) -> None:
    run(show, write(tmp_path / "access.log", the_rules()))
    later = combined(at("2026-10-09 10:00:00"), AUDIO, "203.0.113.200", APPLE, 200, SIZE)
    run(show, write(tmp_path / "later.log", [later]))
    raw = show.stats_path.read_bytes()
    for ip in ("203.0.113.1", "198.51.100.2", "2001:db8:1:2::10", "192.0.2.50"):
        assert ip.encode() not in raw
    assert bytes([203, 0, 113, 1]) not in raw and bytes([198, 51, 100, 2]) not in raw
    db = sqlite3.connect(show.stats_path)
    # the days of the first log are closed: their windows, fingerprints, visitors and salts are gone
    assert db.execute("SELECT COUNT(*) FROM windows WHERE start < ?", (at("2026-10-08").timestamp(),)).fetchone() == (
        0,
    )
    assert db.execute("SELECT COUNT(*) FROM seen WHERE day < '2026-10-08'").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM open_visitors").fetchone() == (0,)
    assert {name for (name,) in db.execute("SELECT name FROM salts")} <= {
        "l:2026-10-09",
        "w:2026-10-08",
        "w:2026-10-09",
    }
    # what stays is counts
    assert downloads(show)[("2026-10-09", "gratifikasi")] == 1
    # a line from the closed days arriving now cannot be checked against them: skipped, said so
    summary = run(show, write(tmp_path / "late.log", [the_rules()[16]]))
    assert summary.tally.too_old == 1

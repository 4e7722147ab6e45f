"""A show with a month of downloads, page views and YouTube snapshots, for the report tests.

October 2026 in WITA: episode ``gratifikasi`` (published 3 October, YouTube video ``vidGratif01``) is downloaded
by 12 listeners on 5 October and 8 on 20 October; ``pendek`` (published 20 September, before the period) by 5 on
6 October; September has 4 downloads of ``pendek``. Two page views of ``gratifikasi`` on 5 October. YouTube:
1,000 views on 30 September, 1,500 on 31 October.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from cerdas.report import NullReporter
from cerdas.stats import store
from cerdas.stats.importer import import_logs
from cerdas.workspace import Workspace
from tests.stats_support import APPLE, CHROME, SPOTIFY, add_episode, at, combined, make_show

SIZE = 9_700_000
NOW = at("2026-12-01 00:00:00").timestamp()
EXPECTED = {
    "downloads": 25,
    "previous_downloads": 4,
    "page_views": 2,
    "youtube_views": 1500,
}


def month_of_listening(root: Path) -> Workspace:
    ws = make_show(root)
    add_episode(
        ws,
        "gratifikasi",
        size=SIZE,
        duration=600,
        tag=100_000,
        number=1,
        video_id="vidGratif01",
        published="2026-10-03T09:00:00+08:00",
        title="Menolak Gratifikasi di Meja Layanan",
        corrected=True,
    )
    add_episode(
        ws,
        "pendek",
        size=300_000,
        duration=30,
        number=2,
        published="2026-09-20T09:00:00+08:00",
        title="Pengumuman Singkat",
    )
    lines = []
    for n in range(4):
        lines.append(
            combined(at(f"2026-09-25 10:00:{n:02d}"), "/cerdas/audio/pendek.mp3", f"10.9.0.{n}", APPLE, 200, 300_000)
        )
    for n in range(12):
        lines.append(
            combined(at(f"2026-10-05 08:{n:02d}:00"), "/cerdas/audio/gratifikasi.mp3", f"10.0.5.{n}", APPLE, 200, SIZE)
        )
    for n in range(5):
        lines.append(
            combined(at(f"2026-10-06 09:{n:02d}:00"), "/cerdas/audio/pendek.mp3", f"10.0.6.{n}", CHROME, 200, 300_000)
        )
    for n in range(8):
        lines.append(
            combined(
                at(f"2026-10-20 20:{n:02d}:00"), "/cerdas/audio/gratifikasi.mp3", f"10.0.20.{n}", SPOTIFY, 200, SIZE
            )
        )
    for n in range(2):
        lines.append(
            combined(at(f"2026-10-05 09:0{n}:00"), "/cerdas/episodes/gratifikasi/", "10.1.1.1", CHROME, 200, 4_000)
        )
    log = root.parent / "access.log"
    log.write_text("".join(sorted(lines, key=logged_at)), encoding="utf-8")
    import_logs(ws, ws.settings(), [log], NullReporter(), now=NOW)
    with store.connect(ws.stats_path, write=True) as db:
        db.executemany(
            "INSERT INTO youtube_stats VALUES (?, ?, ?, ?, ?)",
            [
                ("2026-09-30T12:00:00+00:00", "vidGratif01", 1000, 40, 3),
                ("2026-10-31T12:00:00+00:00", "vidGratif01", 1500, 52, 6),
                ("2026-11-15T12:00:00+00:00", "vidGratif01", 1900, 60, 8),  # after the period: not October's
            ],
        )
    return ws


def logged_at(line: str) -> datetime:
    """The time of a combined line (logs are written in time order)."""
    return datetime.strptime(line.split("[")[1].split("]")[0], "%d/%b/%Y:%H:%M:%S %z")


def stats_rows(ws: Workspace, table: str) -> list[tuple[object, ...]]:
    return list(sqlite3.connect(ws.stats_path).execute(f"SELECT * FROM {table}"))

"""Download counting and reports at scale.

1. Import of a generated nginx "combined" access log of 5 million lines (audio range requests and full
   downloads, probes, episode pages, assets, feed fetches, bots; 50 episodes, ~200,000 listeners, two months) by
   ``cerdas stats import``, against GoAccess (Debian ``goaccess``, the common fast C log analyser) on the same file
   in the same run: lines per second (wall and CPU) and peak memory (the process's maximum RSS). Goal: at least
   half of GoAccess's rate.
2. Memory as the log grows: the same import of the log's first million lines. Goal: flat (5M ≈ 1M).
3. ``cerdas report`` for a year of data and 500 episodes (HTML, A4 PDF, XLSX, JSON). Goal: ≤ 10 s.

    .venv/bin/python benchmarks/stats.py [--lines 5000000] [--runs 3] [--keep DIR]

GoAccess comes from Debian (``apt-get install goaccess``; as root this script installs it when missing). Each
run of each tool is a fresh process measured with ``wait4`` (CPU time and maximum RSS of that process alone).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cerdas.env import Environment  # noqa: E402
from cerdas.episode import Episode, StageRecord, save_episode  # noqa: E402
from cerdas.facts import TagFacts, YouTubeVideo  # noqa: E402
from cerdas.report import NullReporter  # noqa: E402
from cerdas.reports.build import ReportRequest, make_report  # noqa: E402
from cerdas.reports.period import Period  # noqa: E402
from cerdas.stats import store  # noqa: E402
from cerdas.workspace import Workspace, init_workspace  # noqa: E402

BASE = "https://podcast.example.go.id/"
EPISODES = 50
SIZE = 30_000_000
LISTENERS = 200_000
START = datetime(2026, 1, 1, tzinfo=UTC)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
AGENTS = [
    "AppleCoreMedia/1.0.0.21A329 (iPhone; U; CPU OS 17_0 like Mac OS X; id_id)",
    "Podcasts/1650.20 CFNetwork/1408.0.4 Darwin/22.5.0",
    "Spotify/8.8.74 Android/34 (SM-A546E)",
    "PocketCasts/7.52 (Android 14; Pixel 7)",
    "CastBox/8.2.6-200306 (Linux;Android 10) ExoPlayerLib/2.10.4",
    "Podcast Addict - Dalvik/2.1.0 (Linux; U; Android 13; SM-A135F Build/TP1A.220624.014)",
    "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)",
    "okhttp/4.12.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Overcast/1.0 Podcast Sync (3 subscribers; feed-id=123; +http://overcast.fm/)",
    "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
    "curl/8.5.0",
    "python-requests/2.32.3",
]


def generate(path: Path, lines: int, seed: int = 14) -> None:
    """Write ``lines`` combined log lines in time order (about 80,000 a day)."""
    rng = random.Random(seed)
    ips = [
        f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        for _ in range(LISTENERS)
    ]
    ips += [
        f"2001:db8:{rng.randrange(65536):x}:{rng.randrange(65536):x}::{rng.randrange(1, 65536):x}"
        for _ in range(LISTENERS // 4)
    ]
    step = 86_400 / 80_000
    clock = START.timestamp()
    stamps: dict[int, str] = {}
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        for _ in range(lines):
            clock += rng.expovariate(1 / step)
            second = int(clock)
            stamp = stamps.get(second)
            if stamp is None:
                t = datetime.fromtimestamp(second + 8 * 3600, UTC)
                stamp = f"{t.day:02d}/{MONTHS[t.month - 1]}/{t.year}:{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0800"
                stamps = {second: stamp}
            ip = ips[int(rng.paretovariate(1.2)) % len(ips)]
            roll = rng.random()
            agent = AGENTS[ip.__hash__() % len(AGENTS)] if roll < 0.9 else rng.choice(BOTS)
            episode = f"ep-{int(rng.paretovariate(1.1)) % EPISODES + 1:03d}"
            if roll < 0.45:
                kind = rng.random()
                if kind < 0.1:
                    request, status, size = f"/audio/{episode}.mp3", 206, 2
                elif kind < 0.4:
                    request, status, size = f"/audio/{episode}.mp3", 200, SIZE
                else:
                    request, status, size = f"/audio/{episode}.mp3", 206, rng.randrange(100_000, 4_000_000)
            elif roll < 0.65:
                request, status, size = f"/episodes/{episode}/", rng.choice((200, 200, 200, 304)), 18_000
            elif roll < 0.8:
                request, status, size = (
                    rng.choice(("/assets/site.css", "/assets/player.js", "/artwork.png")),
                    200,
                    9_000,
                )
            elif roll < 0.9:
                request, status, size = "/feed.xml", 200, 120_000
            else:
                request, status, size = (
                    rng.choice(("/", "/search/", "/robots.txt", "/wp-login.php")),
                    rng.choice((200, 404)),
                    500,
                )
            method = "HEAD" if rng.random() < 0.01 else "GET"
            out.write(f'{ip} - - [{stamp}] "{method} {request} HTTP/1.1" {status} {size} "-" "{agent}"\n')


def workspace(root: Path, episodes: int, videos: bool = False) -> Workspace:
    """A show with ``episodes`` published episodes (weekly from 2016 back to 2026), journaled as publish would."""
    ws = init_workspace(root, "Podcast Cerdas", author="Inspektorat", email="podcast@example.go.id")
    text = ws.config.read_text(encoding="utf-8")
    text = text.replace('base_url = "http://localhost:8000/"', f'base_url = "{BASE}"')
    ws.config.write_text(text.replace('timezone = ""', 'timezone = "Asia/Makassar"'), encoding="utf-8")
    first = datetime(2026, 12, 30, 9, tzinfo=UTC) - timedelta(weeks=episodes - 1)
    for n in range(1, episodes + 1):
        slug = f"ep-{n:03d}"
        published = (first + timedelta(weeks=n - 1)).isoformat() if episodes > EPISODES else "2025-12-01T09:00:00+08:00"
        episode = Episode(
            slug=slug,
            title=f"Episode {n}: cerita integritas",
            source="x.wav",
            number=n,
            guests=["Narasumber"],
            created=published,
            pub_date=published,
            guid=f"g-{n}",
        )
        mp3 = ws.published_audio(slug)
        episode.stages["tag"] = StageRecord(
            "x", published, {"mp3": ws.relative(mp3)}, TagFacts(bytes=SIZE, duration=1800.0, sha256="0" * 64)
        )
        if videos:
            episode.youtube = YouTubeVideo(video_id=f"vid{n:08d}", url=f"https://www.youtube.com/watch?v=vid{n:08d}")
        save_episode(ws, episode)
    return ws


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                queue += [int(c) for c in task.read_text().split()]
    return found


def _hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measured(command: list[str]) -> Run:
    """Run a process; its wall time, CPU time (``wait4``: it and its waited-for children) and peak memory: the
    highest sum of the tree's VmHWM seen while it ran (``ru_maxrss`` would count this big parent's pages, which
    a child has until it execs)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_hwm_kib(p) for p in _tree(proc.pid)))
        time.sleep(0.05)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - _CHILD_CPU[0]
    _CHILD_CPU[0] = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed with status {proc.returncode}")
    return Run(wall, cpu, peak / 1024)


_CHILD_CPU = [0.0]


def cerdas_import(ws: Workspace, log: Path) -> Run:
    for leftover in ws.root.glob("stats.sqlite3*"):
        leftover.unlink()
    code = "import sys; from cerdas.cli.main import main; sys.argv[0] = 'cerdas'; main()"
    return measured([sys.executable, "-c", code, "-q", "-w", str(ws.root), "stats", "import", str(log)])


def goaccess(log: Path, out: Path) -> Run:
    return measured(["goaccess", str(log), "--log-format=COMBINED", "--no-global-config", "-o", str(out)])


def _median(runs: list[Run]) -> Run:
    return Run(*(statistics.median(getattr(r, f) for r in runs) for f in ("wall", "cpu", "rss_mb")))


def year_of_data(ws: Workspace, seed: int = 5) -> None:
    """A year of daily downloads, page views, visitors and monthly YouTube snapshots, written as imports leave them."""
    rng = random.Random(seed)
    apps = [("player", "Apple (AppleCoreMedia)"), ("app", "Spotify"), ("app", "Pocket Casts"), ("browser", "Chrome")]
    day = date(2026, 1, 1)
    with store.connect(ws.stats_path, write=True) as db:
        while day.year == 2026:
            rows, views = [], []
            for n in range(1, 501):
                if rng.random() < 0.6:
                    kind, name = rng.choice(apps)
                    rows.append((day.isoformat(), f"ep-{n:03d}", kind, name, rng.randrange(1, 30)))
                    views.append((day.isoformat(), f"ep-{n:03d}", rng.randrange(0, 10)))
            db.executemany("INSERT INTO downloads VALUES (?, ?, ?, ?, ?)", rows)
            db.executemany("INSERT INTO page_views VALUES (?, ?, ?)", views)
            db.execute("INSERT INTO visitors VALUES (?, ?)", (day.isoformat(), rng.randrange(50, 500)))
            day += timedelta(days=1)
        for month in range(1, 13):
            fetched = datetime(2026, month, 1, 12, tzinfo=UTC).isoformat()
            db.executemany(
                "INSERT INTO youtube_stats VALUES (?, ?, ?, ?, ?)",
                [(fetched, f"vid{n:08d}", month * 100 + n, n, month) for n in range(1, 501)],
            )


def report_time(ws: Workspace) -> tuple[float, float]:
    """Wall and CPU seconds (this process and the browser's processes) of one report build."""
    request = ReportRequest(
        Period(date(2026, 1, 1), date(2026, 12, 31)),
        ("html", "pdf", "xlsx", "json"),
        ws.root / "out",
        fetch_youtube=False,
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    make_report(ws, ws.settings(), Environment.from_environ(), request, NullReporter())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    return time.perf_counter() - started, time.process_time() - cpu + spent


def _imports(folder: Path, lines: int, small_lines: int, rounds: int) -> None:
    """Parts 1 and 2: the import against GoAccess, and memory at two log sizes."""
    big, small = folder / "access.log", folder / "access-small.log"
    started = time.perf_counter()
    generate(big, lines)
    with big.open("rb") as source, small.open("wb") as head:  # the same log's first lines
        head.writelines(line for _, line in zip(range(small_lines), source, strict=False))
    took = time.perf_counter() - started
    print(f"generated {lines:,} lines ({big.stat().st_size / 1e6:.0f} MB) in {took:.0f} s", flush=True)
    ws = workspace(folder / "show", EPISODES)
    ours, theirs, ours_small = [], [], []
    for _ in range(rounds):
        ours.append(cerdas_import(ws, big))
        theirs.append(goaccess(big, folder / "goaccess.json"))
        ours_small.append(cerdas_import(ws, small))
    o, g, s = _median(ours), _median(theirs), _median(ours_small)
    n = lines
    print(
        f"cerdas stats import: {o.wall:.1f} s wall ({n / o.wall:,.0f} lines/s), {o.cpu:.1f} s CPU "
        f"({n / o.cpu:,.0f} lines/CPU-s), peak {o.rss_mb:.0f} MB"
    )
    print(
        f"goaccess:            {g.wall:.1f} s wall ({n / g.wall:,.0f} lines/s), {g.cpu:.1f} s CPU "
        f"({n / g.cpu:,.0f} lines/CPU-s), peak {g.rss_mb:.0f} MB"
    )
    print(
        f"rate ratio cerdas/goaccess: wall {g.wall / o.wall:.2f}, CPU {g.cpu / o.cpu:.2f} (goal >= 0.5); "
        f"memory ratio {o.rss_mb / g.rss_mb:.2f}"
    )
    print(
        f"peak memory: {small_lines:,} lines {s.rss_mb:.0f} MB, {n:,} lines {o.rss_mb:.0f} MB "
        f"(ratio {o.rss_mb / s.rss_mb:.2f}; goal: flat)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--small", type=int, default=1_000_000, help="lines of the log for the memory comparison")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated files here")
    parser.add_argument("--report-only", action="store_true", help="only the report build (part 3)")
    args = parser.parse_args()
    if not shutil.which("goaccess"):
        if os.geteuid() == 0 and shutil.which("apt-get"):
            subprocess.run(["apt-get", "install", "-y", "-qq", "goaccess"], check=True)
        else:
            raise SystemExit("GoAccess is missing: sudo apt-get install goaccess")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CHILD_CPU[0] = usage.ru_utime + usage.ru_stime
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cerdas-bench-stats-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not args.report_only:
            _imports(folder, args.lines, args.small, args.runs)
        year = workspace(folder / "year", 500, videos=True)
        year_of_data(year)
        runs = [report_time(year) for _ in range(args.runs)]
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        print(
            f"report, 500 episodes, 365 days, html+pdf+xlsx+json: median {statistics.median(walls):.1f} s wall "
            f"(runs {', '.join(f'{t:.1f}' for t in walls)}; goal <= 10 s), {statistics.median(cpus):.1f} s CPU"
        )
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

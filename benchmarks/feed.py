"""Benchmark: build feed.xml and the whole site (feed/) for 500 generated episodes; goal under 5 s.

Each episode is generated as the pipeline leaves it (episode.toml, a tiny MP3, transcript files with
``--segments`` segments, two chapters). Every measurement runs in a fresh child process (peak RSS is that
process's own), five times; medians are printed. Reference runs in the same invocation: the feed alone
(select + feed.xml, no pages) and the full build at 50 episodes, for the ratio and the scaling.

    .venv/bin/python benchmarks/feed.py [--episodes 500] [--segments 300] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def generate(folder: Path, episodes: int, segments: int) -> Path:
    """A workspace with ``episodes`` published episodes (generated, no pipeline)."""
    from cerdas.episode import Chapter
    from cerdas.transcribe.formats import Segment
    from cerdas.workspace import init_workspace
    from tests.feed_support import make_episode, tiny_mp3, write_transcript

    ws = init_workspace(
        folder / "show", "Podcast Cerdas", "Cerita integritas dari Balikpapan.", "Inspektorat", "podcast@example.go.id"
    )
    audio = tiny_mp3(folder / "tiny.mp3")
    words = [
        "gratifikasi",
        "integritas",
        "pelaporan",
        "inspektorat",
        "pengaduan",
        "zona",
        "wilayah",
        "bebas",
        "korupsi",
        "pelayanan",
        "publik",
        "yang",
        "bersih",
        "dan",
        "melayani",
        "masyarakat",
        "kota",
    ]
    start = datetime(2015, 1, 1, 9, 0, tzinfo=UTC)
    for n in range(1, episodes + 1):
        slug = f"episode-{n:04d}"
        make_episode(
            ws,
            slug,
            f"Episode {n}: {words[n % len(words)].title()} dan {words[(n * 7) % len(words)]}",
            number=n,
            pub_date=(start + timedelta(days=7 * n)).isoformat(),
            audio=audio,
            duration=1500.0 + n,
            guests=[f"Tamu {n}"],
            description=f"Catatan episode {n}.\n\nTautan: https://example.go.id/episode/{n}",
            chapters=[Chapter(0, "Pembuka"), Chapter(600, "Tanya jawab")],
        )
        segs = [
            Segment(
                i * 5.0,
                i * 5.0 + 4.5,
                " ".join(words[(i + k) % len(words)] for k in range(12)),
                "Pembawa acara" if (i // 6) % 2 == 0 else "Tamu",
            )
            for i in range(segments)
        ]
        write_transcript(ws, slug, segs)
    return ws.root


def child(mode: str, root: str) -> None:
    """One measurement in this (fresh) process; prints JSON."""
    from cerdas.feed.build import build_site
    from cerdas.feed.rss import build_feed, select_episodes
    from cerdas.workspace import Workspace

    ws = Workspace(Path(root))
    settings = ws.settings()
    began = time.perf_counter()
    if mode == "feed":
        selection = select_episodes(ws, settings, NOW)
        data = build_feed(settings, selection.public, NOW)
        count = len(selection.public)
        size = len(data)
    else:
        result = build_site(ws, settings, now=NOW)
        count = len(result.selection.public)
        size = sum(p.stat().st_size for p in ws.feed_dir.rglob("*.html"))
    seconds = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "episodes": count, "bytes": size}))


def measure(mode: str, root: Path, runs: int) -> dict[str, float]:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(root)], check=True, capture_output=True, text=True
        )
        results.append(json.loads(out.stdout))
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "peak_mib": statistics.median(r["peak_mib"] for r in results),
        "episodes": results[0]["episodes"],
        "bytes": results[0]["bytes"],
        "all": [round(r["seconds"], 3) for r in results],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=500)
    parser.add_argument("--reference-episodes", type=int, default=50)
    parser.add_argument("--segments", type=int, default=300, help="transcript segments per episode (300 ≈ 25 min)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="cerdas-bench-") as tmp:
        t0 = time.perf_counter()
        big = generate(Path(tmp) / "big", args.episodes, args.segments)
        small = generate(Path(tmp) / "small", args.reference_episodes, args.segments)
        print(
            f"generated {args.episodes} + {args.reference_episodes} episodes "
            f"({args.segments} transcript segments each) in {time.perf_counter() - t0:.1f} s"
        )
        feed_only = measure("feed", big, args.runs)
        site_big = measure("site", big, args.runs)
        site_small = measure("site", small, args.runs)
    n, m = args.episodes, args.reference_episodes
    print(f"runs: {args.runs} each, fresh process per run; medians")
    print(
        f"feed only (select + feed.xml), {n} episodes: {feed_only['seconds']:.3f} s, peak RSS "
        f"{feed_only['peak_mib']:.0f} MiB, feed.xml {feed_only['bytes'] / 1e6:.2f} MB   runs {feed_only['all']}"
    )
    print(
        f"feed + site (whole feed/), {n} episodes: {site_big['seconds']:.3f} s, peak RSS "
        f"{site_big['peak_mib']:.0f} MiB, pages {site_big['bytes'] / 1e6:.1f} MB   runs {site_big['all']}"
    )
    print(
        f"feed + site (whole feed/), {m} episodes: {site_small['seconds']:.3f} s, peak RSS "
        f"{site_small['peak_mib']:.0f} MiB   runs {site_small['all']}"
    )
    print(f"ratio feed+site / feed only ({n}): {site_big['seconds'] / feed_only['seconds']:.2f}x")
    per_big, per_small = site_big["seconds"] / n, site_small["seconds"] / m
    print(
        f"scaling {m} -> {n} episodes: {site_big['seconds'] / site_small['seconds']:.2f}x time for "
        f"{n / m:.0f}x episodes ({per_small * 1000:.2f} -> {per_big * 1000:.2f} ms per episode)"
    )
    verdict = "meets" if site_big["seconds"] < 5.0 else "MISSES"
    print(f"goal < 5 s for {n} episodes: {verdict} ({site_big['seconds']:.2f} s)")


if __name__ == "__main__":
    main()

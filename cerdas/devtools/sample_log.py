"""A sample nginx access log for a workspace's published episodes: listeners with real podcast apps downloading
in range requests, availability probes, bots, feed fetches and page views over the last days. Used by
``scripts/demo`` to show ``cerdas stats import`` and ``cerdas report`` with numbers in them.

    python -m cerdas.devtools.sample_log WORKSPACE OUT.log [--days 30] [--listeners 400] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from cerdas.episode import list_episodes
from cerdas.facts import TagFacts
from cerdas.workspace import Workspace

APPS = (
    "AppleCoreMedia/1.0.0.21A329 (iPhone; U; CPU OS 17_0 like Mac OS X; id_id)",
    "Spotify/8.8.74 Android/34 (SM-A546E)",
    "PocketCasts/7.52 (Android 14; Pixel 7)",
    "CastBox/8.2.6-200306 (Linux;Android 10) ExoPlayerLib/2.10.4",
    "Podcast Addict - Dalvik/2.1.0 (Linux; U; Android 13; SM-A135F Build/TP1A.220624.014)",
    "Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile "
    "Safari/537.36",
)
BOTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Overcast/1.0 Podcast Sync (3 subscribers; feed-id=123; +http://overcast.fm/)",
    "curl/8.5.0",
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _line(when: datetime, ip: str, path: str, status: int, size: int, agent: str, byte_range: str = "-") -> str:
    t = when.astimezone(UTC)
    stamp = f"{t.day:02d}/{MONTHS[t.month - 1]}/{t.year}:{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0000"
    return f'{ip} - - [{stamp}] "GET {path} HTTP/1.1" {status} {size} "-" "{agent}" "{byte_range}"\n'


def sample_log(ws: Workspace, out: Path, days: int = 30, listeners: int = 400, seed: int = 1) -> int:
    """Write the log (time order, the recommended format with the Range field); returns its number of lines."""
    rng = random.Random(seed)
    base = urlparse(ws.settings().base_url).path.rstrip("/")
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=days)
    episodes = [
        (e.slug, facts.bytes, max(e.published_at(), start))
        for e in list_episodes(ws)
        if (facts := e.facts(TagFacts)) is not None and e.published_at() < end
    ]
    lines: list[tuple[datetime, str]] = []
    for n in range(listeners if episodes else 0):
        ip, agent = f"10.{n // 250}.{n % 250}.{rng.randrange(1, 255)}", rng.choice(APPS)
        slug, size, first = rng.choice(episodes)
        when = first + (end - first) * (rng.random() ** 2)  # most listen in the first days after publication
        audio = f"{base}/audio/{slug}.mp3"
        lines.append((when, _line(when, ip, audio, 206, 2, agent, "bytes=0-1")))
        offset, left = 0, size if rng.random() < 0.8 else rng.randrange(1, max(size // 20, 2))
        while left > 0:
            chunk = min(left, rng.randrange(500_000, 3_000_000))
            when += timedelta(seconds=rng.randrange(1, 30))
            lines.append((when, _line(when, ip, audio, 206, chunk, agent, f"bytes={offset}-{offset + chunk - 1}")))
            offset, left = offset + chunk, left - chunk
        if rng.random() < 0.3:
            page = f"{base}/episodes/{slug}/"
            lines.append((when, _line(when, ip, page, 200, 18_000, APPS[-1])))
    for n in range(days * 20):  # bots: feed fetches, and now and then a whole episode
        when = start + timedelta(seconds=rng.randrange(days * 86400))
        bot_ip = f"66.249.{rng.randrange(64)}.{rng.randrange(255)}"
        path, size = f"{base}/feed.xml", 40_000
        if n % 10 == 0 and episodes:
            path, size = f"{base}/audio/{episodes[0][0]}.mp3", episodes[0][1]
        lines.append((when, _line(when, bot_ip, path, 200, size, rng.choice(BOTS))))
    lines.sort(key=lambda item: item[0])
    out.write_text("".join(text for _, text in lines), encoding="utf-8")
    return len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cerdas.devtools.sample_log", description=__doc__.split("\n")[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--listeners", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    count = sample_log(Workspace(args.workspace.resolve()), args.out, args.days, args.listeners, args.seed)
    print(f"{args.out}: {count} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The IAB Podcast Measurement Guidelines v2.2 as code: which requests are downloads, page views and visitors.

- Only ``GET`` requests for an episode's enclosure (``audio/<slug>.mp3`` under ``show.base_url``'s path) with
  status 200 or 206 count; ``HEAD`` never does, and a ``Range: bytes=0-1`` probe (or, when the log has no Range
  field, a 206 of at most 2 bytes) is ignored altogether.
- Bots and non-player tools are removed by user agent (:mod:`cerdas.stats.agents`).
- One listener = the IP address (IPv6 reduced to its /64) + the user agent. Their requests for one episode within
  24 hours of the first are one window, however many range requests it takes.
- A window is a download once the audio sent in it adds up to a minute (the episode's bitrate × 60 s, or the whole
  file if shorter). The ID3 tag does not count: exactly when the log has the Range header (the part of each
  response before the tag's end is left out), otherwise the tag's size is taken off the window's first bytes.
- A download belongs to the day, in ``show.timezone``, of its window's first request.
- Page views: ``GET`` of an episode page (``episodes/<slug>/``), 200 or 304, no bots. Daily visitors: distinct
  address + user agent asking for any page of the site in a day.

No address is kept: a listener is a keyed BLAKE2b hash whose key (salt) belongs to one UTC day (windows, line
fingerprints) or one local day (visitors). Once every window, line and visitor of a day lies more than
:data:`HOLD` seconds behind the newest request, its hashes and its salt are deleted; what is left are counts.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

from cerdas.stats.agents import Classifier
from cerdas.stats.logformat import Request

WINDOW: Final = 24 * 3600
GRACE: Final = 6 * 3600
"""How far behind the newest request a line may still arrive (Apache logs a long download at its start time)."""
HOLD: Final = WINDOW + GRACE
PURGE_EVERY: Final = 6 * 3600
"""How often (in logged time) old hashes are dropped while importing."""
_DAY: Final = 24 * 3600


@dataclass(frozen=True)
class Target:
    """An episode's enclosure as counting needs it: sizes in bytes."""

    slug: str
    size: int
    tag: int
    minute: int
    """Bytes of one minute of audio, or all the audio when the episode is shorter."""


@dataclass(slots=True)
class Window:
    start: float
    audio: int = 0
    tag_left: int = 0
    counted: bool = False


@dataclass
class OpenState:
    """Everything that still holds a hash: windows, line fingerprints, today's visitors, and the salts."""

    salts: dict[str, bytes] = field(default_factory=dict)
    windows: dict[tuple[bytes, str], Window] = field(default_factory=dict)
    seen: dict[bytes, str] = field(default_factory=dict)
    visitors: dict[str, set[bytes]] = field(default_factory=dict)
    newest: float = 0.0
    closed_before: float = 0.0


@dataclass
class Tally:
    """What one import added and removed."""

    downloads: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    """(day, slug, agent kind, agent name) → downloads."""
    page_views: Counter[tuple[str, str]] = field(default_factory=Counter)
    visitors: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    duplicates: int = 0
    too_old: int = 0
    bots: int = 0
    probes: int = 0
    not_counted: int = 0
    """Audio requests that were HEAD, another method, or another status than 200/206."""
    unknown_files: int = 0


_V4_MAPPED = b"\x00" * 10 + b"\xff\xff"


def listener_address(ip: str) -> bytes:
    """The address as IAB counts it: IPv4 whole, IPv6 reduced to its /64 (one household's prefix)."""
    try:
        if ":" not in ip:
            return socket.inet_pton(socket.AF_INET, ip)
        packed = socket.inet_pton(socket.AF_INET6, ip.strip("[]").split("%", 1)[0])
    except OSError:
        return ip.encode("utf-8", "replace")
    return packed[12:] if packed.startswith(_V4_MAPPED) else packed[:8]


def audio_bytes(req: Request, target: Target) -> tuple[int, bool]:
    """The audio bytes a response carried (the tag left out) and whether that is exact (the start is known)."""
    if req.status == 200:
        return max(0, min(req.size, target.size) - target.tag), True
    if req.range:
        spec = req.range.removeprefix("bytes=").split(",")[0].strip()
        first, _, last = spec.partition("-")
        if first.isdigit():
            start = int(first)
        elif last.isdigit():  # a suffix range: the last N bytes
            start = max(0, target.size - int(last))
        else:
            return req.size, False
        end = start + req.size
        return max(0, end - max(start, target.tag)), True
    return req.size, False


def is_probe(req: Request) -> bool:
    """A ``bytes=0-1`` (or ``0-0``) availability probe, or a 206 of at most 2 bytes when ranges are not logged."""
    if req.range:
        return req.range.replace(" ", "") in ("bytes=0-1", "bytes=0-0")
    return req.status == 206 and req.size <= 2


class Counting:
    """Applies the rules to requests in time order (roughly: :data:`GRACE` of disorder is fine)."""

    def __init__(
        self,
        state: OpenState,
        targets: dict[str, Target],
        classifier: Classifier,
        zone: tzinfo,
        audio_prefix: str,
        episodes_prefix: str,
        site_prefix: str,
    ) -> None:
        self.state, self.targets, self.classifier, self.zone = state, targets, classifier, zone
        self.audio_prefix, self.episodes_prefix, self.site_prefix = audio_prefix, episodes_prefix, site_prefix
        self.tally = Tally()
        self._days: dict[int, str] = {}
        self._hashers: dict[str, hashlib.blake2b] = {}
        self._next_purge = state.newest + PURGE_EVERY

    # -- days, salts and hashes -------------------------------------------------------------------------------
    def local_day(self, ts: float) -> str:
        """The ISO date of ``ts`` in the show's zone (cached per quarter hour: every zone offset is a multiple)."""
        bucket = int(ts) // 900
        day = self._days.get(bucket)
        if day is None:
            day = datetime.fromtimestamp(bucket * 900, self.zone).date().isoformat()
            if len(self._days) > 100_000:
                self._days.clear()
            self._days[bucket] = day
        return day

    def _hash(self, salt_name: str, data: bytes) -> bytes:
        hasher = self._hashers.get(salt_name)
        if hasher is None:
            salt = self.state.salts.get(salt_name)
            if salt is None:
                salt = self.state.salts[salt_name] = os.urandom(32)
            hasher = self._hashers[salt_name] = hashlib.blake2b(key=salt, digest_size=16)
        copy = hasher.copy()
        copy.update(data)
        return copy.digest()

    # -- one request ----------------------------------------------------------------------------------------
    def add(self, req: Request, line: bytes) -> None:
        """Count one request (``line`` is its raw log line: its fingerprint drops a line imported twice)."""
        state, tally = self.state, self.tally
        tally.requests += 1
        if req.ts < state.closed_before:
            tally.too_old += 1
            return
        utc_day = _utc_day(req.ts)
        fingerprint = self._hash("l:" + utc_day, line)
        if fingerprint in state.seen:
            tally.duplicates += 1
            return
        state.seen[fingerprint] = utc_day
        if req.ts > state.newest:
            state.newest = req.ts
            if req.ts >= self._next_purge:
                self.purge()
        path = req.path
        if path.startswith(self.audio_prefix):
            self._audio(req, path[len(self.audio_prefix) :])
        elif req.method == "GET" and req.status in (200, 304) and (path.endswith("/") or path.endswith(".html")):
            self._page(req, path)

    def _audio(self, req: Request, name: str) -> None:
        tally = self.tally
        slug = name[:-4] if name.endswith(".mp3") else ""
        target = self.targets.get(slug)
        if target is None:
            tally.unknown_files += 1
            return
        if req.method != "GET" or req.status not in (200, 206):
            tally.not_counted += 1
            return
        if is_probe(req):
            tally.probes += 1
            return
        agent = self.classifier.classify(req.agent)
        if not agent.counted:
            tally.bots += 1
            return
        window = self._window(req, slug, target)
        sent, exact = audio_bytes(req, target)
        if not exact and window.tag_left:
            used = min(sent, window.tag_left)
            window.tag_left -= used
            sent -= used
        window.audio += sent
        if not window.counted and window.audio >= target.minute:
            window.counted = True
            tally.downloads[(self.local_day(window.start), slug, agent.kind, agent.name)] += 1

    def _window(self, req: Request, slug: str, target: Target) -> Window:
        listener = listener_address(req.ip) + b"\x00" + req.agent.encode("utf-8", "replace")
        windows = self.state.windows
        for day in (_utc_day(req.ts - _DAY), _utc_day(req.ts)):
            key = (self._hash("w:" + day, listener), slug)
            window = windows.get(key)
            if window is not None and window.start <= req.ts < window.start + WINDOW:
                return window
        window = windows[key] = Window(start=req.ts, tag_left=target.tag)
        return window

    def _page(self, req: Request, path: str) -> None:
        if not path.startswith(self.site_prefix):
            return
        agent = self.classifier.classify(req.agent)
        if not agent.counted:
            self.tally.bots += 1
            return
        day = self.local_day(req.ts)
        if path.startswith(self.episodes_prefix):
            slug = path[len(self.episodes_prefix) :].removesuffix("index.html").strip("/")
            if slug in self.targets:
                self.tally.page_views[(day, slug)] += 1
        visitor = self._hash("v:" + day, listener_address(req.ip) + b"\x00" + req.agent.encode("utf-8", "replace"))
        seen_today = self.state.visitors.setdefault(day, set())
        if visitor not in seen_today:
            seen_today.add(visitor)
            self.tally.visitors[day] += 1

    # -- forgetting -----------------------------------------------------------------------------------------
    def finish(self, now: float) -> None:
        """After the last line: forget all but the last :data:`HOLD` of logged time (the windows a later log may
        still continue), or, for logs imported as they are written, all but the last :data:`HOLD` before now."""
        if self.state.newest > 0:
            self.purge(min(now - HOLD, self.state.newest - GRACE))

    def purge(self, cutoff: float | None = None) -> None:
        """Delete every hash and salt older than ``cutoff`` (default: :data:`HOLD` behind the newest request);
        lines older than that are refused from now on."""
        state = self.state
        self._next_purge = state.newest + PURGE_EVERY
        cutoff = state.newest - HOLD if cutoff is None else cutoff
        if cutoff <= state.closed_before:
            return
        state.closed_before = cutoff
        state.windows = {k: w for k, w in state.windows.items() if w.start >= cutoff - WINDOW}
        # a UTC day's salts and line fingerprints go once the whole day is behind the cutoff
        last_open_utc = _utc_day(cutoff - WINDOW)
        state.seen = {fp: day for fp, day in state.seen.items() if day >= last_open_utc}
        last_open_local = self.local_day(cutoff)
        state.visitors = {d: v for d, v in state.visitors.items() if d >= last_open_local}
        self._hashers.clear()
        state.salts = {
            name: salt
            for name, salt in state.salts.items()
            if (name[2:] >= last_open_local if name.startswith("v:") else name[2:] >= last_open_utc)
        }


def _utc_day(ts: float) -> str:
    return _utc_day_of(int(ts) // _DAY)


def _utc_day_cache() -> Callable[[int], str]:
    cache: dict[int, str] = {}

    def day_of(number: int) -> str:
        day = cache.get(number)
        if day is None:
            day = cache[number] = (date(1970, 1, 1) + timedelta(days=number)).isoformat()
        return day

    return day_of


_utc_day_of = _utc_day_cache()
assert _utc_day_of(0) == datetime.fromtimestamp(0, UTC).date().isoformat()

"""Access-log lines → requests: nginx/Apache "combined" and Caddy's JSON access log.

Combined: ``IP - USER [10/Oct/2026:13:55:36 +0700] "GET /audio/x.mp3 HTTP/1.1" 206 1048576 "REFERER" "AGENT"``.
Any further quoted field is ignored, except one holding the ``Range`` request header (``"bytes=0-1"``), which
the README's recommended log format adds so that probes and ID3 tags can be told exactly. Caddy: one JSON
object a line (``request.client_ip``/``remote_ip``, ``request.method``, ``request.uri``, ``request.headers``,
``status``, ``size``, ``ts`` as Unix seconds or ISO 8601).

Parsing works on bytes and stops early for lines that cannot matter (not under the show's paths), so a log of
millions of lines is read at the speed of the regular expression.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final
from urllib.parse import unquote

from cerdas.errors import CerdasError

COMBINED: Final = "combined"
CADDY: Final = "caddy"

_Q = rb'[^"\\]*(?:\\.[^"\\]*)*'  # the inside of a quoted field, escapes allowed (unrolled: fast)
_COMBINED = re.compile(
    rb'^(\S+) \S+ (?:\S+|"[^"]*") \[([^\]]+)\] "(' + _Q + rb')" (\d{3}) (\d+|-)'
    rb'(?: "(' + _Q + rb')" "(' + _Q + rb')"((?: "' + _Q + rb'")*))?\s*$'
)
_EXTRA = re.compile(rb'"(' + _Q + rb')"')
_MONTH_NAMES: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS: Final = {m.encode(): i for i, m in enumerate(_MONTH_NAMES, start=1)}


class UnparseableLine(ValueError):
    """A line that is not a line of the file's format."""


@dataclass(slots=True)
class Request:
    """One logged request, as much as counting needs. ``range`` is the Range header when the log has it
    (``None``: not logged, ``""``: logged and absent)."""

    ts: float
    ip: str
    method: str
    path: str
    status: int
    size: int
    agent: str
    range: str | None


class Paths:
    """Which URL paths matter: the show's base path, audio and pages under it."""

    def __init__(self, base_path: str) -> None:
        base = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
        self.base = base
        self.base_bytes = base.encode()
        self.audio = base + "audio/"
        self.episodes = base + "episodes/"

    def wanted(self, raw_path: bytes) -> bool:
        """A cheap first test: under the base path at all."""
        return raw_path.startswith(self.base_bytes)


class TimeParser:
    """``10/Oct/2026:13:55:36 +0700`` → Unix seconds, with the hour's start cached (logs repeat it)."""

    def __init__(self) -> None:
        self._hours: dict[bytes, int] = {}

    def parse(self, text: bytes) -> float:
        key = text[:14] + text[20:]
        base = self._hours.get(key)
        if base is None:
            base = self._hour(text)
            if len(self._hours) > 50_000:
                self._hours.clear()
            self._hours[key] = base
        try:
            return float(base + int(text[15:17]) * 60 + int(text[18:20]))
        except ValueError as exc:
            raise UnparseableLine(f"bad time {text!r}") from exc

    @staticmethod
    def _hour(text: bytes) -> int:
        try:
            day, month, year, hour = int(text[0:2]), _MONTHS[text[3:6]], int(text[7:11]), int(text[12:14])
            zone = text[21:26]
            sign = -1 if zone[:1] == b"-" else 1
            offset = sign * (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60)
        except (KeyError, ValueError, IndexError) as exc:
            raise UnparseableLine(f"bad time {text!r}") from exc
        if text[2:3] != b"/" or text[11:12] != b":" or text[20:21] != b" " or len(text) != 26:
            raise UnparseableLine(f"bad time {text!r}")
        return calendar.timegm((year, month, day, hour, 0, 0)) - offset


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").replace('\\"', '"').replace("\\\\", "\\")


def _path_of(target: str) -> str:
    path = target.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:  # an absolute-form request target
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return unquote(path) if "%" in path else path


class CombinedParser:
    """nginx/Apache combined lines."""

    name = COMBINED

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self.times = TimeParser()
        self._texts: dict[bytes, str] = {}  # user agents and methods repeat: decode each once

    def _text(self, raw: bytes) -> str:
        text = self._texts.get(raw)
        if text is None:
            if len(self._texts) > 100_000:
                self._texts.clear()
            text = self._texts[raw] = _text(raw)
        return text

    def parse(self, line: bytes) -> Request | None:
        """The request, or None when it cannot concern the show; :class:`UnparseableLine` when malformed."""
        m = _COMBINED.match(line)
        if m is None:
            raise UnparseableLine("not a combined log line")
        ip, when, request, status, size, _referer, agent, extra = m.groups()
        if agent is None:
            raise UnparseableLine("no referer and user agent (a common-format line, not combined)")
        parts = request.split(b" ")
        if len(parts) < 2:
            return None  # not an HTTP request line (a TLS handshake sent to port 80, garbage)
        if not self.paths.wanted(parts[1]) and b"://" not in parts[1]:
            return None
        range_header: str | None = None
        if extra:
            for field in _EXTRA.findall(extra):
                if field.startswith(b"bytes=") or field == b"-":
                    range_header = "" if field == b"-" else field.decode("ascii", "replace")
        return Request(
            self.times.parse(when),
            ip.decode("ascii", "replace"),
            self._text(parts[0]),
            _path_of(parts[1].decode("utf-8", "replace")),
            int(status),
            0 if size == b"-" else int(size),
            self._text(agent),
            range_header,
        )


def _header(headers: object, name: str) -> str | None:
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if str(key).lower() == name:
            return str(value[0]) if isinstance(value, list) and value else str(value)
    return None


def _caddy_time(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise UnparseableLine(f"bad ts {value!r}")


class CaddyParser:
    """Caddy's JSON access log (``log { format json }``, the default)."""

    name = CADDY

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def parse(self, line: bytes) -> Request | None:
        try:
            obj = json.loads(line)
            request = obj["request"]
            uri = str(request["uri"])
            if not self.paths.wanted(uri.encode()):
                return None
            headers = request.get("headers", {})
            return Request(
                ts=_caddy_time(obj["ts"]),
                ip=str(request.get("client_ip") or request["remote_ip"]),
                method=str(request["method"]),
                path=_path_of(uri),
                status=int(obj["status"]),
                size=int(obj.get("size", 0)),
                agent=_header(headers, "user-agent") or "",
                range=_header(headers, "range") or "",
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise UnparseableLine(f"not a Caddy access-log object ({exc.__class__.__name__})") from exc


Parser = CombinedParser | CaddyParser
PARSERS: Final[dict[str, Callable[[Paths], Parser]]] = {COMBINED: CombinedParser, CADDY: CaddyParser}


def detect(lines: list[bytes], path: Path) -> str:
    """The format of a log from its first lines, or :class:`CerdasError` naming the file."""
    sample = [line for line in lines if line.strip()][:20]
    if not sample:
        return COMBINED  # an empty log: nothing to parse, nothing to refuse
    matches = [m for m in map(_COMBINED.match, sample) if m is not None]
    combined = sum(1 for m in matches if m.group(7) is not None)
    if matches and not combined and len(matches) * 2 > len(sample):
        raise CerdasError(
            "a Common Log Format log has no user agents, so bots cannot be removed; log in the combined format",
            path,
        )
    caddy = 0
    for line in sample:
        if line.lstrip().startswith(b"{"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            caddy += isinstance(obj, dict) and isinstance(obj.get("request"), dict)
    if combined and combined >= caddy:
        return COMBINED
    if caddy:
        return CADDY
    first = sample[0].decode("utf-8", "replace").strip()[:80]
    raise CerdasError(
        f"not an nginx/Apache combined or Caddy JSON access log (first line: {first!r})",
        path,
    )

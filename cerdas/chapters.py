"""Chapter files: ``HH:MM:SS title`` lines, or Podcasting 2.0 chapters JSON, in and out."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from cerdas.episode import MAX_TITLE, Chapter
from cerdas.errors import CerdasError
from cerdas.fsutil import MiB, read_text
from cerdas.links import link_problem
from cerdas.notes import strip_control

MAX_FILE = 4 * MiB
"""A chapters file larger than this is not a chapters file (``/dev/zero``, a recording given by mistake)."""
MAX_CHAPTERS = 1000
_NOT_JSON = "not Podcasting 2.0 chapters JSON"

_LINE = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?\s+(?:[-–—]\s*)?(.+?)\s*$")


def parse_timestamp(text: str) -> float:
    """``"1:02:03.5"`` / ``"02:03"`` → seconds."""
    match = re.fullmatch(r"\s*(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?\s*", text)
    if not match:
        raise ValueError(text)
    h, m, s, frac = match.groups()
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + (float(f"0.{frac}") if frac else 0.0)


def format_timestamp(seconds: float, always_hours: bool = True) -> str:
    """Seconds → ``HH:MM:SS`` (or ``M:SS`` when ``always_hours`` is false and under an hour)."""
    total = int(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    if always_hours or h:
        return f"{h:02d}:{m:02d}:{s:02d}" if always_hours else f"{h}:{m:02d}:{s:02d}"
    return f"{m}:{s:02d}"


def load_chapters(path: Path) -> list[Chapter]:
    """Read a chapters file (a regular UTF-8 file of sane size); the chapters come back sorted by start time.
    Anything the feed, the pages or the ID3 tag could not carry is refused here, naming the chapter."""
    text = read_text(path, MAX_FILE, "chapters file")
    chapters = _from_json(text, path) if text.lstrip().startswith("{") else _from_lines(text, path)
    if not chapters:
        raise CerdasError("no chapters in the file", path)
    chapters.sort(key=lambda c: c.start)
    problems = chapter_problems(chapters)
    if problems:
        raise CerdasError(problems[0], path)
    return chapters


def chapter_problems(chapters: list[Chapter], duration: float = 0.0) -> list[str]:
    """Why outputs could not carry these chapters (each naming the chapter), or nothing: starts from 0, finite
    and different; titles of text; links by the one link rule; none after the end (``duration``, when known)."""
    problems = []
    if len(chapters) > MAX_CHAPTERS:
        problems.append(f"{len(chapters)} chapters; at most {MAX_CHAPTERS}")
    seen: set[float] = set()
    for i, chapter in enumerate(chapters, 1):
        where = f"chapter {i}"
        title = " ".join(strip_control(chapter.title).split())
        if not math.isfinite(chapter.start) or chapter.start < 0:
            problems.append(f"{where}: the start must be seconds from 0, not {chapter.start!r}")
        elif duration > 0 and chapter.start >= duration:
            problems.append(
                f"{where} ({title[:40]!r}) starts at {format_timestamp(chapter.start)}, after the end of the "
                f"recording ({format_timestamp(duration)})"
            )
        elif chapter.start in seen:
            problems.append(f"{where}: two chapters start at the same time ({format_timestamp(chapter.start)})")
        seen.add(chapter.start)
        if not title:
            problems.append(f"{where}: the title is empty")
        elif len(title) > MAX_TITLE:
            problems.append(f"{where}: the title is {len(title)} characters long; the limit is {MAX_TITLE}")
        for key, value, mailto in (("url", chapter.url, True), ("img", chapter.img, False)):
            problem = link_problem(value, mailto) if value else None
            if problem:
                problems.append(f"{where}: '{key}' {problem} ({value[:60]!r})")
    return problems


def _from_lines(text: str, path: Path) -> list[Chapter]:
    chapters = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise CerdasError(f"line {number} is not 'HH:MM:SS title': {line.strip()[:60]!r}", path)
        h, m, s, frac, title = match.groups()
        start = int(h or 0) * 3600 + int(m) * 60 + int(s) + (float(f"0.{frac}") if frac else 0.0)
        chapters.append(Chapter(start=start, title=title))
    return chapters


def _from_json(text: str, path: Path) -> list[Chapter]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise CerdasError(f"{_NOT_JSON} ({exc.__class__.__name__}: {exc})", path) from None
    items = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise CerdasError(f"{_NOT_JSON}: 'chapters' must be a list", path)
    chapters = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise CerdasError(f"{_NOT_JSON}: chapter {i + 1} is not a JSON object", path)
        if item.get("toc", True) is False:
            continue
        chapters.append(
            Chapter(
                start=_json_start(item.get("startTime"), i, path),
                title=_json_text(item, "title", i, path).strip() or f"Bab {i + 1}",
                url=_json_text(item, "url", i, path).strip(),
                img=_json_text(item, "img", i, path).strip(),
            )
        )
    return chapters


def _json_start(value: Any, i: int, path: Path) -> float:
    """``startTime``: a number of seconds (JSON has no NaN or Infinity, but Python's parser reads them)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = json.dumps(value)[:40]
        raise CerdasError(f"{_NOT_JSON}: chapter {i + 1}: 'startTime' must be a number of seconds, not {shown}", path)
    start = float(value)
    if not math.isfinite(start) or start < 0:
        raise CerdasError(f"{_NOT_JSON}: chapter {i + 1}: 'startTime' must be seconds from 0, not {value!r}", path)
    return start


def _json_text(item: dict[str, Any], key: str, i: int, path: Path) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CerdasError(f"{_NOT_JSON}: chapter {i + 1}: '{key}' must be text, not {json.dumps(value)[:40]}", path)
    return value


def chapters_json(chapters: list[Chapter]) -> dict[str, Any]:
    """Podcasting 2.0 chapters document (``application/json+chapters``)."""
    items: list[dict[str, Any]] = []
    for c in chapters:
        item: dict[str, Any] = {"startTime": round(c.start, 3), "title": " ".join(strip_control(c.title).split())}
        if c.img and link_problem(c.img, mailto=False) is None:
            item["img"] = c.img
        if c.url and link_problem(c.url) is None:
            item["url"] = c.url
        items.append(item)
    return {"version": "1.2.0", "chapters": items}

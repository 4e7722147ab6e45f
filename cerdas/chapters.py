"""Chapter files: ``HH:MM:SS title`` lines, or Podcasting 2.0 chapters JSON, in and out."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cerdas.episode import Chapter
from cerdas.errors import CerdasError

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
    """Read a chapters file; the chapters come back sorted by start time."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CerdasError("chapters file not found", path) from exc
    except UnicodeDecodeError as exc:
        raise CerdasError("chapters file is not UTF-8 text", path) from exc
    chapters = _from_json(text, path) if text.lstrip().startswith("{") else _from_lines(text, path)
    if not chapters:
        raise CerdasError("no chapters in the file", path)
    chapters.sort(key=lambda c: c.start)
    starts = [c.start for c in chapters]
    if len(set(starts)) != len(starts):
        raise CerdasError("two chapters start at the same time", path)
    return chapters


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
        items = data["chapters"]
        return [
            Chapter(
                start=float(item["startTime"]),
                title=str(item.get("title", "")).strip() or f"Bab {i + 1}",
                url=str(item.get("url", "")),
                img=str(item.get("img", "")),
            )
            for i, item in enumerate(items)
            if item.get("toc", True) is not False
        ]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CerdasError(f"not Podcasting 2.0 chapters JSON ({exc.__class__.__name__}: {exc})", path) from exc


def chapters_json(chapters: list[Chapter]) -> dict[str, Any]:
    """Podcasting 2.0 chapters document (``application/json+chapters``)."""
    items: list[dict[str, Any]] = []
    for c in chapters:
        item: dict[str, Any] = {"startTime": round(c.start, 3), "title": c.title}
        if c.img:
            item["img"] = c.img
        if c.url:
            item["url"] = c.url
        items.append(item)
    return {"version": "1.2.0", "chapters": items}

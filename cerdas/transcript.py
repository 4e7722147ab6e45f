"""The transcript model shared by transcription, the feed and site, YouTube captions and search.

On disk, per episode, in ``transcripts/``: ``<slug>.vtt`` (the master a producer may correct by hand),
``<slug>.srt``, ``<slug>.json`` (Podcasting 2.0 transcript JSON) and ``<slug>.txt``. Readers that need segments
(site, search) read the JSON with :func:`load_json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cerdas.errors import CerdasError
from cerdas.workspace import Workspace


@dataclass(frozen=True)
class Segment:
    """A stretch of speech: seconds from the start of the episode audio, its text, the speaker when known."""

    start: float
    end: float
    text: str
    speaker: str = ""


def transcript_path(ws: Workspace, slug: str, kind: str) -> Path:
    """``transcripts/<slug>.<kind>`` (kind: vtt, srt, json, txt)."""
    return ws.transcripts_dir / f"{slug}.{kind}"


def load_json(path: Path) -> list[Segment]:
    """Read Podcasting 2.0 transcript JSON (``{"version", "segments": [{startTime, endTime, body, speaker?}]}``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            Segment(float(s["startTime"]), float(s["endTime"]), str(s["body"]), str(s.get("speaker", "")))
            for s in data["segments"]
        ]
    except FileNotFoundError as exc:
        raise CerdasError("transcript not found", path) from exc
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CerdasError(f"not Podcasting 2.0 transcript JSON ({exc.__class__.__name__})", path) from exc

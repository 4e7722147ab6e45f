"""Editing a test workspace's ``cerdas.toml`` the way a producer would (in place, keeping its comments), and
reading what the stages recorded."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from cerdas.episode import Episode
from cerdas.facts import StageFacts
from cerdas.workspace import Workspace


def set_keys(ws: Workspace, section: str, **values: Any) -> None:
    """Set keys of one ``cerdas.toml`` section in place (the file keeps its comments)."""
    text = ws.config.read_text(encoding="utf-8")
    start = text.index(f"[{section}]")
    end = text.find("\n[", start + 1)
    end = len(text) if end < 0 else end
    body = text[start:end]
    for key, value in values.items():
        literal = str(value).lower() if isinstance(value, bool) else json.dumps(value)
        line = f"{key} = {literal}"
        pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.M)
        body = pattern.sub(line, body, count=1) if pattern.search(body) else body.rstrip("\n") + f"\n{line}\n"
    ws.config.write_text(text[:start] + body + text[end:], encoding="utf-8")


F = TypeVar("F", bound=StageFacts)


def facts(episode: Episode, kind: type[F]) -> F:
    """The facts a stage recorded, which the test expects to be there."""
    found = episode.facts(kind)
    assert found is not None, f"no {kind.stage} facts in {episode.slug}"
    return found

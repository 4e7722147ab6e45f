"""What every output can carry: the one set of rules an episode's metadata must meet before any stage runs
(``publish``) and before a feed build puts the episode in (``cerdas feed``, the feed stage).

Control characters are not a problem here: every output removes them (:func:`cerdas.notes.strip_control`), and
``publish`` removes them from what the producer typed with a warning. What is checked is what an output would
refuse or a listener's app would choke on: empty or over-long texts, a description over Apple's limit, links
that break the link rule, chapters out of range, a cover that is not a JPEG or PNG in the episode's folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cerdas.artwork import check_cover, cover_ext
from cerdas.chapters import chapter_problems
from cerdas.episode import MAX_TITLE, Episode
from cerdas.errors import CerdasError
from cerdas.notes import notes_html, strip_control
from cerdas.platforms import MAX_DESCRIPTION_BYTES
from cerdas.report import Reporter
from cerdas.workspace import Workspace

MAX_GUEST = 200
MAX_GUESTS = 50
MAX_DESCRIPTION_TEXT = 64 * 1024
"""Characters of show notes as written (the HTML limit is Apple's 4000 bytes; this only stops a pasted book)."""


@dataclass(frozen=True)
class Problem:
    """One thing an output cannot carry: ``field`` (title, description, guests, chapters, cover, guid) and why."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def clean_text(text: str, what: str, reporter: Reporter) -> str:
    """``text`` without control characters (the one rule of every output), saying so when any were removed."""
    clean = strip_control(text)
    if clean != text:
        reporter.warn(f"{what}: control characters removed")
    return clean


def one_line(text: str) -> str:
    """A title or a name as every output shows it: control characters removed, whitespace collapsed."""
    return " ".join(strip_control(text).split())


def metadata_problems(episode: Episode, ws: Workspace, cover: Path | None = None) -> list[Problem]:
    """Everything about ``episode`` that an output (feed, page, ID3 tag, YouTube) could not carry, each naming
    the field; none when it can go out. ``cover``: the image to check instead of the stored one (a publish's)."""
    problems = []
    title = one_line(episode.title)
    if not title:
        problems.append(Problem("title", "the title is empty"))
    elif len(title) > MAX_TITLE:
        problems.append(Problem("title", f"the title is {len(title)} characters long; the limit is {MAX_TITLE}"))
    problems += _description_problems(episode.description)
    if len(episode.guests) > MAX_GUESTS:
        problems.append(Problem("guests", f"{len(episode.guests)} guests; at most {MAX_GUESTS}"))
    for i, guest in enumerate(episode.guests, 1):
        name = one_line(guest)
        if not name:
            problems.append(Problem("guests", f"guest {i} has an empty name"))
        elif len(name) > MAX_GUEST:
            problems.append(Problem("guests", f"guest {i}'s name is {len(name)} characters; at most {MAX_GUEST}"))
    problems += [Problem("chapters", p) for p in chapter_problems(episode.chapters, episode.duration)]
    if not episode.guid.strip():
        problems.append(Problem("guid", "the episode has no guid"))
    image = cover if cover is not None else (ws.resolve(episode.cover) if episode.cover else None)
    if image is not None:
        problem = cover_problem(image, ws.episode_dir(episode.slug) if cover is None else None)
        if problem:
            problems.append(Problem("cover", problem))
    return problems


def _description_problems(description: str) -> list[Problem]:
    if len(description) > MAX_DESCRIPTION_TEXT:
        return [Problem("description", f"the description is {len(description)} characters; far over Apple's limit")]
    size = len(notes_html(description).encode("utf-8"))
    if size > MAX_DESCRIPTION_BYTES:
        return [
            Problem(
                "description",
                f"the description is {size} bytes as HTML; Apple's limit is {MAX_DESCRIPTION_BYTES} (shorten it)",
            )
        ]
    return []


def cover_problem(path: Path, folder: Path | None) -> str | None:
    """Why ``path`` cannot be the episode's cover (inside ``folder`` when given: a stored cover must not be a link
    out of the episode's folder), or None."""
    if folder is not None and path.resolve().parent != folder:
        return f"the cover {path.name} is a link out of the episode's folder"
    try:
        cover_ext(path) if folder is not None else check_cover(path)  # stored: its header; a new one: decoded
    except CerdasError as exc:
        return str(exc).removeprefix(f"{exc.path}: ") if exc.path is not None else str(exc)
    return None

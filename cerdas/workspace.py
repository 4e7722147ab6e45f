"""A show's workspace: the folder holding ``cerdas.toml``, ``episodes/``, ``transcripts/`` and ``feed/``."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cerdas.artwork import make_placeholder
from cerdas.errors import CerdasError, LockedError, WorkspaceError
from cerdas.fsutil import atomic_write_text
from cerdas.settings import CONFIG_NAME, Settings, load_settings, render_template

LOCK_NAME = ".cerdas.lock"
EPISODE_FILE = "episode.toml"
YOUTUBE_JOURNAL = "youtube.json"


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace. Every path Cerdas reads or writes in it is derived here, nowhere else."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def episodes_dir(self) -> Path:
        return self.root / "episodes"

    @property
    def transcripts_dir(self) -> Path:
        return self.root / "transcripts"

    @property
    def feed_dir(self) -> Path:
        return self.root / "feed"

    @property
    def voices_dir(self) -> Path:
        """Voice profiles (embeddings, never audio): ``voices/<name>.json``."""
        return self.root / "voices"

    def voice_profile(self, key: str) -> Path:
        """``voices/<key>.json`` for a profile's file key (a slug of its name), refusing one that would leave."""
        if not key or "/" in key or key.startswith(".") or "\\" in key:
            raise WorkspaceError(f"voice profile name {key!r} is not a file name", self.voices_dir)
        return self.voices_dir / f"{key}.json"

    def speaker_turns(self, slug: str) -> Path:
        """Who speaks when: ``episodes/<slug>/speakers.json`` (the speakers stage's output)."""
        return self.episode_dir(slug) / "speakers.json"

    @property
    def index_path(self) -> Path:
        """The SQLite FTS5 search index."""
        return self.root / "search.sqlite3"

    @property
    def stats_path(self) -> Path:
        """Download counts, page views and YouTube snapshots (``cerdas stats``): no listener's address."""
        return self.root / "stats.sqlite3"

    @property
    def reports_dir(self) -> Path:
        """Where ``cerdas report`` writes unless told otherwise: ``reports/<period>/``."""
        return self.root / "reports"

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_NAME

    def episode_dir(self, slug: str) -> Path:
        """``episodes/<slug>``, refusing a slug that would resolve outside ``episodes/``."""
        base = self.episodes_dir.resolve()
        path = (base / slug).resolve()
        if path.parent != base or not slug or slug.startswith("."):
            raise WorkspaceError(f"episode slug {slug!r} would leave the episodes folder", self.episodes_dir)
        return path

    def episode_file(self, slug: str) -> Path:
        """The episode's journal, ``episodes/<slug>/episode.toml``."""
        return self.episode_dir(slug) / EPISODE_FILE

    def work_dir(self, slug: str) -> Path:
        """``episodes/<slug>/work``: intermediates that publish rebuilds (not in the repository)."""
        return self.episode_dir(slug) / "work"

    def youtube_captions(self, slug: str) -> Path:
        """The captions uploaded to YouTube when the transcript names speakers (YouTube ignores ``<v>``: each
        change of speaker is a line with the name), made from the VTT: ``episodes/<slug>/work/youtube.vtt``."""
        return self.work_dir(slug) / "youtube.vtt"

    def normalised_audio(self, slug: str) -> Path:
        """The loudness stage's MP3, before tagging."""
        return self.work_dir(slug) / "normalised.mp3"

    def published_audio(self, slug: str) -> Path:
        """The tagged MP3 that the feed serves: ``episodes/<slug>/<slug>.mp3``."""
        return self.episode_dir(slug) / f"{slug}.mp3"

    def video(self, slug: str) -> Path:
        """The file uploaded to YouTube: ``episodes/<slug>/<slug>.mp4``."""
        return self.episode_dir(slug) / f"{slug}.mp4"

    def youtube_journal(self, slug: str) -> Path:
        """The resumable upload's journal (mode 0600: it holds the session address)."""
        return self.episode_dir(slug) / YOUTUBE_JOURNAL

    def cover(self, slug: str, suffix: str) -> Path:
        """The episode's own cover, copied into its folder (``suffix`` with its dot: ``.jpg``)."""
        return self.episode_dir(slug) / f"cover{suffix}"

    def episode_image(self, cover: str, artwork: Path) -> Path:
        """The picture of an episode: its own cover (the stored path) if it has one, else the show ``artwork``.
        A cover that resolves outside the episodes folder (a link someone committed) is refused."""
        if not cover:
            return artwork
        path = self.resolve(cover)
        if path.resolve().parent.parent != self.episodes_dir.resolve():
            raise WorkspaceError("the episode's cover is a link out of its folder; it is not used", path)
        return path

    def words(self, slug: str) -> Path:
        """Whisper's words with their times and probabilities, ``episodes/<slug>/words.json`` (kept in the
        repository; see :mod:`cerdas.transcribe.words`). Not published in ``feed/``."""
        return self.episode_dir(slug) / "words.json"

    def clips_dir(self, slug: str) -> Path:
        """``episodes/<slug>/clips``: the clips ``cerdas clip`` renders (MP4 + SRT + VTT; not in the repository)."""
        return self.episode_dir(slug) / "clips"

    def clip_journal(self, video: Path) -> Path:
        """The YouTube Short upload journal of a clip, beside it (mode 0600: it holds the session address)."""
        return video.with_name(f"{video.stem}.youtube.json")

    def transcript(self, slug: str, kind: str) -> Path:
        """``transcripts/<slug>.<kind>`` (vtt, srt, json, txt): the VTT is the master a producer corrects."""
        return self.transcripts_dir / f"{slug}.{kind}"

    @property
    def recordings_dir(self) -> Path:
        """``recordings/``: recordings uploaded through the studio (each an episode's source, kept)."""
        return self.root / "recordings"

    def recording(self, name: str) -> Path:
        """``recordings/<name>``, for a name the studio chose (never one a browser sent)."""
        return self._inside(self.recordings_dir, name)

    @property
    def studio_dir(self) -> Path:
        """``.studio/``: the studio's own state (jobs, uploads in progress); not published, not in git."""
        return self.root / ".studio"

    @property
    def studio_jobs_dir(self) -> Path:
        return self.studio_dir / "jobs"

    def studio_job(self, job_id: str) -> Path:
        """``.studio/jobs/<id>.json``: one studio job, kept on disk so a restarted studio still shows it."""
        return self._inside(self.studio_jobs_dir, f"{job_id}.json")

    @property
    def studio_uploads_dir(self) -> Path:
        return self.studio_dir / "uploads"

    def studio_upload(self, name: str) -> Path:
        """``.studio/uploads/<name>``: an upload being received (``.part``) or waiting for its job (a cover)."""
        return self._inside(self.studio_uploads_dir, name)

    def _inside(self, folder: Path, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
            raise WorkspaceError(f"file name {name!r} is not allowed here", folder)
        return folder / name

    def relative(self, path: Path) -> str:
        """``path`` relative to the workspace root when inside it (as stored in ``episode.toml``)."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    def resolve(self, stored: str) -> Path:
        """The inverse of :meth:`relative`."""
        path = Path(stored)
        return path if path.is_absolute() else self.root / path

    def settings(self) -> Settings:
        return load_settings(self.root)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the workspace lock; a second publish gets a clear error instead of waiting or racing."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                raise LockedError(
                    f"another cerdas command (pid {holder}) is working in this workspace; wait for it to finish",
                    self.root,
                ) from exc
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            os.close(fd)


def find_workspace(start: Path | None = None) -> Workspace:
    """The nearest folder at or above ``start`` (default: the current directory) holding ``cerdas.toml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return Workspace(folder)
    raise WorkspaceError(f"no {CONFIG_NAME} here or in any parent folder; run 'cerdas init' or pass --workspace", here)


def default_title(root: Path) -> str:
    """A show title from a folder's name (``podcast-cerdas`` → ``Podcast Cerdas``), for ``cerdas init``."""
    words = root.expanduser().resolve().name.replace("-", " ").replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Podcast"


def init_workspace(root: Path, title: str, description: str = "", author: str = "", email: str = "") -> Workspace:
    """Create a workspace: commented ``cerdas.toml``, the folders and a placeholder artwork."""
    if not title.strip():
        raise CerdasError("the show title must not be empty", root)
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root.resolve())
    if ws.config.exists():
        raise WorkspaceError(f"already a workspace ({CONFIG_NAME} exists); nothing was changed", ws.config)
    for folder in (ws.episodes_dir, ws.transcripts_dir, ws.feed_dir):
        folder.mkdir(exist_ok=True)
    artwork = ws.root / "artwork.png"
    if not artwork.exists():
        make_placeholder(artwork, title)
    atomic_write_text(ws.config, render_template(title, description, author, email))
    gitignore = ws.root / ".gitignore"
    if not gitignore.exists():
        atomic_write_text(gitignore, WORKSPACE_GITIGNORE)
    ws.settings()  # the template must always validate
    return ws


WORKSPACE_GITIGNORE = """\
# Media and derived files are rebuilt by 'cerdas publish'; episode.toml, the transcripts (hand corrections) and
# episodes/*/words.json (Whisper's words and timings: remaking them means transcribing again) are kept.
.cerdas.lock
search.sqlite3
stats.sqlite3*
/reports/
episodes/*/work/
episodes/*/*.mp3
episodes/*/*.mp4
episodes/*/clips/
# the YouTube upload journal holds the upload session's address (a secret); the video id is in episode.toml
episodes/*/youtube.json
feed/
recordings/
.studio/
"""

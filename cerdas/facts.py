"""Typed hand-offs between stages: what each stage records about an episode, as small dataclasses.

A stage returns its facts (:class:`cerdas.pipeline.StageOutput`); the journal stores them under
``[stages.<name>.data]`` in ``episode.toml`` exactly as the untyped dicts of Cerdas 0.1 did, so old journals load
and new ones read the same. Later stages read another stage's facts through :meth:`cerdas.episode.Episode.facts`
(``episode.facts(IngestFacts)``), never by string key.

:func:`to_data` and :func:`from_data` convert between dataclasses and TOML-friendly dicts. Reading checks every
value's type (``episode.toml`` is a file people edit and commit): a wrong one raises :class:`DataError` naming the
key, which :func:`cerdas.episode.load_episode` turns into a one-line error naming the file.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin

StageName = Literal["ingest", "loudness", "tag", "speakers", "transcribe", "youtube", "feed", "search"]
STAGES: tuple[StageName, ...] = typing.get_args(StageName)
StageStatus = Literal["ran", "skipped", "current", "would run"]


class DataError(ValueError):
    """A stored value of the wrong type; ``key`` is its dotted path (``stages.tag.data.bytes``)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"'{key}' {message}")
        self.key = key


# -- (de)serialisation --------------------------------------------------------------------------------------------


def to_data(obj: Any) -> Any:
    """A dataclass (recursively) as a dict for TOML: ``None`` fields left out, tuples as lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if value is not None:
                out[f.name] = to_data(value)
        return out
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list | tuple):
        return [to_data(v) for v in obj]
    return obj


T = TypeVar("T")


def from_data(cls: type[T], raw: Any, where: str) -> T:
    """``raw`` (a dict read from TOML) as an instance of the dataclass ``cls``, every value's type checked.

    Missing keys take the field's default (older journals); unknown keys are ignored (newer ones); a key without
    a default that is missing, or a value of another type, raises :class:`DataError` naming ``where.key``.
    """
    if not isinstance(raw, dict):
        raise DataError(where, "must be a table")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not f.init:
            continue
        key = f"{where}.{f.name}" if where else f.name
        if f.name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise DataError(key, "is missing")
            continue
        values[f.name] = convert(hints[f.name], raw[f.name], key)
    return cls(**values)


def convert(hint: Any, value: Any, key: str) -> Any:
    """``value`` checked against the type ``hint`` (and converted: lists to tuples, ints to floats)."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return convert(option, value, key)
            except DataError as exc:
                errors.append(exc)
        raise errors[0] if errors else DataError(key, "has no value")
    if origin is Literal:
        if value not in get_args(hint):
            allowed = ", ".join(repr(v) for v in get_args(hint))
            raise DataError(key, f"must be one of {allowed}, not {value!r}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise DataError(key, f"must be a list, not {_shown(value)}")
        item = get_args(hint)[0] if get_args(hint) else Any
        items = [convert(item, v, f"{key}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise DataError(key, f"must be a table, not {_shown(value)}")
        item = get_args(hint)[1] if get_args(hint) else Any
        return {str(k): convert(item, v, f"{key}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return from_data(hint, value, key)
    return _scalar(hint, value, key)


def _scalar(hint: Any, value: Any, key: str) -> Any:
    if hint is Any or hint is object:
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise DataError(key, f"must be true or false, not {_shown(value)}")
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise DataError(key, f"must be a whole number, not {_shown(value)}")
        return value
    if hint is float:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise DataError(key, f"must be a number, not {_shown(value)}")
        number = float(value)
        if math.isnan(number):
            raise DataError(key, "must be a number, not nan")
        return value if isinstance(value, float) else number
    if hint is str:
        if not isinstance(value, str):
            raise DataError(key, f"must be text, not {_shown(value)}")
        return value
    raise DataError(key, f"has a type Cerdas cannot read ({hint!r})")  # a programming error, named all the same


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


# -- the facts of each stage --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageFacts:
    """Base of every stage's facts; ``stage`` names the stage that records them."""

    stage: ClassVar[str] = ""


@dataclass(frozen=True)
class NoFacts(StageFacts):
    """A stage that records nothing beyond its summary (and facts of a stage this version does not know)."""


@dataclass(frozen=True)
class LoudnessMeasure:
    """An EBU R128 measurement as stored (true peak absent when it was not measured; -999 for digital silence)."""

    integrated_lufs: float
    true_peak_dbtp: float | None = None
    lra_lu: float | None = None
    decoded_seconds: float = 0.0


@dataclass(frozen=True)
class ProbeFacts:
    """What ffprobe said about the recording (duration: what was decoded)."""

    format: str
    duration: float
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    channel_layout: str | None = None
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class TrackFacts:
    """One track of a multitrack recording as ingest checked it (``channel``: a channel of a stereo file)."""

    source: str
    sha256: str
    duration: float
    sample_rate: int
    input: LoudnessMeasure
    channel: int | None = None


@dataclass(frozen=True)
class IngestFacts(StageFacts):
    stage: ClassVar[str] = "ingest"
    sha256: str
    probe: ProbeFacts
    input: LoudnessMeasure
    video: bool = False
    video_codec: str | None = None
    tracks: tuple[TrackFacts, ...] = ()
    """Multitrack: each speaker's track (``input`` is then the plain sum of the tracks)."""


@dataclass(frozen=True)
class LoudnessFacts(StageFacts):
    stage: ClassVar[str] = "loudness"
    before: LoudnessMeasure
    levelled: LoudnessMeasure
    after: LoudnessMeasure
    gain_db: float
    limiter_dbtp: float
    predicted_shift_lu: float
    passes: int
    duration: float


@dataclass(frozen=True)
class TagFacts(StageFacts):
    stage: ClassVar[str] = "tag"
    bytes: int
    duration: float
    sha256: str


@dataclass
class GuardCounts:
    """What the transcript's quality guards removed (counted up while they run, then recorded)."""

    no_speech: int = 0
    loops_cut_words: int = 0
    compression: int = 0
    prompt_echo: int = 0
    hallucination: int = 0
    repeated: int = 0
    vocabulary_fixed: int = 0

    @property
    def dropped(self) -> int:
        return self.no_speech + self.compression + self.prompt_echo + self.hallucination + self.repeated

    def add(self, other: GuardCounts) -> None:
        """Count ``other``'s removals in too (a window transcribed again goes through the guards again)."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class TranscriptGap:
    """Speech the transcript could not cover even when transcribed again: marked ``[tidak terdengar jelas]``
    from ``start`` to ``end`` (seconds of the episode audio) for a person to listen to and fill in."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class TranscribeFacts(StageFacts):
    """How the transcript was made. The Whisper fields stay from the last transcription when the files are only
    regenerated from a hand-corrected VTT (``source = "vtt"``).

    The coverage guarantee's record (absent from journals older than it, so every field has a default):
    ``gaps`` still marked in the transcript; ``uncovered_seconds`` of speech the voice activity detector heard
    that no word covers; ``redecoded`` windows transcribed again, ``recovered_seconds`` of speech they brought
    back and ``redecode_seconds`` they took (with finding the speech)."""

    stage: ClassVar[str] = "transcribe"
    model: str | None = None
    language: str | None = None
    device: str | None = None
    audio_seconds: float | None = None
    speech_seconds: float | None = None
    seconds: float | None = None
    rtf: float | None = None
    guards: GuardCounts | None = None
    source: Literal["whisper", "vtt"] = "whisper"
    vtt_sha256: str = ""
    """The VTT as Cerdas wrote it: a VTT that differs is a hand correction."""
    cues: int = 0
    words: int = 0
    words_fingerprint: str | None = None
    edited_sha256: str | None = None
    gaps: tuple[TranscriptGap, ...] = ()
    uncovered_seconds: float | None = None
    redecoded: int = 0
    recovered_seconds: float = 0.0
    redecode_seconds: float = 0.0
    speakers_sha256: str | None = None
    """The ``speakers.json`` the captions' speakers came from (``None``: none); new speakers lay them out again."""

    @property
    def has_gaps(self) -> bool:
        """Whether the transcript marks speech it could not understand (``cerdas episodes``, the studio)."""
        return bool(self.gaps)


@dataclass(frozen=True)
class SpeakersFacts(StageFacts):
    """Who speaks when (``episodes/<slug>/speakers.json``): found by a diarization engine in the normalised
    audio, or exactly from which track is active (``method = "multitrack"``)."""

    stage: ClassVar[str] = "speakers"
    method: Literal["diarization", "multitrack"] = "diarization"
    engine: str = ""
    speakers: tuple[str, ...] = ()
    """The names in order of first speech."""
    turns: int = 0
    speech_seconds: float = 0.0
    seconds: float = 0.0
    rtf: float = 0.0


@dataclass(frozen=True)
class YouTubeFacts(StageFacts):
    stage: ClassVar[str] = "youtube"
    video_id: str = ""
    state: Literal["done", "waiting"] = "done"
    uploaded_bytes: int = 0


@dataclass(frozen=True)
class FeedFacts(StageFacts):
    stage: ClassVar[str] = "feed"
    episodes: int = 0
    public: bool = False


FACTS: dict[str, type[StageFacts]] = {
    cls.stage: cls
    for cls in (IngestFacts, LoudnessFacts, TagFacts, SpeakersFacts, TranscribeFacts, YouTubeFacts, FeedFacts)
}
"""The facts type of each stage; a stage without an entry records :class:`NoFacts`."""


def facts_from_data(stage: str, raw: Any, where: str) -> StageFacts:
    """The stored ``data`` table of ``stage`` as its facts (the summary is read by the caller)."""
    cls = FACTS.get(stage, NoFacts)
    if isinstance(raw, dict):
        raw = {k: v for k, v in raw.items() if k != "summary"}
    return from_data(cls, raw, where)


@dataclass(frozen=True)
class FeedProblem:
    """Why the last feed build left the episode out (``[feed_problem]`` in ``episode.toml``); the first build
    that carries the episode again removes it. ``since``: when a build first met the problem."""

    reason: str
    since: str = ""


ClipFormat = Literal["vertical", "square", "landscape"]


@dataclass(frozen=True)
class ClipRecord:
    """A clip made by ``cerdas clip`` (``[[clips]]`` in ``episode.toml``; journals older than clips have none):
    its span in seconds of the episode audio (snapped to word boundaries), title, picture format, the files
    written (``video``, ``srt``, ``vtt``: workspace-relative when inside it), the loudness measured on the MP4,
    when it was made and, once uploaded as a YouTube Short, the video id."""

    start: float
    end: float
    title: str = ""
    format: ClipFormat = "vertical"
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    speaker: str = ""
    created: str = ""
    lufs: float | None = None
    true_peak: float | None = None
    short_id: str = ""

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class YouTubeVideo:
    """The episode's video on YouTube, as ``[youtube]`` in ``episode.toml`` (what the feed, site and search
    link to). ``privacy``/``publish_at`` say whether it can be watched yet."""

    video_id: str
    url: str = ""
    uploaded_at: str = ""
    state: str = ""
    captions: bool = False
    thumbnail: bool = False
    playlist_item_id: str = ""
    privacy: str | None = None
    publish_at: str | None = None

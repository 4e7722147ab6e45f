"""The JSON bodies of the studio's API (they also make the OpenAPI schema at ``/api/openapi.json``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Cue(BaseModel):
    start: float = Field(description="seconds from the start of the episode audio")
    end: float
    text: str = Field(description="the cue's text; a line break where the caption wraps")
    speaker: str = Field("", description="who speaks (written as <v Name> in the VTT); empty when unknown")


class TranscriptOut(BaseModel):
    slug: str
    version: str = Field(description="send it back with PUT; a changed file gives another version")
    cues: list[Cue]
    speakers: list[str] = Field(description="the episode's guests, the show's hosts, names in the transcript")
    vocabulary: list[str] = Field(description="the show's terms (whisper.vocabulary)")
    audio: str | None = Field(description="the episode audio for the editor's player")
    duration: float
    words: list[list[Any]] | None = Field(
        None, description="Whisper's words when kept beside the transcript, by time: [start, end, text, probability]"
    )


class TranscriptIn(BaseModel):
    version: str
    cues: list[Cue]


class Chapter(BaseModel):
    start: float
    title: str


class ChaptersOut(BaseModel):
    slug: str
    version: str
    chapters: list[Chapter]
    duration: float


class ChaptersIn(BaseModel):
    version: str
    chapters: list[Chapter]


class MetadataIn(BaseModel):
    """Only what is sent changes; ``version`` is the episode's ``metadata_version``."""

    version: str
    title: str | None = None
    number: int | None = None
    description: str | None = None
    guests: list[str] | None = None
    draft: bool | None = None
    publish_at: str | None = Field(None, description="ISO 8601; local time of the studio machine unless +07:00")
    youtube: bool | None = Field(None, description="upload to YouTube; default: only if already uploaded")


class JobOut(BaseModel):
    id: str
    kind: str
    title: str
    status: str = Field(description="queued, running, done, failed or interrupted")
    slug: str = Field(description="the episode, once known")
    stage: str = Field(description="the stage running now")
    progress: float | None = Field(description="0..1 of the running stage, when it is measured")
    error: str
    created: str
    started: str
    finished: str
    stages: list[dict[str, Any]]
    log: list[str]
    warnings: list[str]
    waiting: str
    retry_of: str
    finished_ok: bool
    can_retry: bool


class Accepted(BaseModel):
    job: JobOut
    version: str | None = Field(None, description="the new version of what was saved")


class Problem(BaseModel):
    detail: str = Field(description="one line: what is wrong and where")

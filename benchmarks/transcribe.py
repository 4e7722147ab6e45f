"""Benchmark: Cerdas's transcribe stage against a bare faster-whisper run with the same model and settings.

    .venv/bin/python benchmarks/transcribe.py [--repeat 2] [--runs 3] [--noise pink:0.02:1]

Makes the sample interview (synthesised Indonesian, espeak-ng) said ``--repeat`` times (2 = about 5 minutes) with
its reference text written as spoken, twice: clean, and with ``--noise`` under it (the noisy interview on which
Whisper base loops). Each is published with transcription off (ingest, loudness, tag); then the transcribe stage
(``transcribe_episode(..., force=True)``, the stage alone) and a bare faster-whisper script alternate on the same
normalised MP3, each in a fresh process, ``--runs`` times. Prints medians: wall time and the overhead ratio (goal
<= 1.05 on the clean clip), real-time factor (goal <= 0.08 on 2 cores, base int8), peak memory (goal <= 1.5 GB),
character error rate against the reference (goal <= 0.25), and the coverage guarantee: seconds of spoken lines
no caption covers (goal: <= 5 s in all, no stretch over 5 s), seconds marked [inaudible], and what transcribing
the lost stretches again cost beside the transcription (goal <= 10 %).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cerdas.devtools.measure import timed  # noqa: E402
from cerdas.devtools.sample import Line, Noise, make_sample, reference_text  # noqa: E402
from cerdas.env import Environment  # noqa: E402
from cerdas.transcribe import models, whisper  # noqa: E402
from cerdas.transcribe.coverage import seconds, subtract  # noqa: E402
from cerdas.transcribe.formats import character_error_rate, is_inaudible  # noqa: E402

STAGE = """
import sys
from pathlib import Path
from cerdas.report import NullReporter
from cerdas.env import Environment
from cerdas.pipeline import Context
from cerdas.transcribe.stage import transcribe_episode
from cerdas.workspace import Workspace
ws = Workspace(Path(sys.argv[1]))
ctx = Context(ws, ws.settings(), NullReporter(), Environment.from_environ())
print(transcribe_episode(ctx, sys.argv[2], force=True).status)
"""
BARE = """
import json, sys, time
from faster_whisper import BatchedInferencePipeline, WhisperModel
model_dir, audio, threads, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
started = time.perf_counter()
segments, info = BatchedInferencePipeline(model).transcribe(
    audio, language="id", batch_size=8, beam_size=5, word_timestamps=True)
segments = list(segments)
text = " ".join(s.text.strip() for s in segments)
seconds = time.perf_counter() - started
spans = [[s.start, s.end, s.text] for s in segments]
with open(out, "w", encoding="utf-8") as fh:
    json.dump({"text": text, "seconds": seconds, "duration": info.duration, "segments": spans}, fh)
"""


def set_enabled(config: Path, enabled: bool) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(
            r"(?m)^enabled = (true|false)(\s+# false: publish skips transcription)",
            rf"enabled = {str(enabled).lower()}\2",
            text,
            count=1,
        ),
        encoding="utf-8",
    )


@dataclass
class Side:
    """One side's runs: wall and CPU seconds, peak memory in MB, real-time factor."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    rtf: list[float] = field(default_factory=list)
    extra: list[float] = field(default_factory=list)  # the coverage guarantee's share of the stage's seconds
    text: str = ""
    cues: list[tuple[float, float, str]] = field(default_factory=list)


def prepare_clip(tmp: Path, name: str, repeat: int, noise: Noise | None) -> tuple[Path, list[Line], Path]:
    """The interview (with noise if given), published without transcription; its normalised MP3."""
    cerdas = str(Path(sys.executable).with_name("cerdas"))
    source = tmp / f"{name}.wav"
    lines = make_sample(source, repeat=repeat, noise=noise)
    ws = tmp / name
    subprocess.run([cerdas, "init", str(ws), "--title", f"Benchmark {name}"], check=True, stdout=subprocess.DEVNULL)
    set_keys(ws / "cerdas.toml", VOCABULARY)
    set_enabled(ws / "cerdas.toml", False)
    subprocess.run(
        [cerdas, "-q", "-w", str(ws), "publish", str(source), "--title", name, "--slug", name, "--no-youtube"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    set_enabled(ws / "cerdas.toml", True)
    audio = ws / "episodes" / name / "work" / "normalised.mp3"
    if not audio.is_file():
        raise SystemExit(f"no normalised audio at {audio}")
    return ws, lines, audio


def set_keys(config: Path, vocabulary: str) -> None:
    """The show's vocabulary, as the sample interview's producer would set it (init starts with none)."""
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^vocabulary = \[\]", f"vocabulary = {vocabulary}", text, count=1), encoding="utf-8")


VOCABULARY = '["Balikpapan", "Inspektorat", "PAKSI", "WBK", "WBBM", "gratifikasi", "integritas"]'


def run_clip(tmp: Path, ws: Path, name: str, audio: Path, runs: int, label: str) -> tuple[Side, Side]:
    """``runs`` alternating runs of the stage and the bare script on one clip."""
    threads = whisper.cpu_count()
    model_dir = models.install_bundled(Environment.from_environ().model_dir)
    stage_script, bare_script = tmp / "stage.py", tmp / "bare.py"
    stage_script.write_text(STAGE, encoding="utf-8")
    bare_script.write_text(BARE, encoding="utf-8")
    bare_out = tmp / "bare.json"
    ours, bare = Side(), Side()
    for run in range(runs):
        wall, cpu, rss = timed([sys.executable, str(stage_script), str(ws), name])
        data = tomllib.loads((ws / "episodes" / name / "episode.toml").read_text(encoding="utf-8"))
        facts = data["stages"]["transcribe"]["data"]
        ours.wall.append(wall)
        ours.cpu.append(cpu)
        ours.rss.append(rss)
        ours.rtf.append(float(facts["rtf"]))
        ours.extra.append(float(facts.get("redecode_seconds", 0.0)) / max(float(facts["seconds"]), 1e-9))
        wall, cpu, rss = timed(
            [sys.executable, str(bare_script), str(model_dir), str(audio), str(threads), str(bare_out)]
        )
        result = json.loads(bare_out.read_text(encoding="utf-8"))
        bare.wall.append(wall)
        bare.cpu.append(cpu)
        bare.rss.append(rss)
        bare.rtf.append(result["seconds"] / result["duration"])
        print(
            f"{label} run {run + 1}: transcribe stage {ours.wall[-1]:.1f} s wall, {ours.cpu[-1]:.1f} s CPU, "
            f"{ours.rss[-1]:.0f} MB; bare faster-whisper {bare.wall[-1]:.1f} s wall, {bare.cpu[-1]:.1f} s CPU, "
            f"{bare.rss[-1]:.0f} MB; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    segments = json.loads((ws / "transcripts" / f"{name}.json").read_text(encoding="utf-8"))["segments"]
    ours.text = " ".join(s["body"] for s in segments if not is_inaudible(s["body"]))
    ours.cues = [(s["startTime"], s["endTime"], s["body"]) for s in segments]
    result = json.loads(bare_out.read_text(encoding="utf-8"))
    bare.text = result["text"]
    bare.cues = [(a, b, t) for a, b, t in result["segments"]]
    return ours, bare


def lost(lines: list[Line], cues: list[tuple[float, float, str]], marks: bool = False) -> list[tuple[float, float]]:
    """Stretches of the spoken lines no caption covers (each caption widened by 0.5 s); with ``marks``, the
    [inaudible] captions count as covering."""
    covering = [(a - 0.5, b + 0.5) for a, b, text in cues if marks or not is_inaudible(text)]
    return subtract([(line.start, line.end) for line in lines], covering)


def report(label: str, lines: list[Line], ours: Side, bare: Side) -> None:
    m = statistics.median
    duration = lines[-1].end
    reference = reference_text(lines)
    print()
    print(f"{label}: {duration:.1f} s of synthesised Indonesian ({len(lines)} lines), base int8, batch 8, beam 5")
    print(f"{'':<34}{'transcribe stage':>18}{'bare faster-whisper':>21}")
    print(f"{'wall time (median)':<34}{m(ours.wall):>16.1f} s{m(bare.wall):>19.1f} s")
    print(f"{'CPU time (median)':<34}{m(ours.cpu):>16.1f} s{m(bare.cpu):>19.1f} s")
    print(f"{'real-time factor (wall)':<34}{m(ours.wall) / duration:>18.3f}{m(bare.wall) / duration:>21.3f}")
    print(f"{'RTF, decode + inference':<34}{m(ours.rtf):>18.3f}{m(bare.rtf):>21.3f}")
    print(f"{'peak memory (median)':<34}{m(ours.rss):>15.0f} MB{m(bare.rss):>18.0f} MB")
    ours_cer, bare_cer = character_error_rate(ours.text, reference), character_error_rate(bare.text, reference)
    print(f"{'CER vs reference':<34}{ours_cer:>18.3f}{bare_cer:>21.3f}")
    ours_lost, bare_lost = lost(lines, ours.cues), lost(lines, bare.cues)
    longest = max((b - a for a, b in ours_lost), default=0.0)
    bare_longest = max((b - a for a, b in bare_lost), default=0.0)
    print(f"{'speech no caption covers':<34}{seconds(ours_lost):>16.1f} s{seconds(bare_lost):>19.1f} s")
    print(f"{'  longest such stretch':<34}{longest:>16.1f} s{bare_longest:>19.1f} s")
    marked = seconds(ours_lost) - seconds(lost(lines, ours.cues, marks=True))
    print(f"{'  of it marked [inaudible]':<34}{marked:>16.1f} s")
    print(f"{'coverage cost / transcription':<34}{m(ours.extra) / max(1e-9, 1 - m(ours.extra)):>17.1%}")
    print(f"overhead ratio stage/bare (median wall): {m(ours.wall) / m(bare.wall):.3f}   (goal <= 1.05, clean)")
    print(f"overhead ratio stage/bare (median CPU time): {m(ours.cpu) / m(bare.cpu):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=2, help="times the sample interview is said (2: ~5 min)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side (medians are reported)")
    parser.add_argument("--noise", type=Noise.parse, default=Noise("pink", 0.02, 1), help="the noisy clip's noise")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cerdas-bench-") as tmp_name:
        tmp = Path(tmp_name)
        results = []
        for name, noise in (("clean", None), ("noisy", args.noise)):
            ws, lines, audio = prepare_clip(tmp, name, args.repeat, noise)
            results.append((name, lines, *run_clip(tmp, ws, name, audio, args.runs, name)))
    for name, lines, ours, bare in results:
        report(f"{name} interview", lines, ours, bare)


if __name__ == "__main__":
    main()

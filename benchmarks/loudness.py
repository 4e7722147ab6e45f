"""Benchmark: Cerdas' normalisation stage against ``ffmpeg-normalize --preset podcast`` on the same interview.

    .venv/bin/python benchmarks/loudness.py [--minutes 30] [--compare-minutes 10] [--runs 1] [--keep DIR]

Makes an uneven two-speaker interview: the bundled sample (two espeak-ng voices 18 dB apart) looped to
``--minutes``, with the whole mix 6 dB quieter every other 5 minutes (a microphone moved). Then, in fresh processes
and alternating the order, ``--runs`` times each:

* ours: the loudness stage's own function (:func:`cerdas.loudness.normalise`: level, normalise, encode MP3 128k,
  measured and corrected on the encoded file), as ``cerdas publish`` runs it;
* reference: ``ffmpeg-normalize IN --preset podcast -c:a libmp3lame -b:a 128k -ar 44100`` (EBU R128 two-pass
  loudnorm at -16 LUFS, the same encoder and bitrate).

Prints medians: wall time and the ratio ours/reference (goal <= 0.25), CPU time (user+sys of the whole process
tree), the integrated loudness / true peak / LRA of each FINAL MP3 measured by ffmpeg's ``ebur128`` and its
distance from -16 LUFS (goal: ours <= 0.3 LU), and the peak RSS of each process tree (sampled every 50 ms, summed
over all its processes). Ours also runs on a ``--compare-minutes`` file: memory must not grow with length.
The machine's load average is printed: on a shared machine wall times are noisy, CPU times much less so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cerdas.devtools.sample import make_sample  # noqa: E402
from cerdas.media.ffmpeg import FFmpeg, Loudness  # noqa: E402
from cerdas.media.loudness import normalise  # noqa: E402
from cerdas.report import NullReporter  # noqa: E402
from cerdas.settings import AudioSettings  # noqa: E402

TARGET = -16.0


@dataclass
class Run:
    wall: float
    cpu: float
    peak_rss_mb: float  # PSS of the process tree
    integrated: float
    true_peak: float
    lra: float
    note: str = ""


def make_interview(out: Path, minutes: float, work: Path) -> Path:
    """The sample interview looped to ``minutes``, every other 5 minutes 6 dB quieter."""
    if out.exists():
        return out
    one = work / "sample-once.wav"
    if not one.exists():
        make_sample(one)
    FFmpeg().run(
        [
            "-y",
            "-stream_loop",
            "-1",
            "-i",
            str(one),
            "-af",
            "volume='if(lt(mod(t,600),300),1,0.5)':eval=frame",
            "-t",
            str(minutes * 60),
            "-c:a",
            "pcm_s16le",
            str(out),
        ],
        source=one,
    )
    return out


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids += [int(k) for k in fh.read().split()]
    except OSError:
        pass
    return kids


def _pss_kb(pid: int) -> int:
    """Proportional set size: resident memory with shared pages (libraries) divided among their users, so a
    sum over processes counts each page once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> int:
    """Resident memory (PSS) of ``pid`` and all its descendants right now."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _pss_kb(current)
        todo += _children(current)
    return total


def timed(cmd: list[str]) -> tuple[float, float, float, str]:
    """Run ``cmd``; wall seconds, CPU seconds of its whole tree, peak tree RSS in MB, stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{err[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 1024, out


def run_ours(source: Path, out: Path) -> Run:
    wall, cpu, rss, stdout = timed([sys.executable, __file__, "--worker", str(source), str(out)])
    info = json.loads(stdout.strip().splitlines()[-1])
    loud = FFmpeg().measure(out)
    note = f"{info['passes']} encode pass(es), probe predicted {info['shift']:+.2f} LU"
    return Run(wall, cpu, rss, loud.integrated, loud.true_peak, loud.lra, note)


def run_reference(source: Path, out: Path) -> Run:
    exe = Path(sys.executable).with_name("ffmpeg-normalize")
    wall, cpu, rss, _ = timed(
        [
            str(exe),
            str(source),
            "--preset",
            "podcast",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            "-ar",
            "44100",
            "-o",
            str(out),
            "-f",
            "-q",
        ]
    )
    loud = FFmpeg().measure(out)
    return Run(wall, cpu, rss, loud.integrated, loud.true_peak, loud.lra)


def worker(source: Path, out: Path) -> None:
    """The loudness stage as publish runs it (minus the journal): level, normalise, encode, measure, correct.

    The source's own measurement belongs to the ingest stage (it validates the recording); the stage only reports
    it, so it is not repeated here. ``main`` times ingest's measurement separately.
    """
    ff = FFmpeg()
    duration = ff.probe(source).duration
    nothing = Loudness(0.0, 0.0, 0.0, 0.0, duration)
    result = normalise(ff, source, out, AudioSettings(), NullReporter(), nothing, duration)
    print(json.dumps({"passes": result.passes, "shift": result.predicted_shift}))


def _median(runs: list[Run], field: str) -> float:
    return float(statistics.median(float(getattr(r, field)) for r in runs))


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--compare-minutes", type=float, default=10.0, help="a shorter file for the memory check")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep inputs and outputs here (reused by later runs)")
    parser.add_argument("--worker", nargs=2, type=Path, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return

    with tempfile.TemporaryDirectory(prefix="cerdas-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"load average at start: {_load()} ({os.cpu_count()} CPUs)")
        long = make_interview(work / f"interview-{args.minutes:g}min.wav", args.minutes, work)
        short = make_interview(work / f"interview-{args.compare_minutes:g}min.wav", args.compare_minutes, work)
        started = time.perf_counter()
        source = FFmpeg().measure(long, check_errors=True)  # what the ingest stage does before this stage
        ingest = time.perf_counter() - started
        print(
            f"input: {long.name}, {source.duration / 60:.1f} min, {source.integrated:.1f} LUFS, "
            f"true peak {source.true_peak:.1f} dBTP, LRA {source.lra:.1f} LU "
            f"(ingest's full decode and measurement, not counted below: {ingest:.1f} s)"
        )

        ours: list[Run] = []
        reference: list[Run] = []
        for run_no in range(args.runs):
            order = [("ours", run_ours, ours), ("ffmpeg-normalize", run_reference, reference)]
            for name, fn, sink in order if run_no % 2 == 0 else order[::-1]:
                result = fn(long, work / f"{name}-{run_no}.mp3")
                sink.append(result)
                print(
                    f"  run {run_no + 1} {name:<16} {result.wall:6.1f} s wall {result.cpu:6.1f} s CPU "
                    f"{result.peak_rss_mb:5.0f} MB  {result.integrated:6.1f} LUFS {result.true_peak:5.1f} dBTP "
                    f"LRA {result.lra:4.1f}  {result.note}",
                    flush=True,
                )
        short_run = run_ours(short, work / "ours-short.mp3")

        print(f"\nmedians over {args.runs} run(s), {args.minutes:g}-minute interview (load average now {_load()}):")
        print(f"{'':<18}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{'LUFS':>8}{'|Δ-16|':>8}{'dBTP':>7}{'LRA':>6}")
        for name, runs in (("ours", ours), ("ffmpeg-normalize", reference)):
            i = _median(runs, "integrated")
            print(
                f"{name:<18}{_median(runs, 'wall'):8.1f}{_median(runs, 'cpu'):8.1f}"
                f"{_median(runs, 'peak_rss_mb'):9.0f}{i:8.2f}{abs(i - TARGET):8.2f}"
                f"{_median(runs, 'true_peak'):7.1f}{_median(runs, 'lra'):6.1f}"
            )
        wall_ratio = _median(ours, "wall") / _median(reference, "wall")
        cpu_ratio = _median(ours, "cpu") / _median(reference, "cpu")
        distance = abs(_median(ours, "integrated") - TARGET)
        print(f"\nwall-time ratio ours/reference: {wall_ratio:.3f} (goal <= 0.25)  CPU-time ratio: {cpu_ratio:.3f}")
        print(
            f"ours from -16 LUFS: {distance:.2f} LU (goal <= 0.3); "
            f"reference: {abs(_median(reference, 'integrated') - TARGET):.2f} LU"
        )
        print(
            f"memory, ours: {short_run.peak_rss_mb:.0f} MB on {args.compare_minutes:g} min, "
            f"{_median(ours, 'peak_rss_mb'):.0f} MB on {args.minutes:g} min "
            f"({short_run.wall:.1f} s wall, {short_run.integrated:.2f} LUFS on the short file)"
        )


if __name__ == "__main__":
    main()

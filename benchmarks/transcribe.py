"""Benchmark: ``cerdas transcribe`` against a bare faster-whisper run with the same model and settings.

    .venv/bin/python benchmarks/transcribe.py [--repeat 2] [--runs 3]

Makes the sample interview (synthesised Indonesian, espeak-ng) said ``--repeat`` times (2 = about 5 minutes) with
its reference text written as spoken, publishes it with transcription off (ingest, loudness, tag), then alternates
``cerdas transcribe SLUG --force`` and a bare faster-whisper script on the same normalised MP3, each in a fresh
process, ``--runs`` times. Prints medians: wall time and the overhead ratio (goal <= 1.05), real-time factor
(goal <= 0.08 on 2 cores, base int8), peak memory (goal <= 1.5 GB) and character error rate against the
reference (goal <= 0.25).
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cerdas.devtools.sample import make_sample, reference_text  # noqa: E402
from cerdas.env import Environment  # noqa: E402
from cerdas.transcribe import models, whisper  # noqa: E402
from cerdas.transcribe.formats import character_error_rate  # noqa: E402

BARE = """
import json, sys, time
from faster_whisper import BatchedInferencePipeline, WhisperModel
model_dir, audio, threads, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
started = time.perf_counter()
segments, info = BatchedInferencePipeline(model).transcribe(
    audio, language="id", batch_size=8, beam_size=5, word_timestamps=True)
text = " ".join(s.text.strip() for s in segments)
seconds = time.perf_counter() - started
with open(out, "w", encoding="utf-8") as fh:
    json.dump({"text": text, "seconds": seconds, "duration": info.duration}, fh)
"""


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """Run ``cmd``; its wall time and CPU time (user + system) in seconds and its peak RSS in MB (wait4).

    CPU time is reported beside wall time because it barely moves when other work shares the machine."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=2, help="times the sample interview is said (2: ~5 min)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side (medians are reported)")
    args = parser.parse_args()
    cerdas = str(Path(sys.executable).with_name("cerdas"))
    threads = whisper.cpu_count()
    model_dir = models.install_bundled(Environment.from_environ().model_dir)

    with tempfile.TemporaryDirectory(prefix="cerdas-bench-") as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "wawancara.wav"
        lines = make_sample(source, repeat=args.repeat)
        reference = reference_text(lines)
        ws = tmp / "show"
        subprocess.run(
            [cerdas, "init", str(ws), "--title", "Podcast Cerdas (benchmark)"], check=True, stdout=subprocess.DEVNULL
        )
        set_enabled(ws / "cerdas.toml", False)
        subprocess.run(
            [
                cerdas,
                "-q",
                "-w",
                str(ws),
                "publish",
                str(source),
                "--title",
                "Benchmark",
                "--slug",
                "benchmark",
                "--no-youtube",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        set_enabled(ws / "cerdas.toml", True)
        audio = ws / "episodes" / "benchmark" / "work" / "normalised.mp3"
        if not audio.is_file():
            raise SystemExit(f"no normalised audio at {audio}")
        duration = lines[-1].end
        bare_script = tmp / "bare.py"
        bare_script.write_text(BARE, encoding="utf-8")
        bare_out = tmp / "bare.txt"

        ours_wall, ours_cpu, ours_rss, ours_rtf, bare_wall, bare_cpu, bare_rss, bare_rtf = ([] for _ in range(8))
        for run in range(args.runs):
            wall, cpu, rss = timed([cerdas, "-q", "-w", str(ws), "transcribe", "benchmark", "--force"])
            episode = (ws / "episodes" / "benchmark" / "episode.toml").read_text(encoding="utf-8")
            rtf = float(re.search(r"(?m)^rtf = ([\d.]+)", episode).group(1))  # type: ignore[union-attr]
            ours_wall.append(wall)
            ours_cpu.append(cpu)
            ours_rss.append(rss)
            ours_rtf.append(rtf)
            wall, cpu, rss = timed(
                [sys.executable, str(bare_script), str(model_dir), str(audio), str(threads), str(bare_out)]
            )
            bare = json.loads(bare_out.read_text(encoding="utf-8"))
            bare_wall.append(wall)
            bare_cpu.append(cpu)
            bare_rss.append(rss)
            bare_rtf.append(bare["seconds"] / bare["duration"])
            print(
                f"run {run + 1}: cerdas transcribe {ours_wall[-1]:.1f} s wall, {ours_cpu[-1]:.1f} s CPU, "
                f"{ours_rss[-1]:.0f} MB; bare faster-whisper {bare_wall[-1]:.1f} s wall, {bare_cpu[-1]:.1f} s CPU, "
                f"{bare_rss[-1]:.0f} MB; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )

        segments = json.loads((ws / "transcripts" / "benchmark.json").read_text(encoding="utf-8"))["segments"]
        ours_text = " ".join(s["body"] for s in segments)
        bare_text = json.loads(bare_out.read_text(encoding="utf-8"))["text"]

    m = statistics.median
    print()
    print(
        f"clip: {duration:.1f} s of synthesised Indonesian ({len(lines)} lines), {threads} CPU threads, base int8,"
        f" batch 8, beam 5, word timestamps"
    )
    print(f"{'':<28}{'cerdas transcribe':>18}{'bare faster-whisper':>21}")
    print(f"{'wall time (median)':<28}{m(ours_wall):>16.1f} s{m(bare_wall):>19.1f} s")
    print(f"{'CPU time (median)':<28}{m(ours_cpu):>16.1f} s{m(bare_cpu):>19.1f} s")
    print(f"{'real-time factor (wall)':<28}{m(ours_wall) / duration:>18.3f}{m(bare_wall) / duration:>21.3f}")
    print(f"{'RTF, decode + inference':<28}{m(ours_rtf):>18.3f}{m(bare_rtf):>21.3f}")
    print(f"{'peak memory (median)':<28}{m(ours_rss):>15.0f} MB{m(bare_rss):>18.0f} MB")
    ours_cer, bare_cer = character_error_rate(ours_text, reference), character_error_rate(bare_text, reference)
    print(f"{'CER vs reference':<28}{ours_cer:>18.3f}{bare_cer:>21.3f}")
    print(f"overhead ratio cerdas/bare (median wall): {m(ours_wall) / m(bare_wall):.3f}   (goal <= 1.05)")
    print(f"overhead ratio cerdas/bare (median CPU time): {m(ours_cpu) / m(bare_cpu):.3f}   (goal <= 1.05)")
    print(f"real-time factor, decoding + inference only (median): {m(ours_rtf):.3f}   (goal <= 0.08)")
    print(f"peak memory: {max(ours_rss) / 1024:.2f} GB at most   (goal <= 1.5 GB)")
    print(f"character error rate: {ours_cer:.3f}   (goal <= 0.25)")


if __name__ == "__main__":
    main()

"""Benchmark: render a 60-second vertical clip, and suggest clips on a 2-hour transcript.

Render: a generated 70-second episode is published through the real pipeline (Whisper off, a words file laid
out as the transcribe stage writes it); each run renders the clip 0:03-1:03 as ``cerdas clip`` does (audio at
-14 LUFS measured and corrected, artwork, title, speaker, waveform, progress bar, karaoke captions burned in by
libass, H.264 + AAC 1080×1920 at 25 frames a second). The floor, in the same invocation: a plain ffmpeg render of
the same 60 s of the same audio over a still picture of the same size and frame rate (``-loop 1``, x264
``veryfast -tune stillimage``, AAC), what one would write by hand. Printed: real-time factor (goal ≤ 0.5 on 2
cores) and the ratio to the floor.

Suggest: the words of a generated 2-hour interview (two speakers); printed: seconds per ``suggest`` call
(goal ≤ 1 s).

    .venv/bin/python benchmarks/clips.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cerdas.clips.make import ClipRequest, make_clip  # noqa: E402
from cerdas.clips.picture import LAYOUTS, background  # noqa: E402
from cerdas.clips.suggest import suggest  # noqa: E402
from cerdas.pipeline import Context  # noqa: E402
from tests.clips_support import SLUG, VOCABULARY, generated_words, published_episode  # noqa: E402

CLIP = (3.0, 63.0)


def floor_render(audio: Path, picture: Path, target: Path, start: float, seconds: float) -> float:
    """The plain still-image render of the same audio; returns its wall time."""
    began = time.perf_counter()
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y", "-loop", "1", "-framerate", "25", "-i", str(picture),
            "-ss", f"{start:.3f}", "-t", f"{seconds:.3f}", "-i", str(audio),
            "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", "-t", f"{seconds:.3f}", "-shortest", str(target),
        ],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cerdas-bench-clips-") as tmp:
        ws = published_episode(Path(tmp), seconds=70.0)
        ctx = Context(workspace=ws, settings=ws.settings())
        picture = Path(tmp) / "still.png"
        background(LAYOUTS["vertical"], ctx.settings.artwork_path, ctx.settings.show.title, "Judul").save(picture)
        audio = ws.normalised_audio(SLUG)
        clip_times, floor_times, spans = [], [], []
        for run in range(args.runs):
            began = time.perf_counter()
            result = make_clip(ctx, ClipRequest(SLUG, str(CLIP[0]), str(CLIP[1])))
            clip_times.append(time.perf_counter() - began)
            spans.append(result.span.duration)
            floor_times.append(floor_render(audio, picture, Path(tmp) / f"floor-{run}.mp4", *CLIP[:1], 60.0))
            print(
                f"run {run + 1}: clip {clip_times[-1]:.1f} s for {spans[-1]:.1f} s "
                f"({result.record.lufs} LUFS, {result.record.true_peak} dBTP), floor {floor_times[-1]:.1f} s"
            )
    words = generated_words(7200.0)
    suggest_times = []
    for _ in range(max(3, args.runs)):
        began = time.perf_counter()
        found = suggest(words, tuple(VOCABULARY), 5)
        suggest_times.append(time.perf_counter() - began)
    clip_s, floor_s, span = (statistics.median(v) for v in (clip_times, floor_times, spans))
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
    print(
        f"60 s vertical clip: median {clip_s:.1f} s, real-time factor {clip_s / span:.3f} (goal <= 0.5); "
        f"plain still-image render {floor_s:.1f} s (RTF {floor_s / 60:.3f}); clip / floor = {clip_s / floor_s:.2f}"
    )
    print(
        f"suggest on a 2-hour transcript ({len(words)} words): median {statistics.median(suggest_times):.3f} s "
        f"(goal <= 1 s), {len(found)} moments"
    )


if __name__ == "__main__":
    main()

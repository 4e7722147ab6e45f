"""Benchmark: upload a 1 GB file to the YouTube emulator, and render a 60-minute episode to MP4.

Upload: the emulator runs in its own process (hashing, not storing, the bytes); each upload runs in a fresh child
process that builds the real client, then resets its peak-RSS counter (``/proc/self/clear_refs``) and uploads with
the production code (journal, retry loop, 8 MiB chunks). Printed: throughput and peak memory above that baseline
(goal: flat, under 150 MB), against a reference in the same invocation: reading the same file through sha256 and a
plain file copy.

Render: a generated 60-minute stereo MP3 (128 kb/s) rendered as publish does (artwork, title, waveform, H.264 +
AAC). Printed: the real-time factor (goal ≤ 0.05 on 2 cores) and the ratio to encoding the AAC track alone.

    .venv/bin/python benchmarks/youtube.py [--size-mb 1024] [--runs 3] [--render-minutes 60] [--render-runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child_upload(path: str, chunk_mib: int) -> None:
    """One upload in this fresh process; prints JSON."""
    from cerdas.env import Environment
    from cerdas.youtube import auth
    from cerdas.youtube.upload import Backoff, Journal, upload_video

    yt = auth.connect(Environment.from_environ()).youtube  # the child's environment names the emulator
    yt.my_channel()  # warm: imports, TLS-free connection, token refresh done before measuring
    journal = Journal(Path(path).with_suffix(".journal.json"))
    journal.path.unlink(missing_ok=True)
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    baseline = _status_kb("VmRSS")
    start = time.perf_counter()
    body = {"snippet": {"title": "Benchmark", "categoryId": "25"}, "status": {"privacyStatus": "private"}}
    upload_video(yt, journal, Path(path), body, chunk_mib * 1024 * 1024, Backoff())
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "baseline_mb": baseline / 1024,
                "peak_above_mb": (_status_kb("VmHWM") - baseline) / 1024,
            }
        )
    )


def child_read(path: str) -> None:
    import hashlib

    Path("/proc/self/clear_refs").write_text("5")
    baseline = _status_kb("VmRSS")
    start = time.perf_counter()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    print(
        json.dumps({"seconds": time.perf_counter() - start, "peak_above_mb": (_status_kb("VmHWM") - baseline) / 1024})
    )


def _child(*args: str, env: dict[str, str] | None = None) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def make_file(path: Path, size: int) -> None:
    block = os.urandom(8 << 20)
    with open(path, "wb") as fh:
        left = size
        while left > 0:
            fh.write(block[: min(left, len(block))])
            left -= len(block)


def bench_upload(tmp: Path, size_mb: int, runs: int, chunk_mib: int) -> None:
    size = size_mb * 1024 * 1024
    data = tmp / "upload.bin"
    make_file(data, size)
    url_file, token = tmp / "emulator.url", tmp / "home" / "token.json"
    emulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cerdas.devtools.emulator",
            "--port",
            "0",
            "--no-store",
            "--quota",
            str(10**9),
            "--port-file",
            str(url_file),
            "--write-token",
            str(token),
            "--state",
            str(tmp / "emulator"),
        ],
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            if url_file.exists() and url_file.read_text().strip():
                break
            time.sleep(0.05)
        env = dict(os.environ, CERDAS_YOUTUBE_ENDPOINT=url_file.read_text().strip(), CERDAS_YOUTUBE_TOKEN=str(token))
        uploads = [_child("upload", str(data), str(chunk_mib), env=env) for _ in range(runs)]
        reads = [_child("read", str(data)) for _ in range(runs)]
        copies = []
        for _ in range(runs):
            start = time.perf_counter()
            shutil.copyfile(data, tmp / "copy.bin")
            copies.append(time.perf_counter() - start)
            (tmp / "copy.bin").unlink()
    finally:
        emulator.terminate()
        emulator.wait()
    up = statistics.median(u["seconds"] for u in uploads)
    peak = statistics.median(u["peak_above_mb"] for u in uploads)
    rd = statistics.median(r["seconds"] for r in reads)
    cp = statistics.median(copies)
    mb = size / 1e6
    peaks = ", ".join(f"{u['peak_above_mb']:.1f}" for u in uploads)
    print(f"upload {size_mb} MiB in {chunk_mib} MiB chunks to the emulator, median of {runs}:")
    print(
        f"  upload          {up:7.2f} s  {mb / up:7.1f} MB/s  peak memory above baseline {peak:6.1f} MB (runs: {peaks})"
    )
    print(f"  reference read  {rd:7.2f} s  {mb / rd:7.1f} MB/s  (sha256 of the file)")
    print(f"  reference copy  {cp:7.2f} s  {mb / cp:7.1f} MB/s  (shutil.copyfile)")
    print(
        f"  ratio upload/read {up / rd:.2f}, upload/copy {up / cp:.2f}; peak memory goal < 150 MB: "
        f"{'met' if peak < 150 else 'MISSED'}"
    )


def bench_render(tmp: Path, minutes: float, runs: int) -> None:
    from cerdas.artwork import make_placeholder
    from cerdas.media.ffmpeg import FFmpeg
    from cerdas.youtube.video import Frame, render_still

    ff = FFmpeg()
    audio = tmp / "episode.mp3"
    seconds = minutes * 60
    graph = (
        "anoisesrc=color=pink:amplitude=0.4:seed=3,bandpass=f=700:width_type=q:w=0.7,"
        "volume='0.3+0.7*abs(sin(2*PI*2.3*t))':eval=frame"
    )
    ff.run(
        ["-f", "lavfi", "-i", graph, "-ac", "2", "-ar", "44100", "-t", str(seconds), "-b:a", "128k", "-y", str(audio)],
        source=audio,
    )
    art = tmp / "art.png"
    make_placeholder(art, "Podcast Cerdas")
    frame = Frame(art, "Cerita Integritas: Menolak Gratifikasi", "Podcast Cerdas", "Ibu Ratna (Auditor)", True)
    renders, aac = [], []
    for _ in range(runs):
        start = time.perf_counter()
        render_still(audio, frame, tmp / "episode.mp4", ff)
        renders.append(time.perf_counter() - start)
        start = time.perf_counter()
        ff.run(
            ["-i", str(audio), "-map", "0:a:0", "-c:a", "aac", "-b:a", "192k", "-y", str(tmp / "aac.m4a")], source=audio
        )
        aac.append(time.perf_counter() - start)
    render_s, aac_s = statistics.median(renders), statistics.median(aac)
    size = (tmp / "episode.mp4").stat().st_size / 1e6
    print(
        f"render a {minutes:.0f}-minute episode to MP4 (1280x720, 1 fps, waveform + title), median of {runs}, "
        f"{os.cpu_count()} cores:"
    )
    print(f"  render          {render_s:7.1f} s  real-time factor {render_s / seconds:.4f}  ({size:.0f} MB)")
    print(f"  reference AAC   {aac_s:7.1f} s  real-time factor {aac_s / seconds:.4f}  (audio track alone)")
    print(
        f"  ratio render/AAC-only {render_s / aac_s:.2f}; goal RTF <= 0.05: "
        f"{'met' if render_s / seconds <= 0.05 else 'MISSED'}"
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        if sys.argv[2] == "upload":
            child_upload(sys.argv[3], int(sys.argv[4]))
        else:
            child_read(sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--chunk-mib", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--render-minutes", type=float, default=60.0)
    parser.add_argument("--render-runs", type=int, default=1)
    parser.add_argument("--skip-upload", action="store_true")
    parser.add_argument("--skip-render", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cerdas-bench-youtube-") as tmp:
        if not args.skip_upload:
            bench_upload(Path(tmp), args.size_mb, args.runs, args.chunk_mib)
        if not args.skip_render:
            bench_render(Path(tmp), args.render_minutes, args.render_runs)


if __name__ == "__main__":
    main()

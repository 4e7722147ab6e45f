"""Benchmark: Cerdas Studio on a 2-hour transcript and a 1 GB upload.

1. **Editor interactive**: headless Chromium opens the transcript editor of an episode whose transcript is a
   generated 2 hours in about 1,500 cues; the time from navigation until the editor has drawn every cue and
   can be used (``data-ready``). Goal ≤ 1.5 s. Reference: the public episode page of the same transcript.
2. **Save to site**: a corrected cue saved through the API until the rebuild job is done (SRT/JSON/TXT, feed and
   site, search index). Goal ≤ 1.2 × the reference, ``cerdas feed`` alone (a process, as a producer runs it).
3. **Upload**: a 1 GB WAV through ``POST /api/episodes`` (streamed multipart) until the job is answered:
   throughput, and the studio process's peak memory above its baseline (goal ≤ 100 MB). Reference: copying the
   file on the same disk.

The episode is a real 20-second publish whose journal then says 2 hours (the editor, feed and search never read
the audio's length from the file), so the setup takes seconds instead of the minutes a 2-hour encode would.

    .venv/bin/python benchmarks/studio.py [--runs 5] [--cues 1500] [--upload-mb 1024]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOURS = 2.0
CERDAS = [sys.executable, "-c", "from cerdas.cli.main import main; main()"]


def setup(folder: Path, cues: int) -> tuple[Any, str]:
    """A workspace with one published episode carrying a generated 2-hour transcript of ``cues`` cues."""
    from cerdas.episode import load_episode, save_episode
    from cerdas.facts import TagFacts
    from cerdas.pipeline import Context
    from cerdas.publish import PublishRequest, publish
    from cerdas.transcribe.formats import Segment, to_vtt
    from cerdas.workspace import init_workspace
    from tests.media import uneven_speech
    from tests.workspace_support import set_keys

    ws = init_workspace(folder / "show", "Podcast Cerdas", "Cerita integritas.", "Inspektorat", "podcast@example.go.id")
    set_keys(ws, "whisper", enabled=False)
    source = uneven_speech(folder / "rekaman.wav", seconds=20)
    result = publish(PublishRequest(source, "Dua jam tentang gratifikasi"), Context(ws, ws.settings(), youtube=False))
    slug = result.episode.slug
    words = ["gratifikasi", "integritas", "pelaporan", "inspektorat", "pengaduan", "zona", "wilayah", "bebas"]
    step = HOURS * 3600 / cues
    segments = []
    for i in range(cues):
        text = " ".join(words[(i + k) % len(words)] for k in range(9)).capitalize() + "."
        segments.append(Segment(round(i * step, 3), round(i * step + step - 0.2, 3), text, "Rina" if i % 2 else "Budi"))
    ws.transcript(slug, "vtt").write_text(to_vtt(segments), encoding="utf-8")
    episode = load_episode(ws, slug)
    tag = episode.stages["tag"]
    assert isinstance(tag.facts, TagFacts)
    episode.stages["tag"] = replace(tag, facts=replace(tag.facts, duration=HOURS * 3600))
    save_episode(ws, episode)
    subprocess.run([*CERDAS, "-w", str(ws.root), "-q", "transcribe", slug,
                    "--from-vtt"], check=True, capture_output=True)  # fmt: skip
    cerdas_feed(ws.root)
    return ws, slug


def cerdas_feed(root: Path) -> float:
    started = time.monotonic()
    subprocess.run([*CERDAS, "-w", str(root), "-q", "feed"], check=True,
                   capture_output=True)  # fmt: skip
    return time.monotonic() - started


def ready_ms(browser: Any, url: str) -> float:
    page = browser.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    value = float(page.evaluate("Number(document.body.dataset.readyMs)"))
    page.close()
    return value


def load_ms(browser: Any, url: str) -> float:
    page = browser.new_page()
    page.goto(url, wait_until="load")
    value = float(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
    page.close()
    return value


def editor(studio: Any, ws: Any, slug: str, runs: int, cues: int) -> None:
    from tests.browser import launch_chromium
    from tests.studio_support import StudioClient

    client = StudioClient(studio.url)
    site = subprocess.Popen([*CERDAS, "-w", str(ws.root), "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    assert site.stdout is not None
    site_url = site.stdout.readline().split(" at ")[1].split()[0]
    with launch_chromium() as browser:
        ready_ms(browser, f"{studio.url}episodes/{slug}/transcript")  # warm-up: caches, JIT
        editor_ms = [ready_ms(browser, f"{studio.url}episodes/{slug}/transcript") for _ in range(runs)]
        page_ms = [load_ms(browser, f"{site_url}episodes/{slug}/") for _ in range(runs)]
    site.terminate()
    site.wait()
    drawn = len(client.get(f"/api/episodes/{slug}/transcript").json()["cues"])
    e, p = statistics.median(editor_ms), statistics.median(page_ms)
    print(f"editor interactive with {drawn} cues ({HOURS:.0f} h), median of {runs}: {e / 1000:.2f} s (goal <= 1.5 s)")
    print(f"  reference: the public episode page of the same transcript loads in {p / 1000:.2f} s; ratio {e / p:.2f}")
    client.close()
    assert drawn == cues


def save_to_site(studio: Any, ws: Any, slug: str, runs: int) -> None:
    from tests.studio_support import StudioClient

    client = StudioClient(studio.url)
    saves, feeds = [], []
    parts: dict[str, list[float]] = {}
    for run in range(runs):
        data = client.get(f"/api/episodes/{slug}/transcript").json()
        data["cues"][run]["text"] = f"Koreksi nomor {run}: gratifikasi wajib dilaporkan."
        started = time.monotonic()
        answer = client.put(f"/api/episodes/{slug}/transcript", json={"version": data["version"], "cues": data["cues"]})
        job = client.wait(answer.json()["job"]["id"])
        saves.append(time.monotonic() - started)
        assert job["status"] == "done", job
        for stage in job["stages"]:
            if stage["seconds"] is not None:
                parts.setdefault(stage["name"], []).append(stage["seconds"])
        page = (ws.feed_dir / "episodes" / slug / "index.html").read_text(encoding="utf-8")
        assert f"Koreksi nomor {run}" in page
        feeds.append(cerdas_feed(ws.root))
    s, f = statistics.median(saves), statistics.median(feeds)
    print(f"save -> rebuilt site (SRT/JSON/TXT, feed + site, search), median of {runs}: {s:.2f} s")
    print(f"  reference 'cerdas feed' alone: {f:.2f} s; ratio {s / f:.2f} (goal <= 1.2)")
    print("  the job's stages: " + ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in parts.items()))
    client.close()


def big_wav(path: Path, megabytes: int) -> Path:
    """A valid PCM WAV of about ``megabytes`` MB (noise blocks; ffprobe and the container check accept it)."""
    import random

    rate, channels, width = 44100, 2, 2
    data = megabytes * 1024 * 1024
    header = b"RIFF" + (36 + data).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
    header += (1).to_bytes(2, "little") + channels.to_bytes(2, "little") + rate.to_bytes(4, "little")
    header += (rate * channels * width).to_bytes(4, "little") + (channels * width).to_bytes(2, "little")
    header += (8 * width).to_bytes(2, "little") + b"data" + data.to_bytes(4, "little")
    block = random.Random(1).randbytes(1 << 20)
    with open(path, "wb") as fh:
        fh.write(header)
        for _ in range(megabytes):
            fh.write(block)
    return path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sample(pid: int, done: threading.Event, peak: list[float]) -> None:
    """Record the process's resident memory every 50 ms until ``done``."""
    while not done.is_set():
        peak.append(rss_mb(pid))
        time.sleep(0.05)


def multipart(path: Path, boundary: str) -> tuple[int, Iterator[bytes]]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nUnggahan besar\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="besar.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                yield chunk
        yield tail

    return len(head) + path.stat().st_size + len(tail), body()


def upload(ws: Any, folder: Path, megabytes: int, runs: int) -> None:
    from tests.studio_support import StudioClient, start_studio, stop_studio

    source = big_wav(folder / "besar.wav", megabytes)
    size = source.stat().st_size
    results, copies = [], []
    for _ in range(runs):
        studio = start_studio(ws, folder / "home-upload")
        client = StudioClient(studio.url)
        time.sleep(1.0)
        baseline = rss_mb(studio.process.pid)
        peak = [baseline]
        done = threading.Event()

        sampler = threading.Thread(target=sample, args=(studio.process.pid, done, peak))
        sampler.start()
        length, body = multipart(source, "cerdasbench")
        headers = {**client.headers(), "Content-Type": "multipart/form-data; boundary=cerdasbench",
                   "Content-Length": str(length)}  # fmt: skip
        started = time.monotonic()
        answer = client.http.post("/api/episodes", content=body, headers=headers)
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
        assert answer.status_code == 202, answer.text
        stop_studio(studio, kill=True)  # the publish job it queued is not what is measured
        client.close()
        results.append((seconds, max(peak) - baseline))
        for leftover in (ws.recordings_dir, ws.studio_dir):
            shutil.rmtree(leftover, ignore_errors=True)
        started = time.monotonic()
        shutil.copyfile(source, folder / "copy.wav")
        os.sync()
        copies.append(time.monotonic() - started)
        (folder / "copy.wav").unlink()
    up = statistics.median(s for s, _ in results)
    above = statistics.median(m for _, m in results)
    cp = statistics.median(copies)
    print(f"upload {size / 1e9:.2f} GB through POST /api/episodes, median of {runs}: {up:.1f} s, "
          f"{size / up / 1e6:.0f} MB/s; studio memory above its baseline {above:.1f} MB (goal <= 100 MB)")  # fmt: skip
    print(
        f"  reference: copying the file on the same disk {cp:.1f} s ({size / cp / 1e6:.0f} MB/s); ratio {up / cp:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--upload-runs", type=int, default=3)
    parser.add_argument("--cues", type=int, default=1500)
    parser.add_argument("--upload-mb", type=int, default=1024)
    args = parser.parse_args()
    from tests.studio_support import running_studio

    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="cerdas-bench-studio-") as tmp:
        folder = Path(tmp)
        ws, slug = setup(folder, args.cues)
        with running_studio(ws, folder / "home") as studio:
            editor(studio, ws, slug, args.runs, args.cues)
            save_to_site(studio, ws, slug, args.runs)
        upload(ws, folder, args.upload_mb, args.upload_runs)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Generated interviews with known speaker turns, for tests and benchmarks of speaker detection.

espeak-ng voices of different pitch, speed and variant take turns of 3-20 seconds (one voice much quieter than
the others), with short pauses between turns. The result is written as one mixed recording (single-track) and,
for multitrack, as one file per speaker in which the other voices leak in ("bleed", as from a neighbour's
microphone) over a little room noise. The turn times are measured on the synthesised speech itself, so they are
the truth a diarization is scored against.

``python -m cerdas.devtools.interview OUT.wav [--speakers 2] [--minutes 10] [--tracks DIR] [--turns FILE]``
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import tempfile
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from cerdas.errors import CerdasError
from cerdas.media.ffmpeg import FFmpeg

RATE = 22050  # espeak-ng's own rate; the files are written at 44.1 kHz
BLEED_DB = -24.0  # how loud another speaker is in a speaker's own microphone
NOISE_DBFS = -66.0  # room noise in each microphone


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice: variant, pitch (0-99), words per minute, and the level it is mixed at (dB)."""

    name: str
    variant: str
    pitch: int
    wpm: int
    gain_db: float


VOICES: tuple[Voice, ...] = (
    Voice("Silvia Rahmadina", "id+f2", 70, 150, -3.0),
    Voice("Puspita Hanum", "id+m3", 30, 132, -21.0),  # the much quieter guest
    Voice("Bagus Prakoso", "id+klatt2", 45, 175, -8.0),
    Voice("Dewi Lestari", "id+f4", 85, 160, -6.0),
)

SENTENCES: tuple[str, ...] = (
    "Selamat datang di Podcast Cerdas, cerita integritas dari Inspektorat Kota Balikpapan.",
    "Hari ini kita berbincang tentang gratifikasi dalam pelayanan publik.",
    "Terima kasih atas undangannya, saya senang bisa berbagi pengalaman.",
    "Banyak pegawai masih bingung, sebenarnya apa yang dimaksud dengan gratifikasi?",
    "Gratifikasi adalah pemberian dalam arti luas kepada pegawai negeri.",
    "Bentuknya bisa uang, barang, diskon, tiket perjalanan, atau fasilitas lainnya.",
    "Pemberian itu dianggap suap apabila berhubungan dengan jabatan penerimanya.",
    "Jadi bingkisan hari raya dari rekanan kantor juga termasuk gratifikasi?",
    "Betul, kalau pemberinya punya kepentingan dengan pekerjaan kita, sebaiknya ditolak.",
    "Apakah Ibu pernah mengalami sendiri tawaran seperti itu?",
    "Setelah pemeriksaan sebuah proyek pengadaan, ada amplop di dalam map laporan.",
    "Saya kembalikan hari itu juga, lalu saya laporkan kepada unit pengendalian gratifikasi.",
    "Kepercayaan masyarakat jauh lebih mahal daripada isi amplop mana pun.",
    "Sekarang banyak unit kerja membangun zona integritas menuju wilayah bebas korupsi.",
    "Layanan yang cepat, transparan, dan tanpa pungutan liar adalah tujuannya.",
    "Setiap pegawai bisa mulai dari hal kecil, misalnya menolak titipan.",
    "Integritas adalah pilihan yang kita buat setiap hari, bahkan ketika tidak ada yang melihat.",
    "Bagaimana masyarakat bisa melaporkan dugaan pungutan liar?",
    "Laporan bisa disampaikan lewat kanal pengaduan resmi, dan identitas pelapor dirahasiakan.",
    "Menurut Bapak, apa tantangan terbesar dalam pengawasan internal?",
    "Tantangannya adalah budaya sungkan, orang merasa tidak enak menolak pemberian.",
    "Kami juga rutin mengadakan sosialisasi di setiap kecamatan dan kelurahan.",
    "Baik, kita lanjutkan ke pertanyaan berikutnya dari para pendengar.",
    "Sampai jumpa di episode berikutnya dari Podcast Cerdas.",
)


@dataclass(frozen=True)
class Turn:
    """One speaker's turn: seconds from the start of the recording, the speaker's name, what was said."""

    speaker: str
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Interview:
    """What was generated: the mix, one file per speaker (when asked for), the known turns."""

    mix: Path
    tracks: tuple[Path, ...]
    turns: tuple[Turn, ...]
    speakers: tuple[str, ...]
    duration: float


def _espeak(text: str, voice: Voice, out: Path) -> np.ndarray:
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise CerdasError("espeak-ng is not installed (on Debian: apt-get install espeak-ng)")
    cmd = [binary, "-v", voice.variant, "-p", str(voice.pitch), "-s", str(voice.wpm), "-w", str(out), text]
    subprocess.run(cmd, check=True, capture_output=True)
    with wave.open(str(out), "rb") as wav:
        if wav.getframerate() != RATE or wav.getnchannels() != 1:
            raise CerdasError("espeak-ng wrote an unexpected format", out)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    loud = np.flatnonzero(np.abs(samples) > 0.01)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples[:0]


def _turn_audio(rng: random.Random, voice: Voice, tmp: Path, n: int) -> tuple[np.ndarray, str]:
    """A turn of 3-20 s: sentences said by ``voice`` until it is at least 3 s long (cut back under 20 s)."""
    target = rng.uniform(3.0, 20.0)
    pieces: list[np.ndarray] = []
    texts: list[str] = []
    length = 0.0
    while length < target:
        text = rng.choice(SENTENCES)
        audio = _espeak(text, voice, tmp / f"t{n}-{len(pieces)}.wav")
        gap = np.zeros(int(RATE * rng.uniform(0.25, 0.45)), dtype=np.float32)
        if pieces and length + (len(audio) + len(gap)) / RATE > 20.0:
            break
        if pieces:
            pieces.append(gap)
        pieces.append(audio)
        texts.append(text)
        length = sum(len(p) for p in pieces) / RATE
        if length >= 3.0 and length >= target * 0.8:
            break
    return np.concatenate(pieces) * float(10 ** (voice.gain_db / 20)), " ".join(texts)


def script(
    speakers: int, seconds: float, seed: int, tmp: Path
) -> tuple[list[tuple[int, np.ndarray, str]], list[float]]:
    """The turns (voice index, audio, text) and the pause before each, until ``seconds`` are filled."""
    rng = random.Random(seed)
    turns: list[tuple[int, np.ndarray, str]] = []
    pauses: list[float] = []
    total, who = 0.0, 0
    while total < seconds:
        if turns:
            choices = [i for i in range(speakers) if i != who]
            who = rng.choice(choices)
        audio, text = _turn_audio(rng, VOICES[who], tmp, len(turns))
        pause = rng.uniform(0.3, 1.0) if turns else 0.5
        turns.append((who, audio, text))
        pauses.append(pause)
        total += pause + len(audio) / RATE
    return turns, pauses


def make_interview(
    out: Path,
    speakers: int = 2,
    seconds: float = 60.0,
    seed: int = 1,
    tracks_dir: Path | None = None,
    ff: FFmpeg | None = None,
) -> Interview:
    """Write a ``speakers``-voice interview of about ``seconds`` to ``out`` (44.1 kHz stereo WAV), and with
    ``tracks_dir`` one mono WAV per speaker there (``1-<slug>.wav`` ...: own voice, the others' bleed, noise)."""
    if not 2 <= speakers <= len(VOICES):
        raise CerdasError(f"between 2 and {len(VOICES)} speakers, not {speakers}")
    ff = ff or FFmpeg()
    with tempfile.TemporaryDirectory(prefix="cerdas-interview-") as tmpdir:
        tmp = Path(tmpdir)
        parts, pauses = script(speakers, seconds, seed, tmp)
        length = int(sum(len(a) for _, a, _ in parts) + RATE * (sum(pauses) + 0.5))
        own = np.zeros((speakers, length), dtype=np.float32)
        turns: list[Turn] = []
        at = 0
        for (who, audio, text), pause in zip(parts, pauses, strict=True):
            at += int(pause * RATE)
            own[who, at : at + len(audio)] = audio
            turns.append(Turn(VOICES[who].name, round(at / RATE, 3), round((at + len(audio)) / RATE, 3), text))
            at += len(audio)
        mix = own.sum(axis=0)
        _write(ff, mix, out, tmp / "mix.raw", channels=2)
        track_paths: list[Path] = []
        if tracks_dir is not None:
            noise = np.random.default_rng(seed)
            bleed = float(10 ** (BLEED_DB / 20))
            for i in range(speakers):
                others = np.roll(mix - own[i], int(0.004 * RATE)) * bleed  # the neighbours, a little later
                floor = noise.normal(0.0, 10 ** (NOISE_DBFS / 20), length).astype(np.float32)
                path = tracks_dir / f"{i + 1}-{VOICES[i].name.split()[0].lower()}.wav"
                _write(ff, own[i] + others + floor, path, tmp / f"track{i}.raw", channels=1)
                track_paths.append(path)
    names = tuple(v.name for v in VOICES[:speakers])
    return Interview(out, tuple(track_paths), tuple(turns), names, round(length / RATE, 3))


def _write(ff: FFmpeg, samples: np.ndarray, out: Path, raw: Path, channels: int) -> None:
    raw.write_bytes(np.clip(samples, -1.0, 1.0).astype("<f4").tobytes())
    out.parent.mkdir(parents=True, exist_ok=True)
    ff.run(
        [
            "-y",
            "-f",
            "f32le",
            "-ar",
            str(RATE),
            "-ac",
            "1",
            "-i",
            str(raw),
            "-ar",
            "44100",
            "-ac",
            str(channels),
            "-c:a",
            "pcm_s16le",
            str(out),
        ],
        source=raw,
    )


def voice_sample(out: Path, voice: int, seconds: float, seed: int = 7, ff: FFmpeg | None = None) -> float:
    """``seconds`` (about) of one voice of :data:`VOICES` at its own level, as a 44.1 kHz WAV (a profile sample);
    returns the seconds written."""
    ff = ff or FFmpeg()
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="cerdas-voice-") as tmpdir:
        tmp = Path(tmpdir)
        pieces: list[np.ndarray] = []
        while sum(len(p) for p in pieces) < seconds * RATE:
            said = _espeak(rng.choice(SENTENCES), VOICES[voice], tmp / f"s{len(pieces)}.wav")
            pieces += [said, np.zeros(int(0.3 * RATE), dtype=np.float32)]
        audio = np.concatenate(pieces)[: int(seconds * RATE)] * float(10 ** (VOICES[voice].gain_db / 20))
        _write(ff, audio, out, tmp / "voice.raw", channels=1)
    return len(audio) / RATE


def rttm(turns: tuple[Turn, ...] | list[Turn], uri: str = "interview") -> str:
    """The turns as RTTM lines (the reference format of diarization scoring tools)."""
    return "".join(
        f"SPEAKER {uri} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {t.speaker.replace(' ', '_')} <NA> <NA>\n"
        for t in turns
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--speakers", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracks", type=Path, help="also write one file per speaker into this folder")
    parser.add_argument("--turns", type=Path, help="write the known turns here (JSON)")
    args = parser.parse_args(argv)
    interview = make_interview(args.out, args.speakers, args.minutes * 60, args.seed, args.tracks)
    if args.turns:
        args.turns.write_text(json.dumps([asdict(t) for t in interview.turns], ensure_ascii=False, indent=1))
    print(f"{args.out}: {interview.duration:.1f} s, {len(interview.turns)} turns, {', '.join(interview.speakers)}")


if __name__ == "__main__":
    main()

"""The bundled sample interview: a short Indonesian conversation about integrity, synthesised with espeak-ng.

Two voices at very different levels (a loud host, a quiet guest) so that levelling is audible and measurable.
The reference text is written the way it is spoken (numbers as words), so it can score a transcript.

``--noise pink:0.02:1`` lays steady background noise (ffmpeg's ``anoisesrc``: colour, amplitude, seed) under the
whole interview: the noisy recording on which Whisper base loops and loses speech, for the coverage guarantee's
tests and benchmark.

``python -m cerdas.devtools.sample OUT.wav [--chapters FILE] [--reference FILE] [--repeat N] [--noise C:A:S]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cerdas.chapters import format_timestamp
from cerdas.errors import CerdasError
from cerdas.media.ffmpeg import FFmpeg

HOST, GUEST = "host", "guest"
VOICES = {HOST: ("id+m3", 150, -3.0), GUEST: ("id+f2", 135, -21.0)}  # voice, words per minute, gain dB
PAUSE = 0.6

# (speaker, chapter title or "", text as spoken)
SCRIPT: list[tuple[str, str, str]] = [
    (HOST, "Pembukaan", "Selamat datang di Podcast Cerdas, cerita integritas dari Inspektorat Kota Balikpapan."),
    (HOST, "", "Hari ini kita berbincang dengan seorang auditor tentang gratifikasi dalam pelayanan publik."),
    (GUEST, "", "Terima kasih atas undangannya. Saya senang bisa berbagi pengalaman di sini."),
    (HOST, "Apa itu gratifikasi", "Banyak pegawai masih bingung. Sebenarnya apa yang dimaksud dengan gratifikasi?"),
    (
        GUEST,
        "",
        "Gratifikasi adalah pemberian dalam arti luas kepada pegawai negeri, berupa uang, barang, "
        "diskon, tiket perjalanan, atau fasilitas lainnya.",
    ),
    (
        GUEST,
        "",
        "Pemberian itu dianggap suap apabila berhubungan dengan jabatan dan berlawanan dengan "
        "kewajiban atau tugas penerimanya.",
    ),
    (HOST, "", "Jadi bingkisan hari raya dari rekanan kantor juga termasuk gratifikasi?"),
    (GUEST, "", "Betul. Kalau pemberinya punya kepentingan dengan pekerjaan kita, sebaiknya ditolak dengan sopan."),
    (HOST, "Pengalaman menolak", "Apakah Ibu pernah mengalami sendiri tawaran seperti itu?"),
    (
        GUEST,
        "",
        "Pernah. Setelah pemeriksaan sebuah proyek pengadaan, ada amplop yang diselipkan di dalam map laporan.",
    ),
    (GUEST, "", "Saya kembalikan hari itu juga, lalu saya laporkan kepada unit pengendalian gratifikasi."),
    (HOST, "", "Tidak mudah, ya. Apa yang membuat Ibu tetap teguh?"),
    (GUEST, "", "Saya ingat bahwa kepercayaan masyarakat jauh lebih mahal daripada isi amplop mana pun."),
    (
        HOST,
        "Zona integritas",
        "Sekarang banyak unit kerja membangun zona integritas menuju WBK dan WBBM. Apa artinya bagi pegawai biasa?",
    ),
    (GUEST, "", "Wilayah bebas dari korupsi berarti layanan yang cepat, transparan, dan tanpa pungutan liar."),
    (
        GUEST,
        "",
        "Setiap pegawai bisa mulai dari hal kecil: menolak titipan, mencatat setiap layanan, dan berani melapor.",
    ),
    (HOST, "Penutup", "Pesan terakhir untuk para pendengar yang bekerja di pelayanan publik?"),
    (
        GUEST,
        "",
        "Integritas itu bukan slogan. Integritas adalah pilihan yang kita buat setiap hari, "
        "bahkan ketika tidak ada yang melihat.",
    ),
    (HOST, "", "Terima kasih. Sampai jumpa di episode berikutnya dari Podcast Cerdas."),
]


@dataclass(frozen=True)
class Noise:
    """Background noise under the interview: ``anoisesrc`` colour (white, pink, brown...), amplitude, seed."""

    color: str = "pink"
    amplitude: float = 0.02
    seed: int = 1

    @classmethod
    def parse(cls, text: str) -> Noise:
        """``pink:0.02:1`` (amplitude and seed optional)."""
        parts = text.split(":")
        try:
            return cls(parts[0], float(parts[1]) if len(parts) > 1 else 0.02, int(parts[2]) if len(parts) > 2 else 1)
        except ValueError as exc:
            raise CerdasError(f"--noise must be COLOUR[:AMPLITUDE[:SEED]], not {text!r}") from exc

    def source(self) -> str:
        """The ffmpeg ``lavfi`` source of this noise at 44.1 kHz."""
        return f"anoisesrc=color={self.color}:amplitude={self.amplitude}:seed={self.seed}:r=44100"


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str
    start: float
    end: float


def _espeak(text: str, voice: str, wpm: int, out: Path) -> None:
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise CerdasError("espeak-ng is not installed (on Debian: apt-get install espeak-ng)")
    subprocess.run([binary, "-v", voice, "-s", str(wpm), "-w", str(out), text], check=True, capture_output=True)


def make_sample(out: Path, repeat: int = 1, ff: FFmpeg | None = None, noise: Noise | None = None) -> list[Line]:
    """Write the interview to ``out`` (44.1 kHz stereo WAV), with ``noise`` under it if given, and return its
    lines with their times."""
    ff = ff or FFmpeg()
    lines: list[Line] = []
    with tempfile.TemporaryDirectory(prefix="cerdas-sample-") as tmp:
        parts: list[Path] = []
        clock = 0.0
        for round_ in range(repeat):
            for i, (speaker, _chapter, text) in enumerate(SCRIPT):
                voice, wpm, gain = VOICES[speaker]
                raw = Path(tmp) / f"{round_:03d}-{i:03d}-raw.wav"
                part = Path(tmp) / f"{round_:03d}-{i:03d}.wav"
                _espeak(text, voice, wpm, raw)
                ff.run(
                    [
                        "-y",
                        "-i",
                        str(raw),
                        "-af",
                        f"volume={gain}dB,aresample=44100,apad=pad_dur={PAUSE}",
                        "-ac",
                        "2",
                        "-c:a",
                        "pcm_s16le",
                        str(part),
                    ],
                    source=raw,
                )
                length = ff.probe(part).duration
                lines.append(Line(speaker, text, clock, clock + length - PAUSE))
                clock += length
                parts.append(part)
        listing = Path(tmp) / "parts.txt"
        listing.write_text("".join(f"file '{p}'\n" for p in parts), encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        if noise is None:
            ff.run(["-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(out)], source=listing)
            return lines
        clean = Path(tmp) / "clean.wav"
        ff.run(["-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(clean)], source=listing)
        mix = "[1:a]aformat=channel_layouts=stereo[n];[0:a][n]amix=inputs=2:duration=first:normalize=0"
        inputs = ["-y", "-i", str(clean), "-f", "lavfi", "-i", noise.source()]
        ff.run([*inputs, "-filter_complex", mix, "-c:a", "pcm_s16le", str(out)], source=clean)
    return lines


def chapters_text(lines: list[Line]) -> str:
    """``HH:MM:SS title`` lines for the sample's chapters (first round only)."""
    out: list[str] = []
    for (_, chapter, _), line in zip(SCRIPT, lines, strict=False):
        if chapter:
            out.append(f"{format_timestamp(0.0 if not out else line.start)} {chapter}")
    return "\n".join(out) + "\n"


def reference_text(lines: list[Line]) -> str:
    """What was said, as spoken, one line per utterance."""
    return "\n".join(line.text for line in lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--chapters", type=Path)
    parser.add_argument("--reference", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="say the script N times (longer clips)")
    parser.add_argument(
        "--noise", type=Noise.parse, help="background noise COLOUR[:AMPLITUDE[:SEED]], e.g. pink:0.02:1"
    )
    args = parser.parse_args(argv)
    lines = make_sample(args.out, repeat=args.repeat, noise=args.noise)
    if args.chapters:
        args.chapters.write_text(chapters_text(lines), encoding="utf-8")
    if args.reference:
        args.reference.write_text(reference_text(lines), encoding="utf-8")
    print(f"{args.out}: {lines[-1].end:.1f} s, {len(lines)} lines")


if __name__ == "__main__":
    main()

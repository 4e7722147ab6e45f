"""Search over a generated archive of 1,000 hours of Indonesian transcript segments.

Measures the real code paths: ``rebuild_index`` over a real workspace (episode.toml + transcript JSON per
episode), the index file's size, and ``SearchIndex.search`` (parse, FTS5, grouping, highlighting, context, links)
over a fixed mix of 200 queries (single words, prefixes, phrases), against the reference: a plain
``LIKE '%word%'`` scan over the same ``docs`` table in the same run.

Goals: build ≤ 60 s, query p95 ≤ 20 ms, p50 at least 50× faster than the scan.

    .venv/bin/python benchmarks/search.py [--hours 1000] [--runs 3] [--keep DIR]

Text is generated from the vocabulary below (no network): Zipf-weighted function and content words, fixed
multi-word expressions of the domain, per-episode topics, and a long tail of rare made-up words (names, ASR
misspellings) so that the stemmer meets a realistic number of distinct words.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cerdas.episode import Chapter, Episode, save_episode  # noqa: E402
from cerdas.search.index import SearchIndex  # noqa: E402
from cerdas.search.text import stemmer  # noqa: E402
from cerdas.search.upkeep import index_size, rebuild_index  # noqa: E402
from cerdas.settings import Settings, ShowSettings  # noqa: E402
from cerdas.workspace import Workspace  # noqa: E402


def _wordlist(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _wordlist("""
yang dan di itu ini dengan untuk tidak ada akan dari dalam kita kami saya bapak ibu jadi karena kalau juga sudah
bisa harus lebih atau pada oleh seperti tapi ya nah memang sangat masih belum semua setiap para ke sebagai bahwa
kemudian lalu agar supaya sehingga namun tetapi walaupun meskipun apa siapa bagaimana kenapa mengapa kapan dimana
mana begitu begini sekali banyak sedikit sama lain hanya saja pun lagi terus tadi nanti sekarang dulu kemarin besok
hari tahun bulan minggu waktu kali orang teman mereka dia beliau anda kamu semuanya bukan enggak nggak iya oke baik
benar betul tentu mungkin pasti cukup paling agak tentang antara terhadap sejak sampai hingga selama ketika sambil
""")

CONTENT_WORDS = _wordlist("""
korupsi gratifikasi pengadaan barang jasa integritas inspektorat pengawasan laporan anggaran pegawai pejabat
masyarakat pelayanan publik transparansi akuntabilitas suap pungutan liar kepala daerah dinas kota wali sekretaris
birokrasi reformasi zona wilayah bebas bersih melayani audit temuan rekomendasi kerugian negara keuangan kebijakan
pemerintah pemerintahan aparatur sipil kinerja kepatuhan risiko pencegahan penindakan pemberantasan hukum aturan
regulasi peraturan undang sanksi disiplin etika kode perilaku konflik kepentingan hadiah pemberian penerimaan
pelapor pengaduan whistleblower saluran rahasia identitas perlindungan saksi korban penyidik jaksa hakim pengadilan
tersangka terdakwa vonis penjara denda uang negara aset harta kekayaan lhkpn pajak retribusi izin perizinan tender
lelang kontrak penyedia vendor rekanan proyek pembangunan jalan jembatan sekolah rumah sakit puskesmas bantuan sosial
dana desa kelurahan kecamatan camat lurah warga rakyat pendidikan kesehatan budaya nilai jujur tanggung jawab
komitmen teladan pimpinan atasan bawahan staf tim unit kerja kantor ruang rapat evaluasi pemantauan monitoring
survei indeks persepsi nilai skor predikat penghargaan wbk wbbm kpk bpk bpkp ombudsman apip spip mcp sakip
balikpapan kalimantan timur sekda walikota wakil dprd anggota komisi fraksi partai politik kampanye pemilu
digital aplikasi sistem elektronik online data informasi keterbukaan media sosial berita podcast episode narasumber
pendengar cerita pengalaman contoh kasus modus operandi celah peluang tekanan rasionalisasi budaya organisasi
""")

DERIVED_WORDS = _wordlist("""
korupsinya berkorupsi dikorupsi koruptor gratifikasinya menggratifikasi melaporkan dilaporkan pelaporan laporannya
mengawasi diawasi pengawas pengawasannya menerima diterima penerimaannya memberikan diberikan pemberiannya menolak
ditolak penolakan menyuap disuap penyuapan menindak ditindak penindakannya mencegah dicegah pencegahannya
membangun dibangun pembangunannya melayani dilayani pelayanannya mengadakan diadakan pengadaannya memeriksa
diperiksa pemeriksaan pemeriksaannya menetapkan ditetapkan penetapan menyelidiki diselidiki penyelidikan
menyidik disidik penyidikan mengembalikan dikembalikan pengembalian menyalahgunakan disalahgunakan penyalahgunaan
bertanggung mempertanggungjawabkan pertanggungjawaban berintegritas kebijakannya keuangannya anggarannya
kepentingannya pejabatnya pegawainya masyarakatnya pemerintahnya aturannya sanksinya hadiahnya uangnya
""")

PHRASES = [
    "wilayah bebas korupsi",
    "wilayah birokrasi bersih dan melayani",
    "zona integritas",
    "pengadaan barang dan jasa",
    "laporan harta kekayaan",
    "pungutan liar",
    "konflik kepentingan",
    "kode etik",
    "aparatur sipil negara",
    "tanggung jawab",
    "kerugian negara",
    "dana desa",
    "bantuan sosial",
    "saluran pengaduan",
    "pelayanan publik",
    "reformasi birokrasi",
    "sistem pengendalian intern",
    "benturan kepentingan",
    "budaya antikorupsi",
    "indeks persepsi korupsi",
    "sekretaris daerah",
    "kepala dinas",
    "rumah sakit",
    "modus operandi",
]

SYLLABLES = (
    "ba be bi bo bu da de di do du ga gi go gu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu "
    "pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu wa wi ya yu ha hi ho nga ngi nya"
)
PREFIXES = ["", "", "me", "di", "ber", "pe", "ke", "ter"]
SUFFIXES = ["", "", "kan", "an", "nya", "i"]


def vocabulary(rng: random.Random, tail: int) -> tuple[list[str], list[float]]:
    """Words and Zipf-like weights: function words most often, content words less, a long rare tail."""
    syl = SYLLABLES.split()
    rare: set[str] = set()
    while len(rare) < tail:
        stem = "".join(rng.choice(syl) for _ in range(rng.randint(2, 4)))
        rare.add(rng.choice(PREFIXES) + stem + rng.choice(SUFFIXES))
    vocab = FUNCTION_WORDS + CONTENT_WORDS + DERIVED_WORDS + sorted(rare)
    weights = []
    for rank, _word in enumerate(vocab, 1):
        weights.append(1.0 / rank**1.07)
    return vocab, weights


def make_archive(ws: Workspace, hours: float, rng: random.Random) -> dict[str, int]:
    """Episodes of about an hour each: episode.toml + Podcasting 2.0 transcript JSON."""
    vocab, weights = vocabulary(rng, tail=20000)
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    content = CONTENT_WORDS + DERIVED_WORDS
    seconds_left = hours * 3600
    n = tokens = segments = 0
    while seconds_left > 0:
        n += 1
        length = min(seconds_left, rng.uniform(2400, 4800))
        seconds_left -= length
        topics = rng.sample(content, 3)
        slug = f"episode-{n:04d}"
        chapters = [
            Chapter(float(c * 600), f"Bagian {c + 1}: {rng.choice(content)} dan {rng.choice(content)}")
            for c in range(int(length // 600))
        ]
        episode = Episode(
            slug=slug,
            title=f"Episode {n}: {topics[0].capitalize()} dan {topics[1]}",
            source="x.wav",
            number=n,
            description=f"Obrolan tentang {topics[0]}, {topics[1]} dan {topics[2]}.",
            chapters=chapters,
            created=f"2020-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}+00:00",
        )
        ws.episode_dir(slug).mkdir(parents=True)
        save_episode(ws, episode)
        segs = []
        t = 0.0
        while t < length:
            dur = rng.uniform(3.0, 12.0)
            count = max(3, int(dur * 2.3))
            text = rng.choices(vocab, cum_weights=cum, k=count)
            for _ in range(rng.randint(0, 2)):  # the episode's topics come up again and again
                text[rng.randrange(count)] = rng.choice(topics)
            if rng.random() < 0.25:
                at = rng.randrange(count)
                text[at : at + 1] = rng.choice(PHRASES).split()
            sentence = " ".join(text)
            segs.append(
                {
                    "startTime": round(t, 2),
                    "endTime": round(t + dur, 2),
                    "speaker": rng.choice(["Pembawa Acara", "Narasumber"]),
                    "body": sentence[0].upper() + sentence[1:] + ".",
                }
            )
            tokens += len(text)
            t += dur
        segments += len(segs)
        (ws.transcripts_dir / f"{slug}.json").write_text(
            json.dumps({"version": "1.0.0", "segments": segs}, ensure_ascii=False), encoding="utf-8"
        )
    return {"episodes": n, "segments": segments, "tokens": tokens}


def query_mix(rng: random.Random) -> list[str]:
    """200 fixed queries: 100 single words, 50 prefixes, 50 phrases."""
    words = rng.sample(CONTENT_WORDS + DERIVED_WORDS, 100)
    prefixes = [w[: rng.randint(4, 7)] + "*" for w in rng.sample(CONTENT_WORDS + DERIVED_WORDS, 50)]
    phrases = [f'"{p}"' for p in PHRASES]
    while len(phrases) < 50:
        a, b = rng.sample(CONTENT_WORDS, 2)
        phrases.append(f'"{rng.choice(PHRASES).split()[0]} {a}"' if rng.random() < 0.5 else f'"{a} {b}"')
    return words + prefixes + phrases


def like_pattern(query: str) -> str:
    return "%" + query.strip('"').rstrip("*") + "%"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def one_run(ws: Workspace, settings: Settings, queries: list[str], n: int) -> dict[str, float]:
    """Build the index from scratch (no stems remembered), then time every query and the scan."""
    stemmer().table.clear()
    stemmer().table.new.clear()
    ws.index_path.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    report = rebuild_index(ws)
    build, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = index_size(ws.index_path)
    fts_ms: list[float] = []
    scan_ms: list[float] = []
    found = 0
    with SearchIndex(ws.index_path, readonly=True) as index:
        for q in queries[:20]:  # warm the page cache as a running CLI would find it
            index.search(q, settings)
        for q in queries:
            t0 = time.perf_counter()
            result = index.search(q, settings)
            fts_ms.append((time.perf_counter() - t0) * 1000)
            found += bool(result.episodes)
        for q in queries:
            t0 = time.perf_counter()
            index.db.execute("SELECT id, start FROM docs WHERE body LIKE ?", (like_pattern(q),)).fetchall()
            scan_ms.append((time.perf_counter() - t0) * 1000)
    run = {
        "build": build,
        "cpu": cpu,
        "size": float(size),
        "p50": statistics.median(fts_ms),
        "p95": percentile(fts_ms, 95),
        "s50": statistics.median(scan_ms),
        "s95": percentile(scan_ms, 95),
    }
    print(
        f"run {n}: load average {load:.1f}; build {build:.1f} s ({cpu:.1f} s CPU, {report.segments:,} segments, "
        f"{size / 1e6:.1f} MB); {found}/{len(queries)} queries with hits; FTS5 p50 {run['p50']:.2f} ms "
        f"p95 {run['p95']:.2f} ms; LIKE p50 {run['s50']:.1f} ms p95 {run['s95']:.1f} ms"
    )
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1000.0)
    parser.add_argument("--runs", type=int, default=3, help="build and query this many times; medians")
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it (reused when it exists)")
    args = parser.parse_args()
    rng = random.Random(20240611)
    base = args.keep or Path(tempfile.mkdtemp(prefix="cerdas-search-bench-"))
    ws = Workspace(base.resolve())
    for folder in (ws.episodes_dir, ws.transcripts_dir):
        folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(root=ws.root, show=ShowSettings(title="Bench", base_url="https://podcast.example.go.id/"))
    try:
        t0 = time.perf_counter()
        if any(ws.episodes_dir.iterdir()):
            print(f"archive: reused {ws.root} (index rebuilt from scratch below)")
        else:
            facts = make_archive(ws, args.hours, rng)
            print(
                f"archive: {args.hours:g} h, {facts['episodes']} episodes, {facts['segments']:,} segments, "
                f"{facts['tokens']:,} words (generated in {time.perf_counter() - t0:.1f} s)"
            )
        queries = query_mix(random.Random(2024))  # the same 200 queries on every run
        runs = [one_run(ws, settings, queries, n) for n in range(1, args.runs + 1)]
        build, cpu = statistics.median(r["build"] for r in runs), statistics.median(r["cpu"] for r in runs)
        p50, p95 = statistics.median(r["p50"] for r in runs), statistics.median(r["p95"] for r in runs)
        s50, s95 = statistics.median(r["s50"] for r in runs), statistics.median(r["s95"] for r in runs)
        print(f"medians of {len(runs)} run{'s' if len(runs) > 1 else ''}:")
        print(f"  build        {build:.1f} s ({cpu:.1f} s CPU), index {runs[-1]['size'] / 1e6:.1f} MB")
        print(f"  FTS5 search  p50 {p50:.2f} ms  p95 {p95:.2f} ms")
        print(f"  LIKE scan    p50 {s50:.1f} ms  p95 {s95:.1f} ms")
        print(f"  ratio        scan/FTS at p50 = {s50 / p50:.0f}x, at p95 = {s95 / p95:.0f}x")
        goals = [("build <= 60 s", build <= 60), ("p95 <= 20 ms", p95 <= 20), (">= 50x scan at p50", s50 / p50 >= 50)]
        print("goals:   " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in goals))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

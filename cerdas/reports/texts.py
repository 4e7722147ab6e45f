"""The report's words in the show's language: Indonesian (the default) or English."""

from __future__ import annotations

from datetime import date
from typing import Final

_ID: Final = {
    "title": "Laporan Jangkauan dan Bukti Publikasi",
    "period": "Periode",
    "previous": "Periode sebelumnya",
    "generated": "Dibuat",
    "timezone": "Zona waktu",
    "summary": "Ringkasan",
    "downloads": "Unduhan",
    "page_views": "Kunjungan halaman episode",
    "visitors": "Pengunjung harian situs",
    "youtube_views": "Penayangan YouTube",
    "youtube_growth": "Pertambahan penayangan YouTube",
    "published": "Episode yang terbit dalam periode ini",
    "none_published": "Tidak ada episode yang terbit dalam periode ini.",
    "reach": "Jangkauan per episode",
    "no_data": "Belum ada data untuk periode ini.",
    "daily": "Unduhan per hari",
    "apps": "Aplikasi pendengar",
    "youtube": "YouTube",
    "youtube_unavailable": "Data YouTube tidak tersedia",
    "youtube_as_of": "Data YouTube per",
    "number": "No.",
    "date": "Tanggal",
    "episode": "Episode",
    "guests": "Narasumber",
    "duration": "Durasi",
    "links": "Tautan",
    "page": "halaman",
    "audio": "audio",
    "video": "video",
    "accessibility": "Aksesibilitas",
    "transcript": "transkrip",
    "corrected": "transkrip dikoreksi",
    "captions": "teks YouTube",
    "chapters": "Bab",
    "app": "Aplikasi",
    "kind": "Jenis",
    "share": "Porsi",
    "views": "Penayangan",
    "likes": "Suka",
    "comments": "Komentar",
    "growth": "Pertambahan",
    "watch_minutes": "Menit ditonton",
    "average_view": "Rata-rata durasi tonton",
    "change": "Perubahan",
    "total": "Jumlah",
    "chart_daily": "Unduhan per hari",
    "chart_top": "Episode teratas (unduhan)",
    "chart_youtube": "Penayangan YouTube per video",
    "method": "Metode",
    "method_text": (
        "Unduhan dihitung dari log akses server menurut IAB Podcast Measurement Guidelines v2.2: hanya permintaan "
        "GET berstatus 200/206 atas berkas audio episode; bot dan agen non-pemutar disaring menurut daftar agen "
        "pengguna; satu unduhan per pendengar (alamat IP, IPv6 per /64, dan agen pengguna) per episode per 24 jam; "
        "hanya jendela yang mengirim sedikitnya satu menit audio (tanpa tag ID3) yang dihitung; tanggal menurut "
        "zona waktu acara. Alamat IP tidak disimpan."
    ),
    "logs_cover": "Log akses yang diimpor mencakup",
    "logs_none": "Belum ada log akses yang diimpor (cerdas stats import).",
    "agents": "Daftar agen pengguna",
    "signature": "Mengetahui,",
    "signature_name": "Nama dan tanda tangan",
    "kinds": "app:aplikasi,player:pemutar,browser:peramban,unknown:tidak dikenal",
    "sheets": "Ringkasan,Episode terbit,Jangkauan,Harian,Aplikasi",
    "months": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
}

_EN: Final = {
    **_ID,
    "title": "Reach and Publication Evidence Report",
    "period": "Period",
    "previous": "Previous period",
    "generated": "Generated",
    "timezone": "Time zone",
    "summary": "Summary",
    "downloads": "Downloads",
    "page_views": "Episode page views",
    "visitors": "Daily site visitors",
    "youtube_views": "YouTube views",
    "youtube_growth": "YouTube views gained",
    "published": "Episodes published in this period",
    "none_published": "No episode was published in this period.",
    "reach": "Reach per episode",
    "no_data": "No data for this period yet.",
    "daily": "Downloads per day",
    "apps": "Listening apps",
    "youtube_unavailable": "YouTube figures not available",
    "youtube_as_of": "YouTube figures as of",
    "number": "No.",
    "date": "Date",
    "guests": "Guests",
    "duration": "Duration",
    "links": "Links",
    "page": "page",
    "accessibility": "Accessibility",
    "transcript": "transcript",
    "corrected": "corrected transcript",
    "captions": "YouTube captions",
    "chapters": "Chapters",
    "app": "App",
    "kind": "Kind",
    "share": "Share",
    "views": "Views",
    "likes": "Likes",
    "comments": "Comments",
    "growth": "Gained",
    "watch_minutes": "Minutes watched",
    "average_view": "Average view duration",
    "change": "Change",
    "total": "Total",
    "chart_daily": "Downloads per day",
    "chart_top": "Top episodes (downloads)",
    "chart_youtube": "YouTube views per video",
    "method": "Method",
    "method_text": (
        "Downloads are counted from the server's access logs by the IAB Podcast Measurement Guidelines v2.2: only "
        "GET requests with status 200/206 for an episode's audio file; bots and non-player agents removed by user "
        "agent lists; one download per listener (IP address, IPv6 per /64, and user agent) per episode per 24 hours; "
        "only windows that sent at least one minute of audio (ID3 tag excluded) count; days in the show's time zone. "
        "No IP address is stored."
    ),
    "logs_cover": "Imported access logs cover",
    "logs_none": "No access log has been imported yet (cerdas stats import).",
    "agents": "User-agent lists",
    "signature": "Acknowledged,",
    "signature_name": "Name and signature",
    "kinds": "app:app,player:player,browser:browser,unknown:unknown",
    "sheets": "Summary,Published,Reach,Daily,Apps",
    "months": "January February March April May June July August September October November December",
}


class Texts:
    """Labels and date formats for one language (``id`` unless the show's language is English)."""

    def __init__(self, language: str) -> None:
        self.language = "en" if language.lower().startswith("en") else "id"
        self._words = _EN if self.language == "en" else _ID
        self._months = self._words["months"].split()
        self.kinds = dict(pair.split(":") for pair in self._words["kinds"].split(","))

    def __getitem__(self, key: str) -> str:
        return self._words[key]

    def day(self, when: date) -> str:
        """``5 Oktober 2026``."""
        return f"{when.day} {self._months[when.month - 1]} {when.year}"

    def month(self, when: date) -> str:
        """``Oktober 2026``."""
        return f"{self._months[when.month - 1]} {when.year}"

    def span(self, first: date, last: date) -> str:
        """``1–31 Oktober 2026``, ``1 Oktober – 31 Desember 2026``."""
        if first == last:
            return self.day(first)
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{last.day} {self._months[last.month - 1]} {last.year}"
        start = f"{first.day} {self._months[first.month - 1]}" + (f" {first.year}" if first.year != last.year else "")
        return f"{start} – {self.day(last)}"

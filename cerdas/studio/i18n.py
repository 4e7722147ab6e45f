"""The studio's words in Indonesian (the show's language) and English.

Pages use :func:`translator`; the scripts get the ``js.*`` messages as a JSON block in the page. The studio
speaks the show's language when it is Indonesian or English (``show.language``), English otherwise; the
producer can switch (remembered in a cookie). A test checks that both languages have every key.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("id", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (Indonesian, English)
    "app": ("Cerdas Studio", "Cerdas Studio"),
    "skip": ("Langsung ke isi", "Skip to content"),
    "nav": ("Navigasi utama", "Main navigation"),
    "nav.episodes": ("Episode", "Episodes"),
    "nav.new": ("Episode baru", "New episode"),
    "nav.jobs": ("Pekerjaan", "Jobs"),
    "nav.api": ("API", "API"),
    "nav.logout": ("Keluar", "Sign out"),
    "lang.switch": ("English", "Bahasa Indonesia"),
    "lang.label": ("Bahasa antarmuka", "Interface language"),
    "episodes.title": ("Episode", "Episodes"),
    "episodes.none": (
        "Belum ada episode. Unggah rekaman pertama Anda.",
        "No episodes yet. Upload your first recording.",
    ),
    "col.number": ("No.", "No."),
    "col.title": ("Judul", "Title"),
    "col.state": ("Status", "State"),
    "col.transcript": ("Transkrip", "Transcript"),
    "col.youtube": ("YouTube", "YouTube"),
    "col.links": ("Tautan", "Links"),
    "col.actions": ("Tindakan", "Actions"),
    "state.draft": ("Draf", "Draft"),
    "state.incomplete": ("Belum selesai", "Incomplete"),
    "state.feed failed": ("Gagal masuk feed", "Left out of the feed"),
    "episodes.broken": ("Episode yang tidak bisa dibaca", "Episodes that cannot be read"),
    "state.scheduled": ("Terjadwal", "Scheduled"),
    "state.published": ("Terbit", "Published"),
    "transcript.none": ("Belum ada", "None yet"),
    "transcript.automatic": ("Otomatis, belum dikoreksi", "Automatic, not corrected"),
    "transcript.corrected": ("Dikoreksi", "Corrected"),
    "youtube.off": ("Tidak diunggah", "Not uploaded"),
    "youtube.uploaded": ("Diunggah", "Uploaded"),
    "youtube.waiting": ("Tertunda", "Waiting"),
    "youtube.failed": ("Gagal", "Failed"),
    "link.page": ("Halaman publik", "Public page"),
    "link.video": ("Video", "Video"),
    "action.edit": ("Ubah", "Edit"),
    "action.transcript": ("Transkrip", "Transcript"),
    "action.chapters": ("Bab", "Chapters"),
    "form.new": ("Episode baru", "New episode"),
    "form.edit": ("Ubah episode", "Edit episode"),
    "form.recording": ("Rekaman (audio atau video)", "Recording (audio or video)"),
    "form.drop": (
        "Seret file rekaman ke sini, atau pilih file.",
        "Drag the recording here, or choose a file.",
    ),
    "form.title": ("Judul", "Title"),
    "form.number": ("Nomor episode", "Episode number"),
    "form.description": ("Deskripsi (catatan acara)", "Description (show notes)"),
    "form.guests": ("Tamu (satu nama per baris)", "Guests (one name per line)"),
    "form.chapters": ("Bab (baris 'HH:MM:SS judul')", "Chapters ('HH:MM:SS title' lines)"),
    "form.cover": ("Gambar sampul (opsional)", "Cover image (optional)"),
    "form.when": ("Kapan terbit", "When to publish"),
    "form.now": ("Terbitkan sekarang", "Publish now"),
    "form.draft": ("Simpan sebagai draf", "Keep as a draft"),
    "form.at": ("Jadwalkan pada", "Schedule for"),
    "form.publish_at": ("Tanggal dan jam terbit", "Publication date and time"),
    "form.youtube": ("Unggah ke YouTube", "Upload to YouTube"),
    "form.youtube_off": ("YouTube belum diatur di cerdas.toml", "YouTube is not set up in cerdas.toml"),
    "form.publish": ("Terbitkan", "Publish"),
    "form.save": ("Simpan perubahan", "Save changes"),
    "form.upload_progress": ("Kemajuan unggahan", "Upload progress"),
    "jobs.title": ("Pekerjaan", "Jobs"),
    "jobs.none": ("Belum ada pekerjaan.", "No jobs yet."),
    "job.title": ("Pekerjaan", "Job"),
    "job.status": ("Status", "Status"),
    "job.stages": ("Tahap", "Stages"),
    "job.log": ("Catatan", "Log"),
    "job.retry": ("Jalankan lagi", "Run again"),
    "job.episode": ("Buka episode", "Open the episode"),
    "status.queued": ("Menunggu giliran", "Queued"),
    "status.running": ("Berjalan", "Running"),
    "status.done": ("Selesai", "Done"),
    "status.failed": ("Gagal", "Failed"),
    "status.interrupted": ("Terputus", "Interrupted"),
    "editor.title": ("Transkrip", "Transcript"),
    "editor.player": ("Pemutar audio", "Audio player"),
    "editor.cues": ("Teks per cue", "Cues"),
    "editor.find": ("Cari", "Find"),
    "editor.replace": ("Ganti dengan", "Replace with"),
    "editor.case": ("Huruf besar/kecil harus sama", "Match case"),
    "editor.whole": ("Kata utuh", "Whole words"),
    "editor.replace_all": ("Ganti semua", "Replace all"),
    "editor.find_next": ("Cari berikutnya", "Find next"),
    "editor.vocabulary": ("Kosakata acara (klik untuk menyisipkan)", "Show vocabulary (click to insert)"),
    "editor.speakers": ("Pembicara", "Speakers"),
    "editor.shortcuts": ("Pintasan papan ketik", "Keyboard shortcuts"),
    "editor.save": ("Simpan transkrip", "Save the transcript"),
    "editor.follow": ("Ikuti pemutaran", "Follow playback"),
    "editor.tools": ("Alat", "Tools"),
    "key.play": ("Putar / jeda", "Play / pause"),
    "key.back": ("Mundur 5 detik", "Back 5 seconds"),
    "key.next": ("Cue berikutnya", "Next cue"),
    "key.split": ("Pisah cue di kursor", "Split the cue at the caret"),
    "key.merge": ("Gabung dengan cue berikutnya", "Merge with the next cue"),
    "key.save": ("Simpan", "Save"),
    "key.word": ("Alt+klik kata: putar dari kata itu", "Alt+click a word: play from it"),
    "chapters.title": ("Bab", "Chapters"),
    "chapters.add": ("Tambah bab di posisi pemutaran", "Add a chapter at the playhead"),
    "chapters.save": ("Simpan bab", "Save the chapters"),
    "chapters.none": ("Belum ada bab.", "No chapters yet."),
    "login.title": ("Masuk", "Sign in"),
    "login.password": ("Kata sandi", "Password"),
    "login.submit": ("Masuk", "Sign in"),
    "login.failed": ("Kata sandi salah.", "Wrong password."),
    "error.title": ("Ada masalah", "Something is wrong"),
    "error.back": ("Kembali ke daftar episode", "Back to the episodes"),
    "api.title": ("API JSON", "JSON API"),
    "api.intro": (
        "Halaman studio memakai API ini; skrip juga bisa memakainya dengan token dari 'cerdas studio token' "
        "(header Authorization: Bearer ...). Skema OpenAPI:",
        "The studio's pages use this API; scripts can too, with a token from 'cerdas studio token' "
        "(header Authorization: Bearer ...). OpenAPI schema:",
    ),
    # messages the scripts show (sent to the page as JSON)
    "js.uploading": ("Mengunggah…", "Uploading…"),
    "js.upload_failed": ("Unggahan gagal", "The upload failed"),
    "js.saved": ("Tersimpan. Membangun ulang…", "Saved. Rebuilding…"),
    "js.saving": ("Menyimpan…", "Saving…"),
    "js.conflict": (
        "Transkrip diubah di tempat lain; muat ulang halaman. Suntingan Anda tetap tersimpan di peramban.",
        "Changed elsewhere; reload the page. Your edits stay kept in this browser.",
    ),
    "js.restored": ("Suntingan yang belum disimpan dipulihkan.", "Unsaved edits were restored."),
    "js.discard": ("Buang suntingan itu", "Discard those edits"),
    "js.restore": ("Pulihkan tetap", "Restore anyway"),
    "js.unsaved": ("Ada perubahan yang belum disimpan.", "There are unsaved changes."),
    "js.replaced": ("{n} penggantian.", "{n} replacements."),
    "js.not_found": ("Tidak ditemukan.", "Not found."),
    "js.speaker": ("Pembicara", "Speaker"),
    "js.text": ("Teks", "Text"),
    "js.play_from": ("Putar dari {t}", "Play from {t}"),
    "js.play": ("Putar", "Play"),
    "js.split": ("Pisah", "Split"),
    "js.merge": ("Gabung", "Merge"),
    "js.delete": ("Hapus", "Delete"),
    "js.up": ("Naik", "Up"),
    "js.down": ("Turun", "Down"),
    "js.set_time": ("Pakai posisi pemutaran", "Use the playhead"),
    "js.start": ("Mulai (HH:MM:SS)", "Start (HH:MM:SS)"),
    "js.chapter_title": ("Judul bab", "Chapter title"),
    "js.job": ("Pekerjaan", "Job"),
    "js.done": ("Selesai.", "Done."),
    "js.failed": ("Gagal: {e}", "Failed: {e}"),
    "js.unsure": ("Kata yang kurang pasti", "Uncertain word"),
    "js.cue": ("Cue {n}", "Cue {n}"),
}


MESSAGES.update(
    {
        "kind.publish": ("Terbitkan", "Publish"),
        "kind.revise": ("Perubahan", "Edit"),
        "kind.transcript": ("Transkrip", "Transcript"),
        "stage.ingest": ("Pemeriksaan rekaman", "Recording check"),
        "stage.loudness": ("Kenyaringan", "Loudness"),
        "stage.tag": ("Tag ID3", "ID3 tags"),
        "stage.transcribe": ("Transkripsi", "Transcription"),
        "stage.youtube": ("YouTube", "YouTube"),
        "stage.feed": ("Feed dan situs", "Feed and site"),
        "stage.search": ("Indeks pencarian", "Search index"),
        "stagestatus.pending": ("menunggu", "pending"),
        "stagestatus.running": ("berjalan", "running"),
        "stagestatus.ran": ("selesai", "done"),
        "stagestatus.current": ("sudah terkini", "up to date"),
        "stagestatus.skipped": ("dilewati", "skipped"),
        "stagestatus.failed": ("gagal", "failed"),
    }
)
for _key in [k for k in MESSAGES if k.startswith(("status.", "stagestatus."))]:
    MESSAGES[f"js.{_key}"] = MESSAGES[_key]


def language_for(show_language: str, chosen: str | None) -> str:
    """The interface language: the producer's choice, else the show's when the studio speaks it, else English."""
    if chosen in LANGUAGES:
        return chosen
    base = show_language.split("-")[0].lower()
    return base if base in LANGUAGES else "en"


def translator(language: str) -> Callable[..., str]:
    """``t("key", n=3)``: the message in ``language`` with ``{n}`` filled in."""
    index = LANGUAGES.index(language) if language in LANGUAGES else 1

    def t(key: str, **values: object) -> str:
        text = MESSAGES[key][index]
        return text.format(**values) if values else text

    return t


def script_messages(language: str) -> dict[str, str]:
    """The ``js.*`` messages for the page's scripts (without the prefix)."""
    index = LANGUAGES.index(language) if language in LANGUAGES else 1
    return {key[3:]: pair[index] for key, pair in MESSAGES.items() if key.startswith("js.")}

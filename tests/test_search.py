"""Search: the FTS5 index, Indonesian matching, ranking, highlighting, links, the CLI and every bad query."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from cerdas.episode import Chapter, load_episode
from cerdas.pipeline import Context, run_stage
from cerdas.search.index import SearchIndex
from cerdas.search.query import mark, parse_query
from cerdas.search.stage import SearchStage
from cerdas.search.text import stemmer
from cerdas.search.upkeep import rebuild_index, search, update_index
from cerdas.transcribe.formats import Segment, load_json
from cerdas.workspace import Workspace
from tests.feed_support import make_episode, write_transcript

FILLER = [
    "Selamat datang kembali di Podcast Cerdas dari Balikpapan.",
    "Hari ini cuacanya cerah dan kami senang berbincang.",
    "Silakan perkenalkan diri Anda kepada pendengar.",
    "Saya sudah bekerja di pemerintahan kota selama sepuluh tahun.",
    "Terima kasih sudah mendengarkan, sampai jumpa minggu depan.",
]


def add(
    ws: Workspace,
    slug: str,
    title: str,
    lines: list[str],
    *,
    number: int = 1,
    start: float = 0.0,
    step: float = 10.0,
    **extra: object,
) -> None:
    """An episode as publish leaves it (episode.toml + transcripts), one segment per line, ``step`` s apart."""
    make_episode(ws, slug, title, number=number, **extra)  # type: ignore[arg-type]
    write_transcript(
        ws,
        slug,
        [
            Segment(start + i * step, start + i * step + step - 0.5, text, "Tamu" if i % 2 else "Pembawa acara")
            for i, text in enumerate(lines)
        ],
    )


@pytest.fixture
def archive(workspace: Workspace) -> Workspace:
    """Six episodes of about the same length; 'korupsi' discussed at length in one, mentioned once in another."""
    add(
        workspace,
        "korupsi-di-daerah",
        "Korupsi di Daerah",
        [
            "Korupsinya sudah mengakar di banyak dinas.",
            *FILLER[:2],
            "Pegawai yang berkorupsi harus diproses secara hukum.",
            "Anggaran yang dikorupsi akhirnya dikembalikan ke kas daerah.",
            "Pencegahan korupsi dimulai dari pimpinan.",
            *FILLER[2:],
        ],
        number=1,
        youtube={"video_id": "vid-korupsi"},
    )
    add(
        workspace,
        "pelayanan-publik",
        "Pelayanan Publik yang Bersih",
        [
            *FILLER[:3],
            "Wilayah bebas korupsi adalah predikat yang harus dijaga.",
            "Pelayanan publik harus cepat dan ramah.",
            *FILLER[3:],
        ],
        number=2,
    )
    add(
        workspace,
        "gratifikasi",
        "Mengenal Gratifikasi",
        [
            *FILLER[:2],
            "Gratifikasi wajib dilaporkan dalam tiga puluh hari kerja.",
            "Gratifikasinya bisa berupa uang, barang, atau fasilitas.",
            "Suap berbeda dengan gratifikasi karena ada kesepakatan.",
            *FILLER[2:],
        ],
        number=3,
        description="Apa itu gratifikasi dan bagaimana melaporkannya ke Inspektorat.",
        chapters=[Chapter(0.0, "Pembuka"), Chapter(20.0, "Definisi gratifikasi"), Chapter(60.0, "Penutup")],
    )
    add(
        workspace,
        "wbk",
        "Menuju WBK",
        [
            *FILLER[:2],
            "Menuju wilayah bebas dari korupsi butuh komitmen semua pegawai.",
            "Dana hibah juga diawasi oleh INSPEKTORÁT kota.",
            *FILLER[2:],
        ],
        number=4,
    )
    add(
        workspace,
        "dana-desa",
        "Dana Desa",
        [
            *FILLER[:2],
            "Dana desa diawasi bersama oleh warga.",
            "Korupsi dana desa merugikan warga.",
            *FILLER[2:],
        ],
        number=5,
    )
    add(workspace, "budaya", "Budaya Kerja", [*FILLER, "Budaya kerja yang baik dimulai dari hal kecil."], number=6)
    rebuild_index(workspace)
    return workspace


def hits_of(ws: Workspace, query: str, **kw: object) -> list[tuple[str, str]]:
    """``(slug, highlighted text)`` of every hit, in result order."""
    result = search(ws, ws.settings(), query, **kw)  # type: ignore[arg-type]
    return [(h.slug, mark(h.text, h.spans)) for h in result.hits]


# -- Indonesian matching --------------------------------------------------------------------------------------


def test_a_root_word_finds_its_derived_forms(archive: Workspace) -> None:
    found = hits_of(archive, "korupsi", per_episode=10)
    texts = [t for slug, t in found if slug == "korupsi-di-daerah"]
    assert "[Korupsinya] sudah mengakar di banyak dinas." in texts
    assert "Pegawai yang [berkorupsi] harus diproses secara hukum." in texts
    assert "Anggaran yang [dikorupsi] akhirnya dikembalikan ke kas daerah." in texts
    assert "Pencegahan [korupsi] dimulai dari pimpinan." in texts
    assert ("korupsi-di-daerah", "[Korupsi] di Daerah") in found  # the title too


def test_stemmer_reduces_the_forms_a_search_must_join() -> None:
    stem = stemmer()
    assert {stem.stem(w) for w in ("korupsi", "korupsinya", "berkorupsi", "dikorupsi")} == {"korupsi"}
    assert stem.stem("wbknya") == "wbk"  # outside Sastrawi's dictionary: the particle still goes
    assert stem.stem("pemerintah") == "perintah"


def test_a_derived_query_word_is_not_widened_to_its_stem(workspace: Workspace) -> None:
    # Sastrawi stems "pengadaan" (procurement) to "ada" (there is): searching it must not find every "ada".
    add(workspace, "a", "A", ["Pengadaan barang harus transparan.", "Tidak ada yang kebal hukum."])
    rebuild_index(workspace)
    assert parse_query("pengadaan").fts() == '(body:"pengadaan"*)'
    assert hits_of(workspace, "pengadaan") == [("a", "[Pengadaan] barang harus transparan.")]
    assert hits_of(workspace, "korupsinya") == hits_of(workspace, "korupsi")  # inflection only: the root's family


def test_case_and_diacritics_do_not_matter(archive: Workspace) -> None:
    assert sorted(hits_of(archive, "inspektorat")) == [
        ("gratifikasi", "Apa itu gratifikasi dan bagaimana melaporkannya ke [Inspektorat]."),
        ("wbk", "Dana hibah juga diawasi oleh [INSPEKTORÁT] kota."),
    ]
    assert hits_of(archive, "INSPEKTORÁT") == hits_of(archive, "inspektorat")
    assert hits_of(archive, "Inspéktorat") == hits_of(archive, "inspektorat")


def test_prefix(archive: Workspace) -> None:
    found = hits_of(archive, "gratifik*", per_episode=10)
    assert {slug for slug, _ in found} == {"gratifikasi"}
    assert "[Gratifikasinya] bisa berupa uang, barang, atau fasilitas." in [t for _, t in found]
    assert ("gratifikasi", "Definisi [gratifikasi]") in found  # a chapter title


def test_phrase_is_exact(archive: Workspace) -> None:
    found = hits_of(archive, '"wilayah bebas korupsi"')
    assert found == [("pelayanan-publik", "[Wilayah bebas korupsi] adalah predikat yang harus dijaga.")]
    # the same words, not together: the other episode ("wilayah bebas dari korupsi") does not match the phrase
    unquoted = {slug for slug, _ in hits_of(archive, "wilayah bebas korupsi")}
    assert unquoted == {"pelayanan-publik", "wbk"}


def test_or_and_exclusion(archive: Workspace) -> None:
    either = {slug for slug, _ in hits_of(archive, "suap OR hibah")}
    assert either == {"gratifikasi", "wbk"}
    assert {slug for slug, _ in hits_of(archive, "suap ATAU hibah")} == either
    with_dana = [t for slug, t in hits_of(archive, "korupsi", per_episode=10) if slug == "dana-desa"]
    assert with_dana == ["[Korupsi] dana desa merugikan warga."]
    assert "dana-desa" not in {slug for slug, _ in hits_of(archive, "korupsi -dana")}
    assert "dana-desa" not in {slug for slug, _ in hits_of(archive, 'korupsi -"dana desa"')}


def test_all_words_in_one_passage_else_some_with_a_notice(archive: Workspace) -> None:
    together = search(archive, archive.settings(), "pegawai hukum")
    assert [(h.slug, mark(h.text, h.spans)) for h in together.hits] == [
        ("korupsi-di-daerah", "[Pegawai] yang berkorupsi harus diproses secara [hukum].")
    ]
    apart = search(archive, archive.settings(), "gratifikasi warga")
    assert apart.notice.startswith("no episode holds all the words")
    assert {e.slug for e in apart.episodes} >= {"gratifikasi", "dana-desa"}


# -- ranking, grouping, links ---------------------------------------------------------------------------------


def test_an_episode_discussing_a_term_outranks_one_mentioning_it_once(archive: Workspace) -> None:
    result = search(archive, archive.settings(), "korupsi")
    order = [e.slug for e in result.episodes]
    assert order[0] == "korupsi-di-daerah"
    assert order.index("korupsi-di-daerah") < order.index("dana-desa")
    assert order.index("korupsi-di-daerah") < order.index("pelayanan-publik")
    top = result.episodes[0]
    assert top.matches == 5 and len(top.hits) == 5  # title + four passages
    assert result.episodes[0].score > result.episodes[-1].score


def test_hits_are_grouped_by_episode_and_capped(archive: Workspace) -> None:
    result = search(archive, archive.settings(), "korupsi", per_episode=2, limit=3)
    assert [len(e.hits) for e in result.episodes] == [2, 1]
    assert all(h.slug == e.slug for e in result.episodes for h in e.hits)
    only = search(archive, archive.settings(), "korupsi", episode="dana-desa")
    assert {h.slug for h in only.hits} == {"dana-desa"}


def test_links_open_the_page_and_video_at_the_moment(archive: Workspace) -> None:
    result = search(archive, archive.settings(), "berkorupsi")
    hit = next(h for h in result.hits if h.kind == "segment")
    assert hit.start == 30.0
    assert hit.page_url == "http://localhost:8000/episodes/korupsi-di-daerah/#t=30"
    assert hit.youtube_url == "https://www.youtube.com/watch?v=vid-korupsi&t=30s"
    assert hit.before == FILLER[1] and hit.after.startswith("Anggaran yang dikorupsi")
    chapter = next(h for h in search(archive, archive.settings(), "definisi").hits)
    assert chapter.kind == "chapter" and chapter.page_url.endswith("/episodes/gratifikasi/#t=20")
    assert chapter.youtube_url is None  # not uploaded
    title = next(h for h in search(archive, archive.settings(), "mengenal").hits)
    assert title.kind == "title" and title.page_url.endswith("/episodes/gratifikasi/")


# -- the CLI --------------------------------------------------------------------------------------------------


def test_cli_lists_moments_with_highlight_context_and_links(archive: Workspace, run_cli: Callable[..., Result]) -> None:
    result = run_cli("search", "berkorupsi")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "#1 Korupsi di Daerah" in out and "(korupsi-di-daerah; " in out
    line = next(ln for ln in out.splitlines() if "00:00:30" in ln)
    assert "Tamu: Pegawai yang [berkorupsi] harus diproses secara hukum." in line
    # the passages either side, each named by its own speaker (never read as the guest's words)
    assert "  Pembawa acara: Hari ini cuacanya cerah dan kami senang berbincang. Tamu: Pegawai" in line
    assert "hukum. Pembawa acara: Anggaran yang dikorupsi" in line
    assert "Anggaran yang dikorupsi akhirnya dikembalikan ke kas daerah." in line  # and after
    assert "http://localhost:8000/episodes/korupsi-di-daerah/#t=30" in out
    assert "https://www.youtube.com/watch?v=vid-korupsi&t=30s" in out
    coloured = run_cli("search", "--color", "berkorupsi")
    assert "\x1b[1;33mberkorupsi\x1b[0m" in coloured.stdout and "[berkorupsi]" not in coloured.stdout


def test_cli_unquoted_words_are_one_query(archive: Workspace, run_cli: Callable[..., Result]) -> None:
    result = run_cli("search", "pegawai", "hukum")
    assert "[Pegawai] yang berkorupsi harus diproses secara [hukum]." in result.stdout


def test_cli_json_one_object_per_hit(archive: Workspace, run_cli: Callable[..., Result]) -> None:
    result = run_cli("search", "--json", "korupsi")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 5 + 1 + 1 + 1  # korupsi-di-daerah (5), dana-desa, pelayanan-publik, wbk
    for row in rows:
        assert {"episode", "start", "end", "text", "page_url", "youtube_url"} <= set(row)
        assert isinstance(row["text"], str) and row["page_url"].startswith("http://localhost:8000/episodes/")
    segment = next(r for r in rows if r["text"].startswith("Pegawai yang berkorupsi"))
    assert segment == {
        "episode": "korupsi-di-daerah",
        "episode_title": "Korupsi di Daerah",
        "episode_number": 1,
        "kind": "segment",
        "start": 30.0,
        "end": 39.5,
        "timestamp": "00:00:30",
        "speaker": "Tamu",
        "text": "Pegawai yang berkorupsi harus diproses secara hukum.",
        "highlights": [[13, 23]],
        "context_before": FILLER[1],
        "context_before_speaker": "Pembawa acara",
        "context_after": "Anggaran yang dikorupsi akhirnya dikembalikan ke kas daerah.",
        "context_after_speaker": "Pembawa acara",
        "page_url": "http://localhost:8000/episodes/korupsi-di-daerah/#t=30",
        "youtube_url": "https://www.youtube.com/watch?v=vid-korupsi&t=30s",
    }
    title = next(r for r in rows if r["kind"] == "title")
    assert title["start"] is None and title["timestamp"] is None and title["youtube_url"].endswith("vid-korupsi")
    other = next(r for r in rows if r["episode"] == "dana-desa")
    assert other["youtube_url"] is None


BAD_QUERIES = [
    ('"korupsi', 0, "[Korupsi]"),  # stray opening quote: a phrase to the end
    ('korupsi"', 0, "[Korupsi]"),
    ('"', 1, "Error: nothing to search for"),
    ("*", 1, "Error: nothing to search for"),
    ("**", 1, "Error: nothing to search for"),
    ("k*", 1, "Error: 'k*' is too short a prefix"),
    ("OR", 1, "Error: nothing to search for"),
    ("korupsi OR", 0, "[Korupsi]"),
    ("AND OR NOT", 1, "Error: nothing to search for"),
    ("-korupsi", 1, "Error: the query only excludes words"),
    ("NOT korupsi", 1, "Error: the query only excludes words"),
    ("'; DROP TABLE docs; --", 0, "No matches"),
    ("korupsi') OR 1=1 --", 0, "[Korupsi]"),  # korupsi OR 1
    ("body:korupsi NEAR(a b) {stems}:x ^awal", 0, "No matches"),
    ("korupsi (", 0, "[Korupsi]"),
    ("x" * 2000, 0, "No matches"),
    (" ".join(["korupsi"] * 300), 1, "Error: the query has more than 32 words and phrases"),
    ('"' + " ".join(["kata"] * 40) + '"', 1, "Error: a phrase of 40 words is too long"),
    ("🙂 ✓", 1, "Error: nothing to search for"),
    ("", 1, "Error: nothing to search for"),
    ("   ", 1, "Error: nothing to search for"),
]


@pytest.mark.parametrize(("query", "code", "expected"), BAD_QUERIES, ids=[q[:24] or "empty" for q, _, _ in BAD_QUERIES])
def test_any_input_gives_results_or_a_clear_message(
    archive: Workspace, run_cli: Callable[..., Result], query: str, code: int, expected: str
) -> None:
    result = run_cli("search", "--", query)  # run_cli does not catch exceptions: a traceback fails the test
    assert result.exit_code == code, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) <= 1  # one line, never a dump


def test_every_bad_query_leaves_the_index_intact(archive: Workspace, run_cli: Callable[..., Result]) -> None:
    for query, _, _ in BAD_QUERIES:
        run_cli("search", "--", query)
    with SearchIndex(archive.index_path) as index:
        index.check()
        assert index.db.execute("SELECT count(*) FROM episodes").fetchone()[0] == 6


def test_cli_no_matches_and_unknown_episode(archive: Workspace, run_cli: Callable[..., Result]) -> None:
    none = run_cli("search", "kata-yang-tidak-ada")
    assert none.exit_code == 0 and none.stdout == "" and "No matches for 'kata-yang-tidak-ada'." in none.stderr
    unknown = run_cli("search", "--episode", "tidak-ada", "korupsi")
    assert unknown.exit_code == 1 and "Error: no episode 'tidak-ada'" in unknown.stderr
    bad_limit = run_cli("search", "--limit", "0", "korupsi")
    assert bad_limit.exit_code == 2


def test_help(run_cli: Callable[..., Result]) -> None:
    for command in ("search", "index"):
        result = run_cli(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout
    assert '"wilayah bebas korupsi"' in run_cli("search", "--help").stdout


# -- keeping the index current --------------------------------------------------------------------------------


def test_search_stage_reindexes_only_the_hand_corrected_episode(
    archive: Workspace, run_cli: Callable[..., Result]
) -> None:
    ws = archive
    ctx = Context(ws, ws.settings())
    stage = SearchStage()
    episode = load_episode(ws, "dana-desa")
    assert run_stage(stage, episode, ctx).status == "ran"  # first record of the stage
    assert run_stage(stage, episode, ctx).status == "current"
    with SearchIndex(ws.index_path, readonly=True) as index:
        before = dict(index.db.execute("SELECT slug, first_doc FROM episodes"))
    # The producer corrects a misheard word in the VTT; 'cerdas transcribe --from-vtt' regenerates the JSON.
    vtt = ws.transcript("dana-desa", "vtt")
    vtt.write_text(
        vtt.read_text(encoding="utf-8").replace(
            "Dana desa diawasi bersama oleh warga.", "Dana desa diawasi bersama oleh Bawaslu."
        ),
        encoding="utf-8",
    )
    assert run_cli("transcribe", "dana-desa", "--from-vtt").exit_code == 0
    assert "Bawaslu" in " ".join(s.text for s in load_json(ws.transcript("dana-desa", "json")))
    report = run_stage(stage, load_episode(ws, "dana-desa"), ctx)
    assert report.status == "current"  # 'cerdas transcribe --from-vtt' ran the search stage itself
    assert hits_of(ws, "bawaslu") == [("dana-desa", "Dana desa diawasi bersama oleh [Bawaslu].")]
    assert hits_of(ws, "warga") == [("dana-desa", "Korupsi dana desa merugikan [warga].")]
    with SearchIndex(ws.index_path) as index:
        after = dict(index.db.execute("SELECT slug, first_doc FROM episodes"))
        index.check()
    assert {s for s in before if before[s] != after[s]} == {"dana-desa"}  # the others were not touched


def test_search_picks_up_changed_and_removed_episodes(archive: Workspace, run_cli: Callable[..., Result]) -> None:
    add(archive, "baru", "Episode Baru", ["Whistleblower dilindungi undang-undang."], number=7)
    assert "[Whistleblower]" in run_cli("search", "whistleblower").stdout  # indexed on the way
    import shutil

    shutil.rmtree(archive.episode_dir("baru"))
    gone = run_cli("search", "whistleblower")
    assert gone.stdout == "" and "No matches" in gone.stderr
    second = update_index(archive)
    assert second.indexed == [] and second.removed == [] and second.unchanged == 6


def test_index_command_and_atomic_rebuild(archive: Workspace, run_cli: Callable[..., Result]) -> None:
    current = run_cli("index")
    assert current.exit_code == 0 and "0 episodes indexed (0 transcript segments), 6 unchanged" in current.stdout
    inode = archive.index_path.stat().st_ino
    rebuilt = run_cli("index", "--rebuild")
    assert rebuilt.exit_code == 0 and "6 episodes indexed (" in rebuilt.stdout, rebuilt.output
    assert archive.index_path.stat().st_ino != inode  # a new file renamed into place
    assert not [p for p in archive.root.iterdir() if p.name.startswith(".search.sqlite3.")]  # no temp file left
    assert hits_of(archive, "berkorupsi")


def test_a_damaged_or_outdated_index_is_rebuilt(archive: Workspace, run_cli: Callable[..., Result]) -> None:
    archive.index_path.write_bytes(b"not a database" * 100)
    result = run_cli("search", "gratifikasi")
    assert result.exit_code == 0 and "[Gratifikasi]" in result.stdout
    assert "rebuilding it" in result.stderr
    with sqlite3.connect(archive.index_path) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    assert "[Gratifikasi]" in run_cli("search", "gratifikasi").stdout


def test_first_search_builds_the_index(workspace: Workspace, run_cli: Callable[..., Result]) -> None:
    add(workspace, "satu", "Satu", ["Integritas dimulai dari diri sendiri."])
    assert not workspace.index_path.exists()
    result = run_cli("search", "integritas")
    assert "[Integritas] dimulai dari diri sendiri." in result.stdout
    assert "search index built: 1 episodes" in result.stderr


def test_empty_workspace(workspace: Workspace, run_cli: Callable[..., Result]) -> None:
    result = run_cli("search", "korupsi")
    assert result.exit_code == 0 and "No matches" in result.stderr


@pytest.mark.slow
def test_publish_indexes_the_episode(workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    """The real publish runs the search stage last: the episode's title is searchable right after."""
    from tests.feed_support import disable_whisper
    from tests.media import uneven_speech

    disable_whisper(workspace)
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=4)
    first = run_cli("publish", str(source), "--title", "Akuntabilitas Anggaran", "--no-youtube")
    assert first.exit_code == 0, first.output
    assert "search" in first.stdout
    assert hits_of(workspace, "akuntabilitas") == [("akuntabilitas-anggaran", "[Akuntabilitas] Anggaran")]
    again = run_cli("publish", str(source), "--title", "Akuntabilitas Anggaran", "--no-youtube")
    line = next(ln for ln in again.stdout.splitlines() if ln.strip().startswith("search"))
    assert "current" in line


def test_guests_and_speakers_are_found(workspace: Workspace, run_cli: Callable[..., Result]) -> None:
    """The site finds a guest's name on the episode page; the command line finds it too."""
    make_episode(workspace, "tamu", "Bincang Integritas", number=1, guests=["Dédé Kusnadi", "Nur'aini Rahma"])
    write_transcript(
        workspace,
        "tamu",
        [
            Segment(0.0, 4.0, "Selamat datang.", "Pembawa acara"),
            Segment(5.0, 9.0, "Terima kasih atas undangannya.", "Nur'aini Rahma"),
            Segment(10.0, 14.0, "Saya senang di sini.", "Nur'aini Rahma"),
        ],
    )
    for query in ("Dede", "Dédé", "Nur'aini", "Kusnadi", "Rahma"):
        result = run_cli("search", query)
        assert result.exit_code == 0 and "Bincang Integritas" in result.stdout, (query, result.output)
    rows = [json.loads(line) for line in run_cli("search", "--json", "Nur'aini").stdout.splitlines()]
    assert {r["kind"] for r in rows} == {"guest", "speaker"}
    spoken = next(r for r in rows if r["kind"] == "speaker")
    assert spoken["start"] == 5.0 and spoken["page_url"].endswith("/episodes/tamu/#t=5")  # where she first speaks
    assert "guest: [Dédé] Kusnadi" in run_cli("search", "dede").stdout
    said = run_cli("search", "undangannya").stdout  # her next passage is hers: named once
    assert "Pembawa acara: Selamat datang. Nur'aini Rahma: Terima kasih atas [undangannya]. Saya senang" in said


def test_the_header_counts_what_is_shown(archive: Workspace, run_cli: Callable[..., Result]) -> None:
    out = run_cli("search", "--per-episode", "2", "korupsi").stdout
    header = out.splitlines()[0]
    found = search(archive, archive.settings(), "korupsi", per_episode=2)
    total = sum(e.matches for e in found.episodes)
    assert header.startswith(f"{total} passages in {len(found.episodes)} episodes for 'korupsi'")
    assert f"; {len(found.hits)} shown" in header
    assert "(korupsi-di-daerah; 2 of 5 passages shown)" in out
    everything = run_cli("search", "-e", "dana-desa", "korupsi").stdout
    assert everything.splitlines()[0] == "1 passage in 1 episode for 'korupsi'"  # all shown: nothing to add

"""Transcription without the model: quality guards, caption rules, the four formats and reading a hand-edited VTT.

The model's own behaviour is tested in test_transcribe_real.py (slow); here its output is given, including a loop
that Whisper base really produced on the sample interview (with the vocabulary as a prompt).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest
import srt
import webvtt
from click.testing import Result

from cerdas.errors import CerdasError
from cerdas.transcribe.captions import MAX_CUE_SECONDS, MAX_LINE, build_cues, check_cues, wrap
from cerdas.transcribe.formats import (
    Segment,
    load_json,
    paragraphs,
    parse_vtt,
    to_json,
    to_srt,
    to_txt,
    to_vtt,
)
from cerdas.transcribe.guards import compression_ratio, cut_loops, guard, join, snap_vocabulary
from cerdas.transcribe.whisper import RawSegment, RawWord
from cerdas.transcribe.words import Word
from cerdas.workspace import Workspace
from tests.media import uneven_speech

VOCABULARY = ("Balikpapan", "Inspektorat", "PAKSI", "WBK", "WBBM", "gratifikasi", "integritas")

# Whisper base on the sample interview, batched, with the vocabulary as an initial prompt (compression 3.46)
REAL_LOOP = "PENGAN, SEPENGAN PENGANAN PENGAN PENGAN PENGAN PENGAN PENGAN PENGAN PENGAN PENGAN PENGAN PENGAN PENGAN."


def raw(start: float, end: float, text: str, **scores: float) -> RawSegment:
    """A segment as the adapter returns it, words spread evenly (as Whisper's word timestamps would be)."""
    tokens = text.split()
    step = (end - start) / max(len(tokens), 1)
    words = tuple(RawWord(start + i * step, start + (i + 1) * step, " " + t) for i, t in enumerate(tokens))
    return RawSegment(start, end, " " + text, words, **scores)


def ws(text: str, start: float = 0.0, step: float = 0.3) -> list[Word]:
    return [Word(start + i * step, start + (i + 1) * step, t) for i, t in enumerate(text.split())]


# -- guards ----------------------------------------------------------------------------------------------


def test_a_real_whisper_loop_is_cut_to_one_occurrence() -> None:
    words, cut = cut_loops(ws(REAL_LOOP))
    assert join(words) == "PENGAN, SEPENGAN PENGANAN PENGAN"
    assert cut == 10
    assert compression_ratio(REAL_LOOP) > 2.4 > compression_ratio(join(words))


def test_multi_word_loops_are_cut_but_ordinary_repetition_is_kept() -> None:
    looped = "kalau pemberinya tiga ribu tiga ribu tiga ribu tiga ribu tiga ribu rupiah"
    assert join(cut_loops(ws(looped))[0]) == "kalau pemberinya tiga ribu rupiah"
    phrase = "saya ingat bahwa " * 3 + "integritas itu penting"
    assert join(cut_loops(ws(phrase))[0]) == "saya ingat bahwa integritas itu penting"
    for kept in ("tidak, tidak, tidak, saya menolak", "ya ya ya betul", "sama-sama, terima kasih"):
        assert join(cut_loops(ws(kept))[0]) == kept


def test_guard_drops_no_speech_loops_hallucinations_prompt_echo_and_repeats() -> None:
    segments = [
        raw(0.0, 4.0, "Selamat datang di Podcast Cerdas.", no_speech_prob=0.1, avg_logprob=-0.4),
        raw(4.0, 8.0, "Hmm hmm.", no_speech_prob=0.9, avg_logprob=-1.4),  # Whisper's own no-speech rule
        raw(8.0, 12.0, REAL_LOOP, compression_ratio=3.46),  # cut, then kept: what is left is ordinary
        raw(12.0, 20.0, "ha" * 40 + " " + "hu" * 40, compression_ratio=9.0),  # no word loop, still compresses
        raw(20.0, 24.0, "Terima kasih telah menonton!", no_speech_prob=0.5),  # the classic one, on silence
        raw(24.0, 27.0, "Balikpapan, Inspektorat, WBK, WBBM."),  # the prompt read back on silence
        raw(27.0, 30.0, "Saya kembalikan hari itu juga."),
        raw(30.0, 33.0, "Saya kembalikan hari itu juga."),  # a window repeated
    ]
    cleaned = guard(segments, VOCABULARY, prompted=True)
    texts = [join(words) for words in cleaned.segments]
    assert texts == [
        "Selamat datang di Podcast Cerdas.",
        "PENGAN, SEPENGAN PENGANAN PENGAN",
        "Saya kembalikan hari itu juga.",
    ]
    assert asdict(cleaned.report) == {
        "no_speech": 1,
        "loops_cut_words": 10,
        "compression": 1,
        "prompt_echo": 1,
        "hallucination": 1,
        "repeated": 1,
        "vocabulary_fixed": 0,
    }
    assert cleaned.report.dropped == 5


def test_real_closing_lines_are_not_mistaken_for_hallucinations() -> None:
    lines = [
        "Terima kasih. Sampai jumpa di episode berikutnya dari Podcast Cerdas.",
        "Terima kasih sudah menyaksikan, sampai jumpa.",
    ]  # said for real, heard with confidence
    assert [join(w) for w in guard([raw(i * 5, i * 5 + 4, t) for i, t in enumerate(lines)]).segments] == lines
    credits = guard([raw(0, 3, "Subtitle oleh tim Amara.org")])
    assert credits.segments == [] and credits.report.hallucination == 1


def test_vocabulary_alone_is_kept_when_whisper_was_not_prompted() -> None:
    assert [join(w) for w in guard([raw(0, 2, "WBK, WBBM.")], VOCABULARY).segments] == ["WBK, WBBM."]


def test_vocabulary_terms_are_restored_where_whisper_nearly_heard_them() -> None:
    heard = "dari inspektorat Kota Malik Papen. Kratifikasi, cerita interitas menuju wbk dan webkatan"
    words, fixed = snap_vocabulary(ws(heard), VOCABULARY)
    assert join(words) == "dari Inspektorat Kota Balikpapan. Gratifikasi, cerita integritas menuju WBK dan webkatan"
    assert fixed == 5


def test_vocabulary_leaves_ordinary_words_that_resemble_a_term() -> None:
    text = "seorang inspektor memeriksa integrasi data balik lagi ke papan tulis"
    words, fixed = snap_vocabulary(ws(text), VOCABULARY)
    assert join(words) == text and fixed == 0


def test_glued_words_keep_their_spelling() -> None:
    words = [Word(0, 0.5, "cerita"), Word(0.5, 1.0, "-interitas", glued=True), Word(1.0, 1.5, "dari")]
    fixed, _ = snap_vocabulary(words, VOCABULARY)
    assert join(fixed) == "cerita-integritas dari"


# -- captions --------------------------------------------------------------------------------------------


def assert_caption_rules(cues: list[Segment]) -> None:
    assert cues
    for i, cue in enumerate(cues):
        lines = cue.text.split("\n")
        assert 1 <= len(lines) <= 2, cue
        assert all(0 < len(line) <= MAX_LINE for line in lines), cue
        assert 0 < cue.end - cue.start <= MAX_CUE_SECONDS + 1e-9, cue
        if i + 1 < len(cues):
            assert cue.end <= cues[i + 1].start, (cue, cues[i + 1])
    assert check_cues(cues) == []


def test_captions_obey_the_rules_on_a_long_random_transcript() -> None:
    rng = random.Random(7)
    vocabulary = [
        "pelayanan",
        "publik",
        "gratifikasi",
        "di",
        "dan",
        "yang",
        "integritas",
        "Balikpapan,",
        "transparan.",
        "menolak",
        "pengadaan",
        "barang",
        "https://inspektorat.balikpapan.go.id/laporan/x",
    ]
    segments, clock = [], 0.0
    for _ in range(40):
        words = []
        for _ in range(rng.randint(1, 60)):
            length = rng.uniform(0.1, 0.9)
            clock += rng.choice([0.0, 0.0, 0.05, 0.3, 2.0])
            words.append(Word(clock, clock + length, rng.choice(vocabulary)))
            clock += length
        segments.append(words)
    cues = build_cues(segments)
    assert_caption_rules(cues)
    said = " ".join(w.text for words in segments for w in words)
    assert " ".join(c.flat for c in cues).replace(" ", "") == said.replace(" ", "")


def test_captions_break_at_sentence_ends_and_long_pauses() -> None:
    words = ws("Kalau pemberinya punya kepentingan, sebaiknya ditolak. Pernah dengar?") + ws("Pernah.", start=10.0)
    cues = build_cues([words])
    assert [c.flat for c in cues] == [
        "Kalau pemberinya punya kepentingan, sebaiknya ditolak.",
        "Pernah dengar?",
        "Pernah.",
    ]
    assert cues[0].text == "Kalau pemberinya punya kepentingan,\nsebaiknya ditolak."
    assert cues[2].start == 10.0
    assert_caption_rules(cues)


def test_a_very_short_sentence_joins_the_next_caption() -> None:
    cues = build_cues([ws("Betul. Kalau pemberinya punya kepentingan.", step=0.2)])
    assert [c.flat for c in cues] == ["Betul. Kalau pemberinya punya kepentingan."]


def test_a_cue_stays_up_long_enough_to_read_but_never_overlaps_the_next() -> None:
    first = ws("Pemberian itu dianggap suap apabila berhubungan dengan jabatan.", step=0.1)  # 0.0-0.8 s
    second = ws("Betul sekali, dan berlawanan dengan kewajiban penerimanya.", start=1.0, step=0.1)  # 1.0-1.7 s
    third = ws("Baik.", start=9.0)
    cues = build_cues([first + second, third])
    assert [(c.start, c.end) for c in cues] == [(0.0, 1.0), (1.0, 1.0 + 58 / 20), (9.0, 10.0)]


def test_a_long_sentence_is_split_evenly_preferably_after_a_comma() -> None:
    text = (
        "selamat datang di podcast cerdas cerita integritas dari inspektorat kota balikpapan, hari ini kita "
        "berbincang dengan seorang auditor tentang gratifikasi dalam pelayanan publik"
    )
    cues = build_cues([ws(text, step=0.35)])
    assert_caption_rules(cues)
    assert len(cues) == 3
    lengths = [len(c.flat) for c in cues]
    assert max(lengths) - min(lengths) <= 12
    short = build_cues(
        [
            ws(
                "kalau pemberinya punya kepentingan dengan kita, sebaiknya ditolak dengan sopan lalu dilaporkan segera",
                step=0.3,
            )
        ]
    )
    assert [c.flat.endswith("kita,") for c in short] == [True, False]


def test_wrap_balances_two_lines() -> None:
    assert wrap("Selamat datang di Podcast Cerdas.") == ["Selamat datang di Podcast Cerdas."]
    lines = wrap("Pemberian itu dianggap suap apabila berhubungan dengan jabatan dan tugas")
    assert len(lines) == 2 and all(len(line) <= MAX_LINE for line in lines)
    assert abs(len(lines[0]) - len(lines[1])) <= 12


# -- formats ---------------------------------------------------------------------------------------------

CUES = [
    Segment(0.0, 2.5, "Selamat datang di Podcast Cerdas,\ncerita integritas.", "Pembawa Acara"),
    Segment(2.5, 6.0, "Apa itu <gratifikasi> & suap?", "Pembawa Acara"),
    Segment(9.0, 12.25, "Pemberian dalam arti luas.", "Ibu Ratna"),
    Segment(3700.0, 3702.0, "Sampai jumpa.", "Pembawa Acara"),
]


def test_vtt_parses_with_webvtt_py_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "ep.vtt"
    path.write_text(to_vtt(CUES, note="Transkrip otomatis --> diperiksa"), encoding="utf-8")
    captions = webvtt.read(str(path)).captions
    assert [c.start for c in captions] == ["00:00:00.000", "00:00:02.500", "00:00:09.000", "01:01:40.000"]
    assert captions[1].text == "Apa itu &lt;gratifikasi&gt; &amp; suap?"  # webvtt-py leaves entities as they are
    assert captions[0].voice == "Pembawa Acara"
    assert parse_vtt(path.read_text(encoding="utf-8"), path) == CUES


def test_srt_parses_with_srt_and_keeps_cards_to_two_lines_of_32() -> None:
    subs = list(srt.parse(to_srt(CUES)))
    assert [s.index for s in subs] == list(range(1, len(subs) + 1))
    assert all(len(line) <= 32 for s in subs for line in s.content.split("\n")), [s.content for s in subs]
    assert all(len(s.content.split("\n")) <= 2 for s in subs)
    # the first caption (speaker name + 51 characters) needs two cards, timed in proportion, back to back
    assert subs[0].content == "Pembawa Acara: Selamat datang di"
    assert subs[1].content == "Podcast Cerdas,\ncerita integritas."
    assert subs[0].start.total_seconds() == 0.0 and subs[1].end.total_seconds() == 2.5
    assert subs[0].end == subs[1].start and 1.0 < subs[0].end.total_seconds() < 1.5
    assert subs[2].content == "Apa itu <gratifikasi> & suap?"  # same speaker: not named again
    assert subs[3].content.startswith("Ibu Ratna:")  # a new card where the speaker changes
    assert subs[3].start.total_seconds() == 9.0 and subs[-2].end.total_seconds() == 12.25
    assert subs[-1].content == "Pembawa Acara: Sampai jumpa."
    said = " ".join(s.content.replace("\n", " ") for s in subs)
    assert said.replace("Pembawa Acara: ", "").replace("Ibu Ratna: ", "") == " ".join(c.flat for c in CUES)


def test_a_speaker_tag_carries_over_to_the_following_cues(tmp_path: Path) -> None:
    """People tag the first cue of a turn by hand: the turn goes on until the next <v>."""
    text = (
        "WEBVTT\n\n00:00.000 --> 00:03.000\n<v Pembawa Acara>Selamat datang.\n\n"
        "00:03.000 --> 00:06.000\nHari ini tentang gratifikasi.\n\n"
        "00:07.000 --> 00:10.000\n<v Ibu Ratna>Terima kasih.\n\n"
        "00:10.000 --> 00:13.000\nSaya senang di sini.\n\n"
        "00:14.000 --> 00:16.000\n<v Pembawa Acara>Baik.\n"
    )
    cues = parse_vtt(text, tmp_path / "ep.vtt")
    assert [c.speaker for c in cues] == ["Pembawa Acara", "Pembawa Acara", "Ibu Ratna", "Ibu Ratna", "Pembawa Acara"]
    assert [(p.speaker, p.text) for p in paragraphs(cues)] == [
        ("Pembawa Acara", "Selamat datang. Hari ini tentang gratifikasi."),
        ("Ibu Ratna", "Terima kasih. Saya senang di sini."),
        ("Pembawa Acara", "Baik."),
    ]
    assert [s["speaker"] for s in json.loads(to_json(cues))["segments"]] == [c.speaker for c in cues]
    named = [s.content for s in srt.parse(to_srt(cues))]
    assert named == [
        "Pembawa Acara: Selamat datang.",
        "Hari ini tentang gratifikasi.",
        "Ibu Ratna: Terima kasih.",
        "Saya senang di sini.",
        "Pembawa Acara: Baik.",
    ]


def test_paragraphs_never_break_mid_sentence_but_do_at_a_speaker_change() -> None:
    cues = [
        Segment(0.0, 4.0, "Gratifikasi adalah pemberian dalam arti luas,", "Ibu Ratna"),
        Segment(9.0, 13.0, "berupa uang atau barang.", "Ibu Ratna"),  # a long pause, mid-sentence
        Segment(16.0, 19.0, "Lalu bagaimana?", "Ibu Ratna"),  # a pause after a sentence end
        Segment(19.5, 22.0, "Dilaporkan.", "Pembawa Acara"),  # another speaker, no pause
    ]
    assert [p.text for p in paragraphs(cues)] == [
        "Gratifikasi adalah pemberian dalam arti luas, berupa uang atau barang.",
        "Lalu bagaimana?",
        "Dilaporkan.",
    ]


def test_json_is_podcasting_2_transcript_json(tmp_path: Path) -> None:
    path = tmp_path / "ep.json"
    path.write_text(to_json(CUES), encoding="utf-8")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == "1.0.0"
    assert data["segments"][0] == {
        "startTime": 0.0,
        "endTime": 2.5,
        "speaker": "Pembawa Acara",
        "body": "Selamat datang di Podcast Cerdas, cerita integritas.",
    }
    assert "speaker" not in json.loads(to_json([Segment(0.0, 1.0, "Tanpa nama.")]))["segments"][0]
    assert [s.flat for s in load_json(path)] == [c.flat for c in CUES]


def test_txt_has_paragraphs_with_times_and_speakers() -> None:
    text = to_txt(CUES, "Episode Satu")
    assert text.splitlines()[0] == "Episode Satu"
    paras = [p.strip() for p in text.split("\n\n")[1:] if p.strip()]
    assert paras == [
        "[0:00:00] Pembawa Acara: Selamat datang di Podcast Cerdas, cerita integritas. Apa itu <gratifikasi> & suap?",
        "[0:00:09] Ibu Ratna: Pemberian dalam arti luas.",
        "[1:01:40] Pembawa Acara: Sampai jumpa.",
    ]
    short = [Segment(i * 5.0, i * 5.0 + 4.9, f"Kalimat nomor {i}.") for i in range(30)]
    groups = paragraphs(short)
    assert len(groups) > 1 and all(p.end - p.start <= 90 for p in groups)
    assert to_txt(short).startswith("[00:00] Kalimat nomor 0.")


def test_a_hand_edited_vtt_is_read_leniently(tmp_path: Path) -> None:
    text = (
        "\ufeffWEBVTT - dikoreksi\r\nKind: captions\r\n\r\nNOTE koreksi nama\r\n\r\nSTYLE\r\n::cue { color: red }"
        "\r\n\r\n00:01.000 --> 00:04.000 align:start\r\n<v.loud Ibu Ratna>Gratifikasi &amp; <i>suap</i>\r\n"
        "\r\nintro\r\n00:00:05.5 --> 00:00:07,25\r\nBalikpapan\r\n"
    )
    cues = parse_vtt(text, tmp_path / "x.vtt")
    assert cues == [Segment(1.0, 4.0, "Gratifikasi & suap", "Ibu Ratna"), Segment(5.5, 7.25, "Balikpapan", "Ibu Ratna")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\n00:00:01.000 --> 00:00:02.000\nHalo\n", "line 1: a WebVTT file must start with 'WEBVTT'"),
        ("WEBVTT\n\n1\n00:00:01.000 -> 00:00:02.000\nHalo\n", "line 3: expected a cue timing"),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHalo\n\n2\n00:00:03.000 --> 00:00:7.000\nX\n",
            "line 7: cue timing is not valid",
        ),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nHalo\n", "line 3: cue ends before it starts"),
    ],
)
def test_a_broken_vtt_names_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CerdasError) as err:
        parse_vtt(text, tmp_path / "ep.vtt")
    assert message in str(err.value) and "ep.vtt" in str(err.value)


def test_a_transcript_supplied_before_the_first_publish_is_used_as_it_is(
    workspace: Workspace, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    vtt = workspace.transcripts_dir / "episode-satu.vtt"
    vtt.write_text("WEBVTT\n\n00:00.500 --> 00:02.000\n<v Ibu Ratna>Transkrip dari studio.\n", encoding="utf-8")
    source = uneven_speech(tmp_path / "rekaman.wav", seconds=3)
    result = run_cli("publish", str(source), "--title", "Episode Satu", "--no-youtube")
    assert result.exit_code == 0, result.output
    assert "1 caption from the corrected episode-satu.vtt" in result.stdout
    assert load_json(workspace.transcripts_dir / "episode-satu.json") == [
        Segment(0.5, 2.0, "Transkrip dari studio.", "Ibu Ratna")
    ]

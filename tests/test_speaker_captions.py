"""Speakers in the transcript, without a model: words given their speakers from turns, captions split at each
change of speaker, YouTube's name lines, the feed's people and the search filter (the real diarization and
Whisper run in tests/test_speakers_everywhere.py)."""

from __future__ import annotations

from pathlib import Path

import webvtt

from cerdas.episode import Episode, StageRecord
from cerdas.report import NullReporter
from cerdas.search.index import speaker_matches
from cerdas.speakers.attribution import EpisodeTurns, attribute, speakers_of, turns_for
from cerdas.speakers.naming import is_generic
from cerdas.speakers.turns import NamedTurns, SpeakerTurn
from cerdas.speakers.turns import to_json as turns_json
from cerdas.transcribe.captions import build_cues
from cerdas.transcribe.formats import Segment, parse_vtt, to_json, to_named_vtt, to_srt, to_txt, to_vtt
from cerdas.transcribe.words import Word
from cerdas.workspace import init_workspace


def said(text: str, start: float, step: float = 0.3) -> list[Word]:
    return [Word(start + i * step, start + (i + 1) * step - 0.05, w) for i, w in enumerate(text.split())]


A = "Selamat datang di Podcast Cerdas. Hari ini kita bicara gratifikasi."
B = "Terima kasih atas undangannya. Saya senang bisa berbagi."
TURNS = [SpeakerTurn(0.0, 3.4, "Silvia"), SpeakerTurn(3.6, 6.6, "Puspita"), SpeakerTurn(6.8, 9.0, "Silvia")]


def test_each_word_takes_the_speaker_of_its_turn_and_every_word_has_one() -> None:
    words = said(A, 0.0) + said(B, 3.6) + said("Baik.", 7.0)
    out = attribute(words, TURNS)
    assert [w.speaker for w in out[:10]] == ["Silvia"] * 10
    assert {w.speaker for w in out[10:18]} == {"Puspita"} and out[-1].speaker == "Silvia"
    assert speakers_of(out) == ["Silvia", "Puspita"]
    # a word no turn covers takes its neighbour's speaker; no turns at all: no speakers (old ones cleared)
    late = attribute([*words, Word(12.0, 12.3, "lagi")], TURNS)
    assert late[-1].speaker == "Silvia"
    assert {w.speaker for w in attribute(out, [])} == {""}


def test_a_turn_edge_a_word_off_does_not_cut_a_sentence() -> None:
    words = said("Ini jawaban saya untuk pertanyaan itu.", 0.0) + said("Baik, terima kasih.", 2.0)
    # the diarization's turn ends early: the sentence's last word falls in the next speaker's turn
    out = attribute(words, [SpeakerTurn(0.0, 1.45, "A"), SpeakerTurn(1.5, 3.0, "B")])
    assert [w.speaker for w in out] == ["A"] * 6 + ["B"] * 3
    # a sentence of its own ("Ya.") between two others is a real turn, however short
    yes = said("Saya setuju.", 0.0) + said("Ya.", 0.7) + said("Lanjut lagi.", 1.1)
    turns = [SpeakerTurn(0.0, 0.6, "A"), SpeakerTurn(0.65, 1.0, "B"), SpeakerTurn(1.05, 2.0, "A")]
    assert [w.speaker for w in attribute(yes, turns)] == ["A", "A", "B", "A", "A"]


def test_captions_split_where_the_speaker_changes_and_never_hold_two() -> None:
    turns = [SpeakerTurn(0.0, 0.3, "Silvia"), SpeakerTurn(0.38, 1.1, "Puspita"), SpeakerTurn(1.15, 9.0, "Silvia")]
    words = attribute(said("Jadi?", 0.0) + said("Betul sekali.", 0.4) + said(A, 1.2), turns)
    cues = build_cues([words], [Word(9.0, 11.0, "[tidak terdengar jelas]", speaker="Silvia")])
    # "Jadi?" is short and would share its caption with the next sentence: not across speakers
    assert cues[0].text == "Jadi?" and cues[0].speaker == "Silvia"
    assert cues[1].text == "Betul sekali." and cues[1].speaker == "Puspita"
    assert all(c.speaker == "Silvia" for c in cues[2:])
    assert cues[-1].text == "[tidak terdengar jelas]"


def test_every_format_names_the_speaker_and_webvtt_py_reads_the_voices(tmp_path: Path) -> None:
    cues = [
        Segment(0.0, 2.0, "Selamat datang.", "Silvia Rahmadina"),
        Segment(2.0, 4.0, "Hari ini tentang gratifikasi.", "Silvia Rahmadina"),
        Segment(4.5, 6.0, "Terima kasih.", "Pembicara 2"),
    ]
    path = tmp_path / "x.vtt"
    path.write_text(to_vtt(cues), encoding="utf-8")
    read = webvtt.read(str(path)).captions
    assert [c.voice for c in read] == ["Silvia Rahmadina", "Silvia Rahmadina", "Pembicara 2"]
    assert [c.text for c in read] == ["Selamat datang.", "Hari ini tentang gratifikasi.", "Terima kasih."]
    srt = " ".join(to_srt(cues).split())
    assert "Silvia Rahmadina: Selamat datang." in srt and "Silvia Rahmadina: Hari" not in srt
    assert '"speaker": "Pembicara 2"' in to_json(cues)
    assert "[00:04] Pembicara 2: Terima kasih." in to_txt(cues)
    # YouTube ignores <v>: a line with the name at each change of speaker, and no voice span
    youtube = tmp_path / "y.vtt"
    youtube.write_text(to_named_vtt(cues), encoding="utf-8")
    lines = [c.lines for c in webvtt.read(str(youtube)).captions]
    assert lines == [["Silvia Rahmadina:", "Selamat datang."], ["Hari ini tentang gratifikasi."],
                     ["Pembicara 2:", "Terima kasih."]]  # fmt: skip
    assert "<v" not in youtube.read_text(encoding="utf-8")
    assert parse_vtt(to_vtt(cues), path) == cues


def test_stand_ins_are_not_people_and_the_speaker_filter_matches_names() -> None:
    assert is_generic("Pembicara 2") and is_generic("Speaker 10") and is_generic("Panyatur 1")
    assert not is_generic("Silvia Rahmadina") and not is_generic("Pembicara") and not is_generic("Tamu 2")
    assert speaker_matches("Sekda Budi Santoso", "sekda") and speaker_matches("Puspita Hanum", "PUSPITA hanum")
    assert speaker_matches("Dr. Sékar Ayu", "sekar") and not speaker_matches("Puspita Hanum", "Silvia")
    assert not speaker_matches("Puspita Hanum", "  ")


def test_turns_for_a_transcript(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "show", "Podcast Uji", "Uji.", "Inspektorat Uji", "uji@example.go.id")
    episode = Episode("satu", "Satu", "rekaman.wav", stages={"loudness": StageRecord("audio-1", "")})
    path = ws.speaker_turns("satu")
    path.parent.mkdir(parents=True)
    reporter = NullReporter()

    def write(names: dict[str, str], audio: str = "audio-1") -> None:
        turns = tuple(SpeakerTurn(float(i), i + 0.9, name) for i, name in enumerate(names))
        path.write_text(turns_json(NamedTurns("senko", "diarization", turns, names, audio)), encoding="utf-8")

    write({"Pembicara 1": "generic", "Pembicara 2": "generic"})
    found = turns_for(ws, episode, True, reporter)
    assert len(found.turns) == 2 and found.sha256
    assert turns_for(ws, episode, False, reporter) == EpisodeTurns()  # speakers switched off
    write({"Pembicara 1": "generic"})  # one voice nobody named: no labels, but the file is still followed
    alone = turns_for(ws, episode, True, reporter)
    assert alone.turns == () and alone.sha256 and alone.sha256 != found.sha256
    write({"Silvia": "option"})
    assert [t.speaker for t in turns_for(ws, episode, True, reporter).turns] == ["Silvia"]
    write({"Silvia": "option"}, audio="an-earlier-recording")
    assert turns_for(ws, episode, True, reporter) == EpisodeTurns()
    path.write_text("{not json", encoding="utf-8")
    assert turns_for(ws, episode, True, reporter) == EpisodeTurns()
    assert "speakers.json" in reporter.warnings[-1] and "without speakers" in reporter.warnings[-1]

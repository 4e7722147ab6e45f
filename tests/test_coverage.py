"""The coverage guarantee's arithmetic and its record, without the model: which speech counts as lost, how it
is transcribed again, what is marked, and how the words file, the captions and episode.toml carry it.

(The real model on a real noisy interview is tests/test_transcribe_coverage.py.)"""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path

import pytest
import srt
import webvtt

from cerdas.errors import CerdasError
from cerdas.facts import TranscribeFacts, TranscriptGap, facts_from_data, to_data
from cerdas.transcribe.captions import build_cues, check_cues
from cerdas.transcribe.coverage import MAX_WINDOW, ensure_coverage, find_gaps, uncovered, windows
from cerdas.transcribe.formats import inaudible, is_inaudible, parse_vtt, to_json, to_srt, to_txt, to_vtt
from cerdas.transcribe.stage import coverage_summary, open_gaps
from cerdas.transcribe.words import Word, load_words, save_words, words_between


def said(text: str, start: float, step: float = 0.4, probability: float = 0.9) -> list[Word]:
    return [Word(start + i * step, start + (i + 1) * step, t, probability) for i, t in enumerate(text.split())]


SPEECH = [(0.0, 6.0), (6.3, 20.0), (21.0, 40.0)]
# heard: 0-4 s and 30-34 s; the loop guard cut 10-20 s
HEARD = said("Selamat datang di Podcast Cerdas dari Inspektorat Kota Balikpapan.", 0.0, 0.5) + said(
    "Terima kasih atas undangannya, saya senang di sini.", 30.0, 0.5
)


def test_speech_without_words_is_a_gap_and_a_short_miss_is_not() -> None:
    assert find_gaps(SPEECH, HEARD) == [(5.0, 29.5), (34.5, 40.0)]
    small = said("satu dua tiga empat", 0.0, 0.5) + said("lima enam", 3.5, 0.5)  # 2.0-3.5 s: 0.5 s unheard
    assert find_gaps([(0.0, 5.0)], small) == []
    # where a guard removed text, shorter stretches count too
    assert find_gaps([(0.0, 5.0)], said("satu dua tiga", 0.0, 0.5), removed=[(2.0, 4.0)]) == [(2.0, 5.0)]


def test_windows_start_on_speech_and_stay_under_thirty_seconds() -> None:
    long_speech = [(float(s), float(s) + 9.5) for s in range(0, 80, 10)]
    parts = windows((12.0, 75.0), long_speech)
    assert all(b - a <= MAX_WINDOW + 0.5 for a, b in parts)
    assert parts[0][0] == pytest.approx(9.8)  # from the start of the utterance the gap began in
    assert parts[-1][1] == pytest.approx(75.2) and len(parts) == 3


def test_a_gap_is_transcribed_again_and_only_its_own_words_join() -> None:
    truth = said("kata " * 100, 0.0, 0.4)  # what a second decoding hears: a word every 0.4 s from 0 to 40 s
    asked: list[tuple[float, float]] = []

    def redecode(windows: list[tuple[float, float]], careful: bool) -> list[Word]:
        asked.extend(windows)
        assert not careful  # the batch heard everything: no second, sequential pass
        # each window's words, the gap's neighbours too
        return [w for start, end in windows for w in truth if start <= w.start and w.end <= end]

    result = ensure_coverage(list(HEARD), SPEECH, [(10.0, 20.0)], redecode)
    assert asked[0][0] == 0.0  # the first gap begins mid-utterance: decoded from the utterance's start
    assert all(b - a <= MAX_WINDOW + 0.5 for a, b in asked)
    new = [w for w in result.words if w.text == "kata"]
    assert new and all(5.0 <= w.middle < 29.5 or 34.5 <= w.middle < 40.0 for w in new)  # none beside a heard word
    assert [w for w in result.words if w.text != "kata"] == HEARD
    assert [w.start for w in result.words] == sorted(w.start for w in result.words)
    assert result.redecoded == len(asked) and result.recovered_seconds > 25 and result.gaps == []
    assert result.uncovered_seconds < 1.5


def test_what_cannot_be_transcribed_is_marked_over_the_whole_stretch() -> None:
    tries: list[bool] = []

    def deaf(windows: list[tuple[float, float]], careful: bool) -> list[Word]:
        tries.append(careful)
        return []

    result = ensure_coverage(list(HEARD), SPEECH, [], deaf)
    assert tries == [False, True]  # in a batch, then window by window, sequentially
    assert result.gaps == [(5.0, 29.5), (34.5, 40.0)]
    assert result.uncovered_seconds == pytest.approx(seconds_of(uncovered(SPEECH, HEARD)))
    assert result.recovered_seconds == 0
    mark = inaudible("id")
    cues = build_cues([result.words], [(a, b, mark) for a, b in result.gaps])
    marks = [c for c in cues if is_inaudible(c.flat)]
    assert [(c.start, c.end, c.text) for c in marks] == [
        (5.0, 29.5, "[tidak terdengar jelas]"),
        (34.5, 40.0, "[tidak terdengar jelas]"),
    ]
    assert check_cues(cues) == []  # a mark may last longer than 7 s: there is nothing to read in it
    assert all(a.end <= b.start for a, b in itertools.pairwise(cues))
    assert inaudible("en") == inaudible("fr") == "[inaudible]" and inaudible("id-ID") == mark
    # every format carries it, and players read it
    assert "[tidak terdengar jelas]" in to_txt(cues)
    assert "[tidak terdengar jelas]" in [s.content for s in srt.parse(to_srt(cues))]
    assert any(s["body"] == mark for s in json.loads(to_json(cues))["segments"])


def test_the_record_in_episode_toml_is_typed_and_old_journals_still_load(tmp_path: Path) -> None:
    facts = TranscribeFacts(model="base", gaps=(TranscriptGap(97.9, 103.0),), uncovered_seconds=5.4, redecoded=4)
    stored = to_data(facts)
    assert stored["gaps"] == [{"start": 97.9, "end": 103.0}]
    back = facts_from_data("transcribe", stored, "stages.transcribe.data")
    assert back == facts and isinstance(back, TranscribeFacts) and back.has_gaps
    assert back.gaps[0].seconds == pytest.approx(5.1)
    old = tomllib.loads('model = "base"\nlanguage = "id"\ncues = 3\nwords = 20\n')  # written before the guarantee
    loaded = facts_from_data("transcribe", old, "stages.transcribe.data")
    assert isinstance(loaded, TranscribeFacts) and loaded.gaps == () and not loaded.has_gaps
    assert loaded.uncovered_seconds is None and loaded.redecoded == 0
    assert "gap" in coverage_summary(facts) and coverage_summary(TranscribeFacts()) == ""


def test_a_gap_filled_in_by_hand_is_no_longer_a_gap(tmp_path: Path) -> None:
    cues = build_cues([HEARD], [(4.5, 29.5, inaudible("id"))])
    gaps = (TranscriptGap(5.0, 29.5),)
    vtt = to_vtt(cues)
    assert open_gaps(gaps, parse_vtt(vtt, tmp_path / "x.vtt")) == gaps
    filled = vtt.replace("[tidak terdengar jelas]", "Gratifikasi adalah pemberian dalam arti luas.")
    assert open_gaps(gaps, parse_vtt(filled, tmp_path / "x.vtt")) == ()
    (tmp_path / "x.vtt").write_text(vtt, encoding="utf-8")
    assert webvtt.read(str(tmp_path / "x.vtt")).captions[1].text == "[tidak terdengar jelas]"


def test_the_words_file_round_trips_and_names_itself_when_damaged(tmp_path: Path) -> None:
    words = [*HEARD[:3], Word(2.0, 2.4, "-integritas", 0.31, glued=True)]
    path = tmp_path / "words.json"
    save_words(path, words)
    assert load_words(path) == words
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") == len(words) + 2  # one word per line: a diff shows what changed
    assert '"glued": true' in text and '"speaker": ""' in text
    assert [w.text for w in words_between(words, 0.0, 1.0)] == ["Selamat", "datang"]
    for damage, message in (
        ("{", "words file is damaged"),
        ('{"version": 9, "words": []}', "not a words file of version 1"),
        ('{"version": 1, "words": [{"start": 1}]}', "word 1 lacks a number or text"),
        ('{"version": 1, "words": [{"start": 2, "end": 1, "text": "x", "probability": 1}]}', "impossible times"),
    ):
        path.write_text(damage, encoding="utf-8")
        with pytest.raises(CerdasError) as err:
            load_words(path)
        assert message in str(err.value) and "words.json" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(CerdasError, match="words file not found"):
        load_words(tmp_path / "missing.json")


def seconds_of(spans: list[tuple[float, float]]) -> float:
    return sum(b - a for a, b in spans)

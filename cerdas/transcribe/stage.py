"""Stage 4, transcribe: offline Whisper transcripts (VTT, SRT, Podcasting 2.0 JSON, TXT) in ``transcripts/``.

Whisper (:mod:`~cerdas.transcribe.whisper`) hears the normalised audio, the quality guards
(:mod:`~cerdas.transcribe.guards`) clean what it says, the words are laid out as captions
(:mod:`~cerdas.transcribe.captions`) and written in every format (:mod:`~cerdas.transcribe.formats`).

The VTT is the master a producer may correct by hand. The stage records the sha256 of the VTT it wrote: a VTT
that differs is a hand correction, and is never overwritten by ``publish``; the other formats are regenerated
from it instead (as ``cerdas transcribe SLUG --from-vtt`` does). Only ``cerdas transcribe SLUG --force``
re-transcribes over it, keeping the corrected file as ``<slug>.vtt.bak``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Literal

from cerdas.episode import Episode, load_episode
from cerdas.errors import CerdasError, StageError
from cerdas.facts import GuardCounts, StageName, TagFacts, TranscribeFacts, TranscriptGap
from cerdas.fsutil import atomic_copy, atomic_write_text, fingerprint, sha256_file
from cerdas.pipeline import BaseStage, Context, StageOutput, StageReport, run_stage
from cerdas.report import NullReporter, Reporter
from cerdas.settings import WhisperSettings
from cerdas.speakers.attribution import NO_TURNS, EpisodeTurns, attribute, turns_for
from cerdas.speakers.turns import speaker_at
from cerdas.transcribe import whisper
from cerdas.transcribe.captions import build_cues, check_cues
from cerdas.transcribe.coverage import Coverage, ensure_coverage
from cerdas.transcribe.formats import Segment, inaudible, is_inaudible, load_vtt, to_json, to_srt, to_txt, to_vtt
from cerdas.transcribe.guards import guard
from cerdas.transcribe.models import ModelInfo, check_language, model_ident, resolve_model, whisper_language
from cerdas.transcribe.words import Word, load_words, save_words
from cerdas.workspace import Workspace

ALGORITHM = "transcribe-v2"  # v2: the coverage guarantee (an old transcript may have lost speech silently)
Mode = Literal["auto", "from_vtt", "retranscribe"]


# -- the whole transcription -------------------------------------------------------------------------------


@dataclass
class Transcript:
    """Captions, the words they were made of (the words contract, :mod:`cerdas.transcribe.words`), and what it
    took to make them."""

    cues: list[Segment]
    words: list[Word]
    facts: TranscribeFacts


@dataclass(frozen=True)
class Prepared:
    """The checks done before any work: which model, which language, which device."""

    model: ModelInfo
    language: str | None
    device: whisper.Device


def prepare(
    settings: WhisperSettings, root: Path, model_dir: Path, install: bool = True, load: bool = False
) -> Prepared:
    """Check language, model and device before any work (raises :class:`ModelError`).

    The bundled model (assembled in ``model_dir``) is verified by its sha256; any other model can only be checked
    by loading it, which ``load`` does now (the loaded model is kept for the transcription that follows).
    """
    language = whisper_language(settings.language)
    model = resolve_model(settings.model, root, model_dir, install=install)
    check_language(model, language)
    prepared = Prepared(model, language, whisper.choose_device(settings.device))
    if load and not model.bundled:
        engine = whisper.load(model, prepared.device)
        check_language(engine.model, language)
    return prepared


def vocabulary_prompt(vocabulary: tuple[str, ...]) -> str | None:
    """The vocabulary as Whisper's hotwords (a comma-separated list of the show's terms)."""
    return ", ".join(vocabulary) if vocabulary else None


def transcribe_audio(
    audio: Path,
    settings: WhisperSettings,
    prepared: Prepared,
    reporter: Reporter,
    duration: float = 0.0,
    show_language: str = "id",
    turns: EpisodeTurns = NO_TURNS,
) -> Transcript:
    """Transcribe one audio file into guarded caption cues (progress in audio seconds), with the coverage
    guarantee (:mod:`cerdas.transcribe.coverage`): speech left out is transcribed again, and what still cannot
    be is marked in ``show_language`` and warned about. With speaker ``turns`` every word gets its speaker and
    the captions split where the speaker changes (:func:`lay_out`)."""
    engine = whisper.load(prepared.model, prepared.device)
    started = time.perf_counter()
    samples = engine.decode(audio)
    hotwords = vocabulary_prompt(settings.vocabulary) if settings.prompt else None
    bar = reporter.progress("Transkripsi", duration or 1.0, "s")
    try:
        raw = engine.transcribe(
            samples,
            language=prepared.language,
            beam_size=settings.beam_size,
            batch_size=settings.batch_size,
            word_timestamps=True,
            hotwords=hotwords,
            progress=bar.update,
        )
    finally:
        bar.close()
    cleaned = guard(raw.segments, settings.vocabulary, raw.duration, prompted=settings.prompt)
    language = prepared.language or raw.language or None

    def redecode(windows: list[tuple[float, float]], careful: bool) -> list[Word]:
        if careful:
            heard = [
                seg
                for start, end in windows
                for seg in engine.transcribe_window(
                    samples, start, end, language=language, beam_size=settings.beam_size, hotwords=hotwords
                )
            ]
        else:
            heard = engine.transcribe_windows(
                samples, windows, language=language, beam_size=settings.beam_size,
                batch_size=settings.batch_size, hotwords=hotwords,
            )  # fmt: skip
        again = guard(heard, settings.vocabulary, raw.duration, prompted=settings.prompt, heard=True)
        cleaned.report.add(again.report)
        return again.words

    result = ensure_coverage(cleaned.words, raw.regions, cleaned.removed, redecode)
    mark = inaudible(show_language)
    for start, end in result.gaps:
        reporter.warn(
            f"speech at {clock(start)}-{clock(end)} could not be transcribed; it is marked {mark} "
            "(listen to it and write it into the VTT)"
        )
    words, cues = lay_out(result.words, result.gaps, mark, turns)
    return Transcript(cues, words, _facts(prepared, raw, cleaned.report, result, len(cues), started))


def lay_out(
    words: list[Word], gaps: Sequence[tuple[float, float]], mark: str, turns: EpisodeTurns
) -> tuple[list[Word], list[Segment]]:
    """The words with their speakers (:mod:`cerdas.speakers.attribution`) and the captions made of them, the
    ``gaps`` marked (with the speaker heard there)."""
    words = attribute(words, turns.turns)
    marks = [Word(a, b, mark, speaker=speaker_at(list(turns.turns), a, b)) for a, b in gaps]
    return words, build_cues([words], marks)


def _facts(
    prepared: Prepared, raw: whisper.RawTranscript, guards: GuardCounts, result: Coverage, cues: int, started: float
) -> TranscribeFacts:
    seconds = time.perf_counter() - started
    return TranscribeFacts(
        model=prepared.model.name,
        language=raw.language,
        device=prepared.device.describe(),
        audio_seconds=round(raw.duration, 3),
        speech_seconds=round(raw.speech, 3),
        seconds=round(seconds, 3),
        rtf=round(seconds / raw.duration, 4) if raw.duration else 0.0,
        guards=guards,
        cues=cues,
        words=len(result.words),
        gaps=tuple(TranscriptGap(start, end) for start, end in result.gaps),
        uncovered_seconds=result.uncovered_seconds,
        redecoded=result.redecoded,
        recovered_seconds=result.recovered_seconds,
        redecode_seconds=round(result.seconds + raw.vad_seconds, 3),
    )


def clock(seconds: float) -> str:
    """``01:44`` (``1:01:44`` from an hour): how warnings name a moment."""
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


# -- files --------------------------------------------------------------------------------------------------


def _note(facts: TranscribeFacts, slug: str) -> str:
    return (
        f"Transkrip otomatis (Whisper {facts.model or ''}, bahasa {facts.language or ''}). "
        f"Perbaiki teks di file ini; lalu 'cerdas transcribe {slug} --from-vtt' memperbarui SRT, JSON dan TXT."
    )


def write_others(ws: Workspace, slug: str, cues: list[Segment], title: str) -> dict[str, str]:
    """Write SRT, JSON and TXT from ``cues`` (each atomically; a file that would not change is left alone, so
    what reads it sees nothing new); returns their workspace-relative paths."""
    outputs = {}
    for kind, text in (("srt", to_srt(cues)), ("json", to_json(cues)), ("txt", to_txt(cues, title))):
        path = ws.transcript(slug, kind)
        if not _holds(path, text):
            atomic_write_text(path, text)
        outputs[kind] = ws.relative(path)
    return outputs


def _holds(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def episode_audio(ws: Workspace, episode: Episode) -> Path:
    """The normalised audio to transcribe (the untagged MP3; the tagged one if the work file is gone)."""
    for path in (ws.normalised_audio(episode.slug), ws.published_audio(episode.slug)):
        if path.is_file():
            return path
    raise StageError(
        f"episode {episode.slug!r} has no normalised audio yet; run 'cerdas publish' on its recording first",
        ws.episode_dir(episode.slug),
    )


class TranscribeStage(BaseStage):
    """The ``transcribe`` stage of ``publish`` (and of ``cerdas transcribe``).

    ``mode``: ``auto`` (transcribe, or regenerate from a hand-corrected VTT), ``from_vtt`` (only regenerate
    SRT/JSON/TXT from the VTT), ``retranscribe`` (transcribe over a hand-corrected VTT, keeping a backup).
    """

    name: ClassVar[StageName] = "transcribe"

    def __init__(self, mode: Mode = "auto", prepared: Prepared | None = None) -> None:
        self.mode: Mode = mode
        self.prepared = prepared

    def check(self, ctx: Context) -> None:
        """Language, model and device, before publish does any work (a model other than the bundled one is
        loaded now: that is the only way to know it works)."""
        if self.mode == "from_vtt" or not ctx.settings.whisper.enabled or self.prepared is not None:
            return
        self.prepared = prepare(
            ctx.settings.whisper,
            ctx.workspace.root,
            ctx.env.model_dir,
            install=not ctx.dry_run,
            load=not ctx.dry_run,
        )

    def skip_reason(self, episode: Episode, ctx: Context) -> str | None:
        if not ctx.settings.whisper.enabled and self.mode != "from_vtt":
            return "switched off in cerdas.toml ([whisper] enabled = false)"
        return None

    def inputs(self, episode: Episode, ctx: Context) -> dict[str, Any]:
        vtt = ctx.workspace.transcript(episode.slug, "vtt")
        return {
            **self._transcription_inputs(episode, ctx),
            "title": episode.title,  # heads the TXT
            "vtt": sha256_file(vtt) if vtt.is_file() else None,  # a hand correction regenerates the others
            "speakers": self._turns(episode, ctx, quiet=True).sha256,  # new names: the captions again, no Whisper
        }

    @staticmethod
    def _turns(episode: Episode, ctx: Context, quiet: bool = False) -> EpisodeTurns:
        reporter: Reporter = NullReporter() if quiet else ctx.reporter
        return turns_for(ctx.workspace, episode, ctx.settings.speakers.enabled, reporter)

    @staticmethod
    def _transcription_inputs(episode: Episode, ctx: Context) -> dict[str, Any]:
        """What the words depend on; when only the title or the VTT changed, nothing is transcribed again."""
        ws, w = ctx.workspace, ctx.settings.whisper
        loud, tag = episode.stages.get("loudness"), episode.stages.get("tag")
        return {
            "audio": loud.fingerprint if loud else (tag.fingerprint if tag else None),
            "model": model_ident(w.model, ws.root),
            "language": w.language,
            "vocabulary": list(w.vocabulary),
            "prompt": w.prompt,
            "decoding": [w.beam_size, w.batch_size],
            "algorithm": ALGORITHM,
        }

    def run(self, episode: Episode, ctx: Context) -> StageOutput:
        ws = ctx.workspace
        vtt = ws.transcript(episode.slug, "vtt")
        previous = episode.facts(TranscribeFacts)
        edited = vtt.is_file() and sha256_file(vtt) != (previous.vtt_sha256 if previous else None)
        words_fp = fingerprint(self._transcription_inputs(episode, ctx))
        unchanged = vtt.is_file() and previous is not None and previous.words_fingerprint == words_fp
        turns = self._turns(episode, ctx)
        if self.mode == "from_vtt" or (self.mode == "auto" and (edited or (unchanged and not ctx.force))):
            if not vtt.is_file():
                raise CerdasError("no VTT transcript to regenerate from; run 'cerdas transcribe SLUG' first", vtt)
            renamed = previous is not None and turns.sha256 != previous.speakers_sha256
            if previous and renamed and not edited and self.mode == "auto" and ws.words(episode.slug).is_file():
                return self._respeak(episode, ctx, previous, turns)
            return self._from_vtt(episode, ctx, vtt, previous, edited, turns if renamed and edited else None)
        prepared = self.prepared or prepare(ctx.settings.whisper, ws.root, ctx.env.model_dir)
        audio = episode_audio(ws, episode)
        tag = episode.facts(TagFacts)
        result = transcribe_audio(
            audio,
            ctx.settings.whisper,
            prepared,
            ctx.reporter,
            tag.duration if tag else 0.0,
            show_language=ctx.settings.show.language,
            turns=turns,
        )
        if edited:
            atomic_copy(vtt, vtt.with_name(vtt.name + ".bak"))
            ctx.reporter.warn(f"re-transcribed over the hand-corrected {vtt.name}; it was kept as {vtt.name}.bak")
        facts = replace(result.facts, source="whisper", words_fingerprint=words_fp, speakers_sha256=turns.sha256)
        outputs, facts = self._write(episode, ctx, result.cues, result.words, facts)
        summary = (
            f"{_count(len(result.cues), 'caption')}, {_count(len(result.words), 'word')}, RTF {facts.rtf or 0:.3f} "
            f"({prepared.model.name}, {facts.language}, {prepared.device.describe()})"
            f"{coverage_summary(facts)}{cleaned_summary(facts)}{speakers_summary(result.cues)}"
        )
        return StageOutput(outputs=outputs, facts=facts, summary=summary)

    @staticmethod
    def _write(
        episode: Episode, ctx: Context, cues: list[Segment], words: list[Word], facts: TranscribeFacts
    ) -> tuple[dict[str, str], TranscribeFacts]:
        """Every transcript file and the words file from the machine's ``cues`` and ``words``; the facts with
        the sha256 of the VTT written (a VTT that differs later is a hand correction)."""
        ws = ctx.workspace
        vtt = ws.transcript(episode.slug, "vtt")
        outputs = write_others(ws, episode.slug, cues, episode.title)
        save_words(ws.words(episode.slug), words)
        outputs["words"] = ws.relative(ws.words(episode.slug))
        vtt_text = to_vtt(cues, note=_note(facts, episode.slug))
        atomic_write_text(vtt, vtt_text)  # last: a crash before this leaves the old pair consistent
        outputs["vtt"] = ws.relative(vtt)
        return dict(sorted(outputs.items())), replace(facts, vtt_sha256=_sha(vtt_text))

    def _respeak(self, episode: Episode, ctx: Context, previous: TranscribeFacts, turns: EpisodeTurns) -> StageOutput:
        """The speakers changed (found, renamed by ``--speaker`` or a voice profile) and the words did not:
        Whisper's words (``words.json``) are given their speakers and laid out again, nothing transcribed."""
        ws = ctx.workspace
        words = load_words(ws.words(episode.slug))
        gaps = [(g.start, g.end) for g in previous.gaps]
        words, cues = lay_out(words, gaps, inaudible(ctx.settings.show.language), turns)
        facts = replace(previous, source="whisper", cues=len(cues), speakers_sha256=turns.sha256)
        outputs, facts = self._write(episode, ctx, cues, words, facts)
        summary = f"{_count(len(cues), 'caption')} laid out again for new speakers{speakers_summary(cues)}"
        return StageOutput(outputs=outputs, facts=facts, summary=summary)

    def _from_vtt(
        self,
        episode: Episode,
        ctx: Context,
        vtt: Path,
        previous: TranscribeFacts | None,
        edited: bool,
        renamed: EpisodeTurns | None = None,
    ) -> StageOutput:
        ws = ctx.workspace
        cues = load_vtt(vtt)
        if edited and renamed is not None and renamed.sha256:
            ctx.reporter.warn(
                f"speakers: {vtt.name} is corrected by hand, so it keeps its own voices (<v Name>); "
                "change them there, or 'cerdas transcribe SLUG --force' to take the speakers found"
            )
        if edited:
            for problem in check_cues(cues)[:5]:
                ctx.reporter.warn(f"{vtt.name}: {problem}")
            if self.mode == "auto":
                ctx.reporter.info(
                    f"transcribe: kept the hand-corrected {vtt.name}; SRT, JSON and TXT regenerated "
                    "from it ('cerdas transcribe SLUG --force' transcribes again)"
                )
        outputs = write_others(ws, episode.slug, cues, episode.title)
        outputs["vtt"] = ws.relative(vtt)
        if ws.words(episode.slug).is_file():
            outputs["words"] = ws.relative(ws.words(episode.slug))
        facts = replace(
            previous or TranscribeFacts(),
            source="vtt" if edited else "whisper",
            cues=len(cues),
            words=sum(len(c.flat.split()) for c in cues if not is_inaudible(c.flat)),
            edited_sha256=sha256_file(vtt) if edited else None,
            gaps=open_gaps(previous.gaps if previous else (), cues),
        )
        if renamed is not None:
            facts = replace(facts, speakers_sha256=renamed.sha256)  # said once, not at every run
        what = f"from the corrected {vtt.name}" if edited else f"from {vtt.name} (nothing to transcribe again)"
        return StageOutput(
            outputs=dict(sorted(outputs.items())), facts=facts, summary=f"{_count(len(cues), 'caption')} {what}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def open_gaps(gaps: tuple[TranscriptGap, ...], cues: list[Segment]) -> tuple[TranscriptGap, ...]:
    """The recorded gaps a (hand-corrected) transcript still leaves open: those its cues do not fill with
    words (still marked, or with no caption at all)."""
    words = [c for c in cues if not is_inaudible(c.flat)]
    return tuple(g for g in gaps if not any(c.start < g.end and c.end > g.start for c in words))


def speakers_summary(cues: list[Segment]) -> str:
    """``"; speakers: Silvia Rahmadina, Pembicara 2"`` or ``""``."""
    names = list(dict.fromkeys(c.speaker for c in cues if c.speaker))
    return f"; speakers: {', '.join(names)}" if names else ""


def coverage_summary(facts: TranscribeFacts) -> str:
    """``"; 2 stretches transcribed again (31.2 s recovered); 1 gap marked"`` or ``""``."""
    parts = []
    if facts.redecoded:
        parts.append(
            f"{_count(facts.redecoded, 'stretch' if facts.redecoded == 1 else 'stretche')} transcribed again "
            f"({facts.recovered_seconds:.1f} s of speech recovered)"
        )
    if facts.gaps:
        marked = sum(g.seconds for g in facts.gaps)
        parts.append(f"{_count(len(facts.gaps), 'gap')} ({marked:.0f} s) marked as not understood")
    return "; " + "; ".join(parts) if parts else ""


def cleaned_summary(facts: TranscribeFacts) -> str:
    """``"; guards: no speech 1, loop 1"`` or ``""``."""
    guards = facts.guards
    if guards is None:
        return ""
    names = {
        "no_speech": "no speech",
        "compression": "loop",
        "prompt_echo": "prompt echo",
        "hallucination": "hallucination",
        "repeated": "repeat",
    }
    parts = [f"{label} {getattr(guards, key)}" for key, label in names.items() if getattr(guards, key)]
    if guards.loops_cut_words:
        parts.append(f"{guards.loops_cut_words} looped words cut")
    return f"; guards: {', '.join(parts)}" if parts else ""


def transcription_for(
    ctx: Context, slug: str, from_vtt: bool = False, force: bool = False
) -> tuple[Episode, TranscribeStage]:
    """The episode ``cerdas transcribe SLUG`` works on and its transcribe stage, every check done first (the
    model, the audio, the VTT to regenerate from). Run the stage with ``ctx.force`` unless it is ``auto``."""
    if from_vtt and force:
        raise CerdasError("--from-vtt and --force contradict each other: choose one")
    ws = ctx.workspace
    episode = load_episode(ws, slug)
    mode: Mode = "from_vtt" if from_vtt else ("retranscribe" if force else "auto")
    if mode == "from_vtt":
        vtt = ws.transcript(slug, "vtt")
        if not vtt.is_file():
            raise CerdasError("no VTT transcript to regenerate from; run 'cerdas transcribe SLUG' first", vtt)
    else:
        if not ctx.settings.whisper.enabled:
            raise CerdasError("transcription is switched off in cerdas.toml ([whisper] enabled = false)", ws.config)
        episode_audio(ws, episode)
    stage = TranscribeStage(mode)
    stage.check(ctx)
    return episode, stage


def transcribe_episode(ctx: Context, slug: str, from_vtt: bool = False, force: bool = False) -> StageReport:
    """Run the transcribe stage alone on one episode, with every check done first (``cerdas transcribe`` then
    brings the feed, site, search and YouTube up to date: :func:`cerdas.publish.transcribe_and_update`)."""
    episode, stage = transcription_for(ctx, slug, from_vtt, force)
    with ctx.workspace.lock():
        return run_stage(stage, episode, replace(ctx, force=ctx.force or stage.mode != "auto"), save=not ctx.dry_run)

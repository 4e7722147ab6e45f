"""Names for the voices an engine found: ``--speaker`` names in order of first speech, then voice profiles, then
"Pembicara N" (the show's language: "Speaker N" for shows not in Indonesian)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cerdas.speakers.profiles import VoiceProfile, match
from cerdas.speakers.turns import Diarization, NamedTurns, SpeakerTurn

GENERIC = {"id": "Pembicara", "ms": "Pembicara", "jv": "Pamicara", "su": "Panyatur"}


@dataclass(frozen=True)
class Naming:
    """The named turns and what the producer should hear about (extra names, a profile that matched)."""

    named: NamedTurns
    notes: tuple[str, ...] = ()


def generic_name(n: int, language: str) -> str:
    """``Pembicara 2`` (``Speaker 2`` outside Indonesian and its neighbours)."""
    return f"{GENERIC.get(language.split('-')[0].lower(), 'Speaker')} {n}"


def is_generic(name: str) -> bool:
    """Whether ``name`` is a stand-in ("Pembicara 2", "Speaker 1"), not a person's name."""
    words = name.split()
    stand_ins = {*GENERIC.values(), "Speaker"}
    return len(words) == 2 and words[0] in stand_ins and words[1].isdigit()


def name_voices(
    found: Diarization,
    names: Sequence[str],
    profiles: Sequence[VoiceProfile],
    threshold: float,
    language: str,
    method: str = "diarization",
    by_track: bool = False,
) -> Naming:
    """Give every label of ``found`` a name.

    ``names`` name the voices in order of first speech (``by_track``: the labels in their own order, track 1
    first); a name too many is said, not fatal. Voices left take the name of the profile they match, then a
    generic one.
    """
    labels = sorted(found.labels()) if by_track else found.labels()
    notes: list[str] = []
    given: dict[str, str] = dict(zip(labels, names, strict=False))
    if len(names) > len(labels):
        unused = ", ".join(repr(n) for n in names[len(labels) :])
        what = "tracks" if by_track else "voices found"
        notes.append(f"{len(names)} speaker names given but {len(labels)} {what}: {unused} not used")
    named_by = {name: ("track" if by_track else "option") for name in given.values()}
    left = {label: vec for label, vec in found.embeddings.items() if label not in given}
    free = [p for p in profiles if p.name not in given.values()]
    for label, name in match(left, free, found.engine, threshold).items():
        given[label] = name
        named_by[name] = "profile"
        notes.append(f"voice {labels.index(label) + 1} recognised as {name!r} (voice profile)")
    order = sorted(found.labels(), key=labels.index)
    for i, label in enumerate(order, 1):
        if label not in given:
            name, n = generic_name(i, language), i
            while name in given.values():
                n += 1
                name = generic_name(n, language)
            given[label] = name
            named_by[name] = "generic"
    turns = tuple(SpeakerTurn(t.start, t.end, given[t.speaker]) for t in found.turns)
    return Naming(NamedTurns(found.engine, method, turns, named_by), tuple(notes))

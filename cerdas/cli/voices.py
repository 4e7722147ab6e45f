"""``cerdas voices add|list|remove``: voice profiles of regular speakers (embeddings in ``voices/``, no audio)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cerdas.cli.core import cli, environment, library_context


@cli.group()
def voices() -> None:
    """Voice profiles: a regular voice gets its name in every episode without --speaker."""


@voices.command("add")
@click.argument("name")
@click.argument("sample", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace a profile of that name.")
@click.pass_context
def add(ctx: click.Context, name: str, sample: Path, replace: bool) -> None:
    """Make NAME's profile from SAMPLE (one voice, at least 5 s of speech; the audio is not kept)."""
    from cerdas.media.ffmpeg import FFmpeg
    from cerdas.speakers.voices import add_voice

    context = library_context(ctx)
    added = add_voice(context.workspace, name, sample, FFmpeg.from_env(environment(ctx)), replace=replace)
    profile = added.profile
    click.echo(
        f"Voice profile {profile.name!r}: {profile.speech_seconds:.1f} s of speech, {profile.engine} "
        f"({context.workspace.relative(added.path)})"
    )


@voices.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per profile.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List the voice profiles (and any damaged profile file)."""
    from cerdas.speakers.voices import list_voices

    context = library_context(ctx)
    loaded = list_voices(context.workspace)
    for p in loaded.profiles:
        if as_json:
            line = {"name": p.name, "engine": p.engine, "speech_seconds": p.speech_seconds, "created": p.created}
            click.echo(json.dumps(line, ensure_ascii=False))
        else:
            click.echo(f"{p.name:<32} {p.speech_seconds:>6.1f} s  {p.engine:<24} {p.created}")
    for problem in loaded.problems:
        click.secho(f"Warning: {problem}", err=True, fg="yellow")
    if not loaded.profiles and not loaded.problems and not as_json:
        click.echo("No voice profiles yet: cerdas voices add NAME SAMPLE")


@voices.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Delete NAME's voice profile."""
    from cerdas.speakers.voices import remove_voice

    context = library_context(ctx)
    path = remove_voice(context.workspace, name)
    click.echo(f"Removed {context.workspace.relative(path)}")

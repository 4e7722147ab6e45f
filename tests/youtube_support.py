"""Fixtures for the YouTube tests: the project's emulator on 127.0.0.1, a token for it, a workspace set up to
upload there, and small real media. Nothing is mocked: the real google-api-python-client talks HTTP(S)."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cerdas.devtools.emulator.server import Emulator
from cerdas.env import Environment
from cerdas.episode import Episode, list_episodes
from cerdas.workspace import Workspace
from tests.workspace_support import set_keys

__all__ = ["set_keys"]

PLAYLIST = "PLcerdasEmulatorShow01"
VTT = """WEBVTT

00:00:00.000 --> 00:00:03.000
Selamat datang di Podcast Cerdas.

00:00:03.000 --> 00:00:06.000
Hari ini kita berbicara tentang gratifikasi.
"""


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(tmp_path / "emulator") as emu:
        yield emu


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    """Where the token lives in tests: outside the workspace, like a user's config folder."""
    return tmp_path / "home" / ".config" / "cerdas" / "youtube-token.json"


def environment(emulator: Emulator, token_file: Path) -> Environment:
    """What the library gets after `cerdas youtube login`, pointed at the emulator (fast retries)."""
    return Environment(
        youtube_endpoint=emulator.url,
        youtube_token=token_file,
        youtube_backoff="0.005,0.05,8",
        youtube_timeout="20",
    )


@pytest.fixture
def yt_env(emulator: Emulator, token_file: Path) -> Environment:
    """The library's environment with a token for the emulator written."""
    emulator.write_token(token_file)
    return environment(emulator, token_file)


@pytest.fixture
def youtube_env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, token_file: Path) -> Emulator:
    """The variables a producer would have set after `cerdas youtube login`, pointed at the emulator: for tests
    that run the real command line (library tests take :func:`yt_env`)."""
    emulator.write_token(token_file)
    env = environment(emulator, token_file)
    monkeypatch.setenv("CERDAS_YOUTUBE_ENDPOINT", env.youtube_endpoint)
    monkeypatch.setenv("CERDAS_YOUTUBE_TOKEN", str(env.youtube_token))
    monkeypatch.setenv("CERDAS_YOUTUBE_BACKOFF", env.youtube_backoff)
    monkeypatch.setenv("CERDAS_YOUTUBE_TIMEOUT", env.youtube_timeout)
    monkeypatch.delenv("CERDAS_YOUTUBE_CLIENT_SECRETS", raising=False)
    monkeypatch.delenv("CERDAS_YOUTUBE_CA_CERTS", raising=False)
    return emulator


def configure(ws: Workspace, **youtube: Any) -> None:
    """YouTube on (small chunks, the emulator's playlist), Whisper off: these tests bring their own transcript."""
    set_keys(ws, "whisper", enabled=False)
    set_keys(ws, "youtube", **{"enabled": True, "chunk_kib": 256, "playlist_id": PLAYLIST, **youtube})


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def only_episode(ws: Workspace) -> Episode:
    [episode] = list_episodes(ws)
    return episode


def write_transcript(ws: Workspace, slug: str, text: str = VTT) -> Path:
    path = ws.transcripts_dir / f"{slug}.vtt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tone(path: Path, seconds: float) -> Path:
    """Speech-band noise with pauses: cheap real audio that ingest accepts."""
    graph = (
        "anoisesrc=color=pink:amplitude=0.4:seed=3,bandpass=f=700:width_type=q:w=0.7,"
        "volume='0.3+0.7*abs(sin(2*PI*2.3*t))':eval=frame"
    )
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            graph,
            "-ac",
            "2",
            "-ar",
            "44100",
            "-t",
            str(seconds),
            str(path),
        ],
        check=True,
    )
    return path


def random_file(path: Path, size: int, seed: int = 1) -> Path:
    """Incompressible bytes of a given size (for the upload protocol, content does not matter)."""
    digest = hashlib.sha256(str(seed).encode()).digest()
    with open(path, "wb") as fh:
        written = 0
        block = 0
        while written < size:
            chunk = hashlib.sha512(digest + block.to_bytes(8, "big")).digest() * 512
            fh.write(chunk[: size - written])
            written += min(len(chunk), size - written)
            block += 1
    return path


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made at test time (cryptography)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path

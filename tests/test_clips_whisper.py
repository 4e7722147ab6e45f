"""A clip of an episode transcribed by the real Whisper model (espeak-ng Indonesian): the quote is found in
Whisper's own words, the clip spans them to the word, and the captions burned in are those words. Slow."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cerdas.cli.main import cli
from cerdas.transcribe.words import load_words
from cerdas.workspace import Workspace
from tests.transcribe_support import spoken_clip, words
from tests.workspace_support import set_keys

pytestmark = pytest.mark.slow


def test_a_quote_from_a_whisper_transcript_becomes_a_clip(workspace: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "wawancara.wav"
    spoken_clip(source)  # the host's welcome, the topic, the guest's thanks (about 20 s)
    set_keys(workspace, "whisper", vocabulary=["Balikpapan", "Inspektorat", "gratifikasi", "integritas"])
    runner = CliRunner()
    published = runner.invoke(
        cli,
        ["-w", str(workspace.root), "publish", str(source), "--title", "Menolak Gratifikasi", "--no-youtube"],
        catch_exceptions=False,
    )
    assert published.exit_code == 0, published.output
    said = load_words(workspace.words("menolak-gratifikasi"))
    assert "berbincang" in words(" ".join(w.text for w in said))
    result = runner.invoke(
        cli,
        ["-w", str(workspace.root), "clip", "menolak-gratifikasi", "--quote", "hari ini kita berbincang", "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "berbincang" in words(data["text"]) and data["text"][:1].isupper()
    inside = [w for w in said if data["start"] - 1e-3 <= w.start and w.end <= data["end"] + 1e-3]
    assert inside[0].start == pytest.approx(data["start"], abs=1e-3)
    assert inside[-1].end == pytest.approx(data["end"], abs=1e-3)
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", data["video"]],
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(probed.stdout) == pytest.approx(data["end"] - data["start"], abs=0.1)
    vtt = Path(data["vtt"]).read_text(encoding="utf-8")
    assert "berbincang" in words(vtt)

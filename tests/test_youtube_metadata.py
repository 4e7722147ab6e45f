"""YouTube metadata held to YouTube's limits: title, description, chapters, tags, scheduling."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cerdas.episode import Chapter, Episode, StageRecord
from cerdas.facts import IngestFacts, LoudnessMeasure, ProbeFacts
from cerdas.notes import notes_text
from cerdas.settings import Settings
from cerdas.workspace import Workspace
from cerdas.youtube.metadata import (
    DESCRIPTION_MAX_BYTES,
    TAGS_MAX,
    build_metadata,
    chapter_problem,
    fit_tags,
    tag_cost,
)


def _episode(**changes: object) -> Episode:
    episode = Episode(
        slug="menolak-gratifikasi",
        title="Menolak Gratifikasi",
        source="rekaman.wav",
        description="Seorang auditor bercerita.",
        guests=["Ibu Ratna"],
    )
    episode.stages["ingest"] = StageRecord(
        "x",
        "now",
        {},
        IngestFacts(sha256="", probe=ProbeFacts(format="wav", duration=4000.0), input=LoudnessMeasure(-20.0)),
    )
    for key, value in changes.items():
        setattr(episode, key, value)
    return episode


def _settings(workspace: Workspace, **youtube: Any) -> Settings:
    settings = workspace.settings()
    return replace(settings, youtube=replace(settings.youtube, **youtube))


CHAPTERS = [
    Chapter(0, "Pembukaan"),
    Chapter(95, "Gratifikasi <apa itu>"),
    Chapter(600, "Zona integritas"),
    Chapter(3700, "Penutup"),
]


def test_description_has_notes_guests_chapters_and_links(workspace: Workspace) -> None:
    settings = _settings(workspace)
    meta = build_metadata(_episode(chapters=CHAPTERS), settings)
    lines = meta.description.splitlines()
    assert lines[0] == "Seorang auditor bercerita."
    assert "Narasumber: Ibu Ratna" in lines
    start = lines.index("Bab:")
    assert lines[start + 1 : start + 5] == [
        "0:00 Pembukaan",
        "1:35 Gratifikasi ‹apa itu›",
        "10:00 Zona integritas",
        "1:01:40 Penutup",
    ]
    assert f"Dengarkan sebagai podcast: {settings.base_url}feed.xml" in lines
    assert f"Halaman episode dan transkrip: {settings.base_url}episodes/menolak-gratifikasi/" in lines
    assert meta.chapters_used and not meta.warnings
    body = meta.body()
    assert body["snippet"]["categoryId"] == "25" and body["snippet"]["defaultAudioLanguage"] == "id"
    assert body["status"] == {
        "privacyStatus": "private",
        "selfDeclaredMadeForKids": False,
        "embeddable": True,
        "license": "youtube",
    }


def test_chapters_youtube_would_refuse_are_left_out_with_a_reason() -> None:
    assert chapter_problem(CHAPTERS[:2], 4000) is not None  # fewer than three
    assert "0:00" in str(chapter_problem([Chapter(5, "a"), Chapter(60, "b"), Chapter(120, "c")], 400))
    assert "shorter than 10 s" in str(chapter_problem([Chapter(0, "a"), Chapter(5, "b"), Chapter(120, "c")], 400))
    assert "shorter than 10 s" in str(chapter_problem([Chapter(0, "a"), Chapter(60, "b"), Chapter(120, "c")], 125))
    assert chapter_problem([Chapter(0.4, "a"), Chapter(60, "b"), Chapter(120, "c")], 400) is None


def test_refused_chapters_warn(workspace: Workspace) -> None:
    meta = build_metadata(_episode(chapters=[Chapter(0, "a"), Chapter(4, "b"), Chapter(8, "c")]), _settings(workspace))
    assert not meta.chapters_used and "Bab:" not in meta.description
    assert any("chapters left out" in w for w in meta.warnings)


def test_long_title_is_shortened_with_a_warning(workspace: Workspace) -> None:
    title = "Cerita Integritas: " + " ".join(["gratifikasi"] * 20) + " <akhir>"
    meta = build_metadata(_episode(title=title), _settings(workspace))
    assert len(meta.title) <= 100 and meta.title.endswith("…")
    assert "<" not in meta.title and ">" not in meta.title
    assert any("title" in w and "shortened" in w for w in meta.warnings)


def test_long_multibyte_notes_fit_5000_bytes_and_keep_the_links(workspace: Workspace) -> None:
    notes = "Integritas adalah — “kejujuran” ✓ " * 400  # multi-byte characters: bytes, not characters, count
    meta = build_metadata(_episode(description=notes, chapters=CHAPTERS), _settings(workspace))
    assert len(meta.description.encode("utf-8")) <= DESCRIPTION_MAX_BYTES
    assert "feed.xml" in meta.description and "0:00 Pembukaan" in meta.description
    assert any("show notes" in w for w in meta.warnings)


def test_html_notes_become_text() -> None:
    text = notes_text(
        "<p>Halo <b>semua</b>.</p><ul><li>Satu</li><li>Dua</li></ul>"
        '<p>Lihat <a href="https://example.go.id">situs</a>.</p>'
    )
    assert text == "Halo semua.\n\n• Satu\n• Dua\n\nLihat situs (https://example.go.id)."


def test_tags_fit_500_characters_as_youtube_counts_them() -> None:
    tags, dropped = fit_tags([f"tag nomor {i}" for i in range(60)] + ["podcast", "PODCAST", "a,b"])
    assert sum(tag_cost(t) for t in tags) + len(tags) - 1 <= TAGS_MAX
    assert dropped and "PODCAST" not in tags


def test_schedule_uses_future_pub_date_and_forces_private(workspace: Workspace) -> None:
    ahead = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    settings = _settings(workspace, schedule=True, privacy="public")
    meta = build_metadata(_episode(pub_date=ahead.isoformat()), settings)
    assert meta.privacy == "private" and meta.publish_at == ahead.strftime("%Y-%m-%dT%H:%M:%SZ")
    past = build_metadata(_episode(pub_date="2020-01-01T00:00:00+00:00"), settings)
    assert past.privacy == "public" and not past.publish_at

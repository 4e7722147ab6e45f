"""Chapter files: ``HH:MM:SS title`` lines and Podcasting 2.0 chapters JSON, in and out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cerdas.chapters import chapters_json, format_timestamp, load_chapters, parse_timestamp
from cerdas.episode import Chapter
from cerdas.errors import CerdasError


def _file(tmp_path: Path, text: str, name: str = "bab.txt", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_text_lines_every_spelling(tmp_path: Path) -> None:
    text = (
        "# Bab episode 12\n"
        "\n"
        "00:00:00 Pembukaan\n"
        "  2:05 Apa itu gratifikasi  \n"
        "1:02:03.5 - Zona integritas menuju WBK\n"
        "00:10:00,250 – Pengalaman menolak\n"
    )
    chapters = load_chapters(_file(tmp_path, text, encoding="utf-8-sig"))  # a BOM from Windows editors is fine
    assert [(c.start, c.title) for c in chapters] == [
        (0.0, "Pembukaan"),
        (125.0, "Apa itu gratifikasi"),
        (600.25, "Pengalaman menolak"),
        (3723.5, "Zona integritas menuju WBK"),
    ]


def test_json_chapters(tmp_path: Path) -> None:
    doc = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 65.5, "title": "Dua", "img": "https://example.go.id/2.jpg", "url": "https://example.go.id"},
            {"startTime": 0, "title": "Satu"},
            {"startTime": 30, "title": "Tidak tampil", "toc": False},
            {"startTime": 90},
        ],
    }
    chapters = load_chapters(_file(tmp_path, json.dumps(doc), "bab.json"))
    assert chapters == [
        Chapter(0.0, "Satu"),
        Chapter(65.5, "Dua", url="https://example.go.id", img="https://example.go.id/2.jpg"),
        Chapter(90.0, "Bab 4"),
    ]
    assert chapters_json(chapters) == {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0.0, "title": "Satu"},
            {"startTime": 65.5, "title": "Dua", "img": "https://example.go.id/2.jpg", "url": "https://example.go.id"},
            {"startTime": 90.0, "title": "Bab 4"},
        ],
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("00:00:00 Satu\nsalah\n", "line 2 is not 'HH:MM:SS title'"),
        ("00:00 \n", "line 1"),
        ("", "no chapters"),
        ("00:00:00 Satu\n00:00:00 Dua\n", "same time"),
        ('{"chapters": [{"title": "x"}]}', "not Podcasting 2.0 chapters JSON"),
        ('{"chapters": [{"startTime": "abc"}]}', "not Podcasting 2.0 chapters JSON"),
        ('{"version": "1.2.0"', "not Podcasting 2.0 chapters JSON"),
    ],
)
def test_bad_chapter_files_name_the_file(tmp_path: Path, text: str, problem: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(CerdasError) as caught:
        load_chapters(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_chapter_file_not_text(tmp_path: Path) -> None:
    path = tmp_path / "bab.txt"
    path.write_bytes(b"\xff\xfe\x00\x00\x80\x81")
    with pytest.raises(CerdasError, match="not UTF-8 text"):
        load_chapters(path)
    with pytest.raises(CerdasError, match="chapters file not found"):
        load_chapters(tmp_path / "tidak-ada.txt")


@pytest.mark.parametrize(
    ("text", "seconds"), [("0:00", 0.0), ("02:03", 123.0), ("1:02:03.5", 3723.5), ("10:00:00", 36000.0)]
)
def test_timestamps_round_trip(text: str, seconds: float) -> None:
    assert parse_timestamp(text) == seconds
    assert parse_timestamp(format_timestamp(seconds)) == int(seconds)
    with pytest.raises(ValueError):
        parse_timestamp("1:2:3:4")

"""Language codes as each part of Cerdas needs them: Whisper's codes, ID3's ISO 639-2, caption track names.

``show.language`` and ``whisper.language`` are BCP 47 codes (``id``, ``id-ID``); this is the one table that
turns them into what Whisper, ID3 tags and YouTube caption tracks call them.
"""

from __future__ import annotations

# Whisper's language codes (faster_whisper.tokenizer._LANGUAGE_CODES; a test keeps the two equal). Kept here so
# that a typo in cerdas.toml is refused without importing the engine.
WHISPER_LANGUAGES = frozenset(
    {
        "af",
        "am",
        "ar",
        "as",
        "az",
        "ba",
        "be",
        "bg",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "eu",
        "fa",
        "fi",
        "fo",
        "fr",
        "gl",
        "gu",
        "ha",
        "haw",
        "he",
        "hi",
        "hr",
        "ht",
        "hu",
        "hy",
        "id",
        "is",
        "it",
        "ja",
        "jw",
        "ka",
        "kk",
        "km",
        "kn",
        "ko",
        "la",
        "lb",
        "ln",
        "lo",
        "lt",
        "lv",
        "mg",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "ne",
        "nl",
        "nn",
        "no",
        "oc",
        "pa",
        "pl",
        "ps",
        "pt",
        "ro",
        "ru",
        "sa",
        "sd",
        "si",
        "sk",
        "sl",
        "sn",
        "so",
        "sq",
        "sr",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "tk",
        "tl",
        "tr",
        "tt",
        "uk",
        "ur",
        "uz",
        "vi",
        "yi",
        "yo",
        "zh",
        "yue",
    }
)
# ISO 639-1 codes that Whisper spells differently
_WHISPER_ALIASES = {"jv": "jw", "iw": "he", "in": "id", "nb": "no"}
_ISO639_2 = {"id": "ind", "en": "eng", "ms": "msa", "jv": "jav", "su": "sun"}
_NAMES = {"id": "Bahasa Indonesia", "en": "English", "ms": "Bahasa Melayu", "jv": "Basa Jawa", "su": "Basa Sunda"}


def primary(code: str) -> str:
    """The language without its region: ``id-ID`` → ``id``."""
    return code.split("-")[0].lower()


def whisper_code(code: str) -> str | None:
    """``code`` as Whisper spells it (``id-ID`` → ``id``, ``jv`` → ``jw``); None for ``auto``. Whether Whisper
    knows it: ``whisper_code(code) in WHISPER_LANGUAGES``."""
    if code == "auto":
        return None
    first = primary(code)
    return _WHISPER_ALIASES.get(first, first)


def iso639_2(code: str) -> str:
    """The three-letter code ID3 tags use (``und`` when unknown)."""
    return _ISO639_2.get(primary(code), "und")


def language_name(code: str) -> str:
    """The language's own name, for a caption track (the code itself when unknown)."""
    return _NAMES.get(primary(code), code)

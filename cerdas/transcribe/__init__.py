"""Transcription: the Whisper adapter, quality guards, caption layout, transcript formats and the stage.

Only :mod:`cerdas.transcribe.whisper` imports faster-whisper or CTranslate2.
"""

from __future__ import annotations

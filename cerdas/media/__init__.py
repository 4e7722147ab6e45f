"""Media: the ffmpeg adapter and the audio stages (ingest, loudness, tag).

Only :mod:`cerdas.media.ffmpeg` starts ffmpeg or ffprobe; every other module asks it.
"""

from __future__ import annotations

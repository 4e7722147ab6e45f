"""YouTube: sign-in, metadata, resumable upload with a journal, the publish stage, and a local emulator.

Only :mod:`cerdas.youtube.client` imports Google's libraries; everything else speaks to YouTube through it.
"""

from __future__ import annotations

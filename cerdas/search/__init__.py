"""Full-text search over every episode: a SQLite FTS5 index in the workspace (``search.sqlite3``).

What is indexed, per episode (:mod:`~cerdas.search.entries`): each transcript segment (start, end, speaker, text;
read from the Podcasting 2.0 JSON that transcription regenerates from the hand-corrected VTT), the title, the
description and each chapter title (with its start, so a hit links to the moment). Words are folded and stemmed
the Indonesian way (:mod:`~cerdas.search.text`); whatever a person types becomes a safe FTS5 query
(:mod:`~cerdas.search.query`); :mod:`~cerdas.search.index` holds the file and the two-level search;
:mod:`~cerdas.search.upkeep` keeps it current per episode (a fingerprint of its metadata and transcript decides),
called by the ``search`` stage of ``publish`` (:mod:`~cerdas.search.stage`) and by ``cerdas search`` itself;
``cerdas index --rebuild`` writes a new file beside the old one and renames it over it.
"""

from __future__ import annotations

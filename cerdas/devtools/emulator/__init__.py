"""A local YouTube Data API v3 emulator: the calls Cerdas makes, as the real google-api-python-client sends them.

It speaks resumable ``videos.insert`` (POST → 200 + ``Location``; PUT chunks with ``Content-Range`` → 308 +
``Range`` until 200 with the video; status queries ``Content-Range: bytes */N``), multipart ``captions.insert``
and ``captions.update``, ``thumbnails.set`` media upload, ``playlistItems.insert``/``list``, ``videos.list``/
``update`` (``part=statistics`` too), ``channels.list``, ``captions.list``, YouTube Analytics v2
``reports.query`` (views, watch time, average view duration per video), the OAuth consent redirect and token
endpoint (code exchange with PKCE, refresh), Google-format error bodies and quota accounting (10,000 units a day
by default).

Faults are injected per operation (:class:`Fault`): an HTTP status on the n-th request, a connection dropped
before or after the server stores a chunk, a 401 (the access token is then expired, so the client must refresh),
``quotaExceeded``/``uploadLimitExceeded``/``rateLimitExceeded``, ``videoNotFound`` while a new video is "not yet
visible", and slow responses. State is inspectable in-process (:attr:`Emulator.state`) and over HTTP
(``GET /_emulator/state``; ``POST /_emulator/faults``, ``/_emulator/quota``, ``/_emulator/revoke``,
``/_emulator/statistics`` and ``/_emulator/analytics`` to set a video's figures).

In-process: ``from cerdas.devtools.emulator.server import Emulator``. Run it:
``python -m cerdas.devtools.emulator --port 8765 --write-token TOKEN.json`` (``--tls-cert``/``--tls-key``
for HTTPS). Only ever binds to a loopback address by default.
"""

from __future__ import annotations

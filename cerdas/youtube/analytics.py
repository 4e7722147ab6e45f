"""YouTube Analytics v2 (``reports.query``): views, watch time and average view duration per video and period.

A second Google API beside the Data API. Its service is built by :func:`cerdas.youtube.client.
build_analytics_service` from the discovery document shipped with google-api-python-client (the emulator's
address replaces Google's as for the Data API), and its errors are translated by
:func:`cerdas.youtube.client.translate`; this module imports nothing from Google itself. It is only used when
the sign-in has the ``yt-analytics.readonly`` scope (``cerdas youtube login --analytics``).
"""

from __future__ import annotations

from typing import Any

from cerdas.youtube import client
from cerdas.youtube.errors import AuthError

ANALYTICS_BATCH = 200
METRICS = "views,estimatedMinutesWatched,averageViewDuration"


class AnalyticsClient:
    """The one Analytics query Cerdas makes, executed once; errors are Cerdas errors."""

    def __init__(self, service: Any) -> None:
        self._service = service

    @classmethod
    def connect(
        cls, creds: Any, endpoint: str | None = None, ca_certs: str | None = None, timeout: float | None = None
    ) -> AnalyticsClient:
        return cls(client.build_analytics_service(creds, endpoint=endpoint, ca_certs=ca_certs, timeout=timeout))

    def video_analytics(self, start: str, end: str, video_ids: list[str]) -> dict[str, dict[str, float]]:
        """Per video, between two dates (inclusive, ``YYYY-MM-DD``, Pacific time as YouTube counts): ``views``,
        ``minutes`` watched and ``average_seconds`` viewed. Videos without views are left out."""
        out: dict[str, dict[str, float]] = {}
        ids = list(dict.fromkeys(video_ids))
        for first in range(0, len(ids), ANALYTICS_BATCH):
            request = self._service.reports().query(
                ids="channel==MINE",
                startDate=start,
                endDate=end,
                metrics=METRICS,
                dimensions="video",
                filters="video==" + ",".join(ids[first : first + ANALYTICS_BATCH]),
                maxResults=ANALYTICS_BATCH,
                sort="-views",
            )
            try:
                result = request.execute(num_retries=0)
            except BaseException as exc:
                error = client.translate(exc, "reading YouTube Analytics")
                if error.status == 403 and error.reason in client.SCOPE_REASONS:
                    raise AuthError(
                        "the sign-in does not allow YouTube Analytics; run `cerdas youtube login --analytics`",
                        status=error.status,
                        reason=error.reason,
                    ) from exc
                raise error from exc
            names = [str(h.get("name")) for h in result.get("columnHeaders") or []]
            for row in result.get("rows") or []:
                values = dict(zip(names, row, strict=False))
                out[str(values.get("video"))] = {
                    "views": float(values.get("views") or 0),
                    "minutes": float(values.get("estimatedMinutesWatched") or 0),
                    "average_seconds": float(values.get("averageViewDuration") or 0),
                }
        return out

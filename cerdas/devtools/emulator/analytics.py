"""YouTube Analytics v2 ``reports.query`` (``GET /v2/reports``), as google-api-python-client sends it from the
``youtubeAnalytics`` v2 discovery document: views, estimated minutes watched and average view duration per video
between two dates, from the daily figures a test or the demo set (:meth:`EmulatorState.add_analytics`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from cerdas.devtools.emulator.handlers import _Base
from cerdas.devtools.emulator.state import ApiError

METRICS = ("views", "estimatedMinutesWatched", "averageViewDuration")


def _day(query: dict[str, list[str]], name: str) -> str:
    value = query.get(name, [""])[0]
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "badRequest", f"Invalid value '{value}' for {name}; expected YYYY-MM-DD.") from None
    return value


class AnalyticsRoutes(_Base):
    def _h_reports_query(self, query: dict[str, list[str]], body: bytes) -> tuple[int, Any, dict[str, str]]:
        if query.get("ids", [""])[0] not in ("channel==MINE", f"channel=={self.state.channel_id}"):
            raise ApiError(400, "badRequest", "Unknown ids; expected channel==MINE.")
        start, end = _day(query, "startDate"), _day(query, "endDate")
        if end < start:
            raise ApiError(400, "badRequest", "The endDate is before the startDate.")
        metrics = [m for m in query.get("metrics", [""])[0].split(",") if m]
        unknown = [m for m in metrics if m not in METRICS]
        if not metrics or unknown:
            raise ApiError(400, "badRequest", f"Unknown or missing metrics: {', '.join(unknown) or '(none)'}.")
        if query.get("dimensions", [""])[0] != "video":
            raise ApiError(400, "badRequest", "The emulator answers dimensions=video only.")
        wanted: set[str] = set()
        for part in query.get("filters", [""])[0].split(";"):
            if part.startswith("video=="):
                wanted.update(v for v in part[len("video==") :].split(",") if v)
        totals: dict[str, list[float]] = {}
        with self.state.lock:
            for (video_id, day), (views, minutes) in self.state.analytics.items():
                if start <= day <= end and (not wanted or video_id in wanted):
                    total = totals.setdefault(video_id, [0.0, 0.0])
                    total[0] += views
                    total[1] += minutes
        rows = []
        for video_id, (seen, watched) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
            value: dict[str, float] = {
                "views": int(seen),
                "estimatedMinutesWatched": round(watched, 1),
                "averageViewDuration": int(watched * 60 / seen) if seen else 0,
            }
            rows.append([video_id, *(value[m] for m in metrics)])
        headers = [{"name": "video", "columnType": "DIMENSION", "dataType": "STRING"}]
        headers += [{"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in metrics]
        return 200, {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers, "rows": rows}, {}

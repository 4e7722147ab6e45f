"""The report as JSON, in the shape scripts and the evaluation worksheets read::

    {"period": {"from", "to"},
     "episodes": [{"slug", "title", "published", "downloads", "page_views",
                   "youtube": {"video_id", "views", "likes", "comments"} or null}],
     "totals": {"downloads", "page_views", "youtube_views"},
     "daily": [{"date", "downloads"}]}

Dates are ISO 8601 (``published`` with its offset in the show's zone); ``views`` are the video's lifetime views
as of the latest snapshot; every episode public by the period's end is listed, with its figures for the period.
"""

from __future__ import annotations

import json
from typing import Any

from cerdas.reports.model import Report


def report_data(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    episodes = []
    for row in report.episodes:
        yt = row.youtube
        episodes.append(
            {
                "slug": row.slug,
                "title": row.title,
                "published": row.published.isoformat(),
                "downloads": row.downloads,
                "page_views": row.page_views,
                "youtube": (
                    {"video_id": yt.video_id, "views": yt.views, "likes": yt.likes, "comments": yt.comments}
                    if yt
                    else None
                ),
            }
        )
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "episodes": episodes,
        "totals": {
            "downloads": report.totals.downloads,
            "page_views": report.totals.page_views,
            "youtube_views": report.totals.youtube_views,
        },
        "daily": [{"date": d.day.isoformat(), "downloads": d.downloads} for d in report.daily],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_data(report), ensure_ascii=False, indent=2) + "\n"

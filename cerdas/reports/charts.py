"""The report's charts, drawn with matplotlib as SVG (text as paths: the HTML opens offline and looks the same
everywhere, and the PDF prints it sharp): downloads per day, the top episodes, YouTube views per video."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must precede any figure

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from cerdas.reports.model import Report
from cerdas.reports.texts import Texts

COLOUR = "#1f6f5c"
GREY = "#9aa5a1"
STYLE: Any = {  # rcParams keys are typed as literals; this is a plain dict of them
    "svg.hashsalt": "cerdas",  # stable ids: the same report draws the same file
    "svg.fonttype": "path",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
}
TOP = 10


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context():
        matplotlib.rcParams.update(STYLE)
        yield


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    # scale with the page: drop the fixed size, keep the viewBox
    return re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 width="100%"', text, count=1)


def _short(title: str, limit: int = 42) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def daily_chart(report: Report, texts: Texts) -> str:
    """Downloads per day over the period (bars), with the period's total in the title."""
    with _style():
        fig = Figure(figsize=(9, 2.8), layout="constrained")
        ax = fig.add_subplot()
        days = [mdates.date2num(d.day) for d in report.daily]
        counts = [d.downloads for d in report.daily]
        if len(days) <= 92:
            ax.bar(days, counts, width=0.8, color=COLOUR)
        else:  # a long period: one filled outline instead of hundreds of bars (same picture, a fraction of the SVG)
            ax.stairs(counts, [*(x - 0.5 for x in days), days[-1] + 0.5], fill=True, color=COLOUR)
        ax.set_title(f"{texts['chart_daily']} ({report.totals.downloads})", loc="left")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m" if report.period.days <= 100 else "%m/%Y"))
        ax.set_xlim(mdates.date2num(report.period.start) - 0.6, mdates.date2num(report.period.end) + 0.6)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        return _svg(fig)


def _bars(title: str, labels: list[str], values: list[int], colour: str) -> str:
    with _style():
        fig = Figure(figsize=(9, 0.6 + 0.26 * max(len(labels), 1)), layout="constrained")
        ax = fig.add_subplot()
        positions = list(range(len(labels)))
        ax.barh(positions, values, color=colour, height=0.65)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_title(title, loc="left")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for y, value in zip(positions, values, strict=True):
            ax.annotate(
                f"{value:,}".replace(",", "."),
                (value, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        return _svg(fig)


def top_chart(report: Report, texts: Texts) -> str | None:
    """The most downloaded episodes of the period (None when nothing was downloaded)."""
    rows = sorted((r for r in report.episodes if r.downloads), key=lambda r: -r.downloads)[:TOP]
    if not rows:
        return None
    return _bars(texts["chart_top"], [_short(r.title) for r in rows], [r.downloads for r in rows], COLOUR)


def youtube_chart(report: Report, texts: Texts) -> str | None:
    """Views per video (lifetime, as of the snapshot), most first (None without YouTube figures)."""
    rows = sorted((r for r in report.episodes if r.youtube), key=lambda r: -(r.youtube.views if r.youtube else 0))
    rows = rows[:TOP]
    if not rows:
        return None
    return _bars(
        texts["chart_youtube"], [_short(r.title) for r in rows], [r.youtube.views for r in rows if r.youtube], GREY
    )


def charts(report: Report, texts: Texts) -> dict[str, str]:
    """Every chart the report has data for, by name (``daily``, ``top``, ``youtube``)."""
    out = {"daily": daily_chart(report, texts)}
    for name, draw in (("top", top_chart), ("youtube", youtube_chart)):
        svg = draw(report, texts)
        if svg is not None:
            out[name] = svg
    return out

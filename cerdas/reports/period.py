"""The report's period: ``--from``/``--to`` dates, a ``--month 2026-10`` or a ``--quarter 2026Q4`` (inclusive days
in the show's time zone), and the previous period of the same length it is compared with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from cerdas.errors import CerdasError


class PeriodError(CerdasError):
    """The period asked for is not one (a usage error: the command exits 2)."""


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included."""

    start: date
    end: date
    kind: str = "range"
    """``month``, ``quarter`` or ``range``: how the period is named in titles and file names."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def previous(self) -> Period:
        """The same number of days just before."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """The first and the last moment of the period in ``zone`` (aware datetimes; the end is exclusive)."""
        first = datetime.combine(self.start, time(), zone)
        return first, datetime.combine(self.end + timedelta(days=1), time(), zone)

    @property
    def slug(self) -> str:
        """A name for files and folders: ``2026-10``, ``2026Q4`` or ``2026-10-01_2026-10-15``."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{option} {text!r} is not a date (expected YYYY-MM-DD)") from None


def month_period(text: str) -> Period:
    """``2026-10`` → the whole month."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"--month {text!r} is not a month (expected YYYY-MM, e.g. 2026-10)")
    start = date(int(match.group(1)), int(match.group(2)), 1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return Period(start, following - timedelta(days=1), "month")


def quarter_period(text: str) -> Period:
    """``2026Q4`` (or ``2026-Q4``, ``2026q4``) → October to December."""
    match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text.strip())
    if not match:
        raise PeriodError(f"--quarter {text!r} is not a quarter (expected YYYYQn, e.g. 2026Q4)")
    year, quarter = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(start, end - timedelta(days=1), "quarter")


def choose_period(start: str | None, end: str | None, month: str | None, quarter: str | None, today: date) -> Period:
    """The period the options name; with none, the current month up to ``today``."""
    given = [name for name, value in (("--month", month), ("--quarter", quarter)) if value]
    if start or end:
        given.append("--from/--to")
    if len(given) > 1:
        raise PeriodError(f"choose one of {' and '.join(given)}")
    if month:
        return month_period(month)
    if quarter:
        return quarter_period(quarter)
    if start or end:
        first = _date(start, "--from") if start else today.replace(day=1)
        last = _date(end, "--to") if end else today
        if last < first:
            raise PeriodError(f"--to {last.isoformat()} is before --from {first.isoformat()}")
        if (last - first).days > 3660:
            raise PeriodError("a report covers at most ten years")
        return Period(first, last)
    return Period(today.replace(day=1), today, "range")

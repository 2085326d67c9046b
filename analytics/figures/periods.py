"""Time buckets and number formats shared by every figure.

Periods are labelled by their first day: the day itself, the Monday of the week, the 1st of the month.
"""

import datetime as dt
from decimal import Decimal

from core.dates import clamp_date
from core.filters import DateRange

DAY, WEEK, MONTH = "day", "week", "month"
DAY_BUCKET_MAX_DAYS = 62
WEEK_BUCKET_MAX_DAYS = 366


def bucket_for(*, start: dt.date, end: dt.date) -> str:
    """≤ 62 days → day, ≤ 1 year → week, longer → month."""
    days = (end - start).days + 1
    if days <= DAY_BUCKET_MAX_DAYS:
        return DAY
    if days <= WEEK_BUCKET_MAX_DAYS:
        return WEEK
    return MONTH


def bucket_start(day: dt.date, bucket: str) -> dt.date:
    if bucket == DAY:
        return day
    if bucket == WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def next_bucket(period: dt.date, bucket: str) -> dt.date:
    if bucket == DAY:
        return period + dt.timedelta(days=1)
    if bucket == WEEK:
        return period + dt.timedelta(days=7)
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def bucket_periods(*, start: dt.date, end: dt.date, bucket: str) -> list[dt.date]:
    """Every period touching ``start``..``end``, so charts get zeros instead of gaps."""
    periods, period = [], bucket_start(start, bucket)
    while period <= end:
        periods.append(period)
        try:
            period = next_bucket(period, bucket)
        except OverflowError:  # the last period of the calendar (9999-12)
            break
    return periods


def resolve_range(
    date_range: DateRange, *, first: dt.date | None, last: dt.date | None
) -> tuple[dt.date, dt.date] | None:
    """Close an open range with the data's first/last day; None when there is nothing to chart.

    The data's days are taken inside the window of sane dates (core.dates): a record stored out of it
    (written before the window was enforced, e.g. sold on 9999-12-31) never stretches a chart over
    millennia or past the end of the calendar.
    """
    first = clamp_date(first) if first is not None else None
    last = clamp_date(last) if last is not None else None
    start = date_range.start or first
    end = date_range.end or last
    if start is None or end is None:
        if start is None and end is None:
            return None
        start = start or end
        end = end or start
    if end < start:
        # An open end before/after every record: chart the one bound that was given.
        end = start if date_range.start else end
        start = end if date_range.end else start
    return start, end


def series(
    *, date_range: DateRange, first: dt.date | None, last: dt.date | None, bucket: str | None,
    values: dict[dt.date, dict], zero: dict,
) -> dict:
    """``{"bucket", "points"}`` with one point per period; ``values`` maps period → point fields."""
    bounds = resolve_range(date_range, first=first, last=last)
    if bounds is None:
        return {"bucket": bucket or DAY, "points": []}
    start, end = bounds
    bucket = bucket or bucket_for(start=start, end=end)
    points = [
        {"period": period.isoformat(), **values.get(period, zero)}
        for period in bucket_periods(start=start, end=end, bucket=bucket)
    ]
    return {"bucket": bucket, "points": points}


def money(value: Decimal | float | int | None) -> float:
    return round(float(value or 0), 2)


def cents_to_money(cents: int | None) -> float:
    return round((cents or 0) / 100, 2)


def rating(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def change(value: float | int | None, previous: float | int | None) -> float | None:
    """Percent change against the previous period; None when there is nothing to compare with."""
    if value is None or not previous:
        return None
    return round((value - previous) / previous * 100, 2)


def comparison(value, previous, *, bounded: bool) -> dict:
    if not bounded:
        return {"value": value, "previous": None, "change": None}
    return {"value": value, "previous": previous, "change": change(value, previous)}

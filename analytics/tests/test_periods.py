"""Buckets, filled periods and percent changes shared by the over-time figures."""

import datetime as dt

import pytest

from analytics.figures.periods import (
    DAY,
    MONTH,
    WEEK,
    bucket_for,
    bucket_periods,
    change,
    comparison,
    resolve_range,
    series,
)
from core.filters import DateRange

D = dt.date


@pytest.mark.parametrize(("days", "bucket"), [(1, DAY), (62, DAY), (63, WEEK), (366, WEEK), (367, MONTH)])
def test_bucket_follows_range_length(days, bucket):
    start = D(2025, 1, 1)
    assert bucket_for(start=start, end=start + dt.timedelta(days=days - 1)) == bucket


def test_weeks_start_on_monday_and_months_on_the_first():
    assert bucket_periods(start=D(2025, 3, 12), end=D(2025, 3, 24), bucket=WEEK) == [
        D(2025, 3, 10), D(2025, 3, 17), D(2025, 3, 24),
    ]
    assert bucket_periods(start=D(2024, 12, 31), end=D(2025, 2, 1), bucket=MONTH) == [
        D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1),
    ]


def test_open_ends_close_on_the_data_and_empty_data_has_no_points():
    jan5, feb1 = D(2025, 1, 5), D(2025, 2, 1)
    assert resolve_range(DateRange(), first=jan5, last=feb1) == (jan5, feb1)
    assert resolve_range(DateRange(D(2025, 1, 10), None), first=None, last=None) == (D(2025, 1, 10),) * 2
    assert resolve_range(DateRange(None, D(2020, 1, 1)), first=D(2025, 1, 5), last=D(2025, 2, 1)) == (
        D(2020, 1, 1), D(2020, 1, 1),
    )
    assert series(date_range=DateRange(), first=None, last=None, bucket=None, values={}, zero={"n": 0}) == {
        "bucket": DAY, "points": [],
    }


def test_series_fills_gaps_with_zeros():
    result = series(date_range=DateRange(D(2025, 1, 1), D(2025, 1, 3)), first=None, last=None, bucket=None,
                    values={D(2025, 1, 2): {"n": 4}}, zero={"n": 0})
    assert result == {"bucket": DAY, "points": [
        {"period": "2025-01-01", "n": 0}, {"period": "2025-01-02", "n": 4}, {"period": "2025-01-03", "n": 0},
    ]}


def test_change_is_none_without_a_base():
    assert change(15, 10) == 50.0
    assert change(5, 0) is None
    assert change(None, 3) is None
    assert comparison(7, 3, bounded=False) == {"value": 7, "previous": None, "change": None}

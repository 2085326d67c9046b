"""The window of sane dates: what a person or program may write, and what a filter may ask for.

No date earlier than ``settings.EARLIEST_DATE`` (default 1900-01-01), none later than now plus a small
clock skew. The model fields that record when something happened carry ``validate_recorded_at``, so
the API, the admin, forms and the services all refuse the same values; the filters use
``validate_filter_date``.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

CLOCK_SKEW = dt.timedelta(minutes=5)
DATE_IN_FUTURE = "Dates cannot be in the future."
DATE_TOO_EARLY = "Dates cannot be before {earliest:%Y-%m-%d}."
FILTER_DATE_OUT_OF_RANGE = "Enter a date between {earliest:%Y-%m-%d} and {latest:%Y-%m-%d}."


def earliest_date() -> dt.date:
    return settings.EARLIEST_DATE


def earliest_datetime() -> dt.datetime:
    return dt.datetime.combine(earliest_date(), dt.time.min, tzinfo=dt.timezone.utc)


def latest_datetime() -> dt.datetime:
    return timezone.now() + CLOCK_SKEW


def latest_date() -> dt.date:
    return latest_datetime().astimezone(dt.timezone.utc).date()


def clamp_date(day: dt.date) -> dt.date:
    """``day`` moved into the window (for stored records written before it was enforced)."""
    return min(max(day, earliest_date()), latest_date())


def validate_recorded_at(value: dt.datetime) -> None:
    """A moment something happened: not before EARLIEST_DATE, not after now (plus clock skew)."""
    if value is None:
        return
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.timezone.utc)
    if value < earliest_datetime():
        raise ValidationError(DATE_TOO_EARLY.format(earliest=earliest_date()), code="date_too_early")
    if value > latest_datetime():
        raise ValidationError(DATE_IN_FUTURE, code="date_in_future")


def validate_filter_date(value: dt.date) -> None:
    """A day a filter asks for (``date_from`` / ``date_to``): inside the window."""
    if value is None:
        return
    earliest, latest = earliest_date(), latest_date()
    if not earliest <= value <= latest:
        raise ValidationError(
            FILTER_DATE_OUT_OF_RANGE.format(earliest=earliest, latest=latest), code="date_out_of_range"
        )

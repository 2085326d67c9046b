"""The filters every page and figure shares: `date_from`, `date_to` (ISO dates) and `category`; the
dashboard and the explain figure also take `compare` (what period a range is compared with)."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from core.dates import validate_filter_date

DATE_ORDER = "date_from must be on or before date_to."

COMPARE_PREVIOUS, COMPARE_YEAR = "previous", "year"
COMPARE_CHOICES = ((COMPARE_PREVIOUS, "Previous period"), (COMPARE_YEAR, "Same period a year earlier"))


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of calendar days (UTC); ``None`` at either end means unbounded."""

    start: dt.date | None = None
    end: dt.date | None = None

    def start_datetime(self) -> dt.datetime | None:
        return _midnight(self.start) if self.start else None

    def end_datetime(self) -> dt.datetime | None:
        """Exclusive upper bound: midnight after ``end`` (``end`` itself's last moment on 9999-12-31)."""
        if not self.end:
            return None
        if self.end == dt.date.max:
            return dt.datetime.combine(self.end, dt.time.max, tzinfo=dt.timezone.utc)
        return _midnight(self.end + dt.timedelta(days=1))

    def previous(self) -> "DateRange | None":
        """The period of equal length just before this one (None when unbounded, or before year 1)."""
        if not (self.start and self.end):
            return None
        length = (self.end - self.start).days + 1
        try:
            return DateRange(self.start - dt.timedelta(days=length), self.start - dt.timedelta(days=1))
        except OverflowError:
            return None

    def year_earlier(self) -> "DateRange | None":
        """The same days a year before (29 February → 28 February, so the period may be a day
        shorter); None when unbounded or before year 1."""
        if not (self.start and self.end) or self.start.year == 1:
            return None
        return DateRange(_year_before(self.start), _year_before(self.end))

    def compared(self, compare: str = COMPARE_PREVIOUS) -> "DateRange | None":
        """The period ``compare`` names (COMPARE_CHOICES): the one just before, or a year earlier."""
        return self.year_earlier() if compare == COMPARE_YEAR else self.previous()


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone.utc)


class DateOrderForm(forms.Form):
    """Rejects a ``date_from`` after ``date_to``, naming ``date_to`` (pages, figures and FilterSets)."""

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", DATE_ORDER)
        return data


class RangeFilterForm(DateOrderForm):
    """Validates the shared query parameters; `.errors` name the field on bad input."""

    # Inside the window of sane dates (core.dates): EARLIEST_DATE .. today.
    date_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"], validators=[validate_filter_date])
    date_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"], validators=[validate_filter_date])
    category = forms.CharField(required=False, max_length=100)

    @property
    def date_range(self) -> DateRange:
        return DateRange(self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to"))

    @property
    def selected_category(self) -> str | None:
        return self.cleaned_data.get("category") or None


class CompareFilterForm(RangeFilterForm):
    """The shared filters plus ``compare`` (default: the previous period), for the KPI cards."""

    compare = forms.ChoiceField(required=False, choices=COMPARE_CHOICES)

    @property
    def selected_compare(self) -> str:
        return self.cleaned_data.get("compare") or COMPARE_PREVIOUS


def today() -> dt.date:
    return timezone.now().date()
